"""The portal's application factory: wiring only, nothing runs at import time."""
from __future__ import annotations

import os
from pathlib import Path

import click
import jinja2
import jinja2.bccache
from flask import Flask

from portal.config import DEFAULTS, PROJECT_ROOT, from_environment, trusted_hosts
from portal.web.floor import Portal


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and shared by every app built in it (Jinja checks
    each against its source's checksum, so an edited template is compiled again)."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app from the environment, or from `test_config` in tests."""
    app = Portal(__name__, instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _COMPILED}
    app.config.from_mapping(DEFAULTS)
    test_config = test_config or {}
    instance = Path(test_config.get("INSTANCE_PATH") or os.environ.get("INSTANCE_DIR") or app.instance_path)
    app.instance_path = str(instance)
    app.config.from_mapping(from_environment(instance, test_config.get("SECRET_KEY")))
    app.config.from_mapping(test_config)
    if "TRUSTED_HOSTS" not in test_config:  # a request for another host is a 400 (links never use it)
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["SITE_URL"], os.environ.get("TRUSTED_HOSTS"))
    app.json.ensure_ascii = False  # Vietnamese stays readable in the API's JSON
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_UPLOAD_MB", 20) * 1024 * 1024 + 1024 * 1024

    from portal import cli, database, extensions, mail
    from portal.domain import (
        accounts,
        units,  # noqa: F401 (models)
    )
    from portal.domain.campaigns import calendar  # noqa: F401 (models)
    from portal.domain.documents import models as documents
    from portal.domain.documents import (
        register,  # noqa: F401 (models)
        schedule,
    )
    from portal.domain.files import signatures
    from portal.domain.honors import annulments, certificates, matters, records, roll  # noqa: F401 (models)
    from portal.domain.kernel import bounds, changes, outbox, schema  # noqa: F401 (models)
    from portal.search import service as search_service
    from portal.web import admin, api, cache, common, errors, health, public, security, warmup
    from portal.web import units as unit_area

    serving = click.get_current_context(silent=True) is None  # a server, not a `flask` command
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config, serving)
    security.install_converters(app)
    database.init_app(app)  # before the database's own hooks: its budget outlives their teardown
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    bounds.install_text_guard()
    mail.init_app(app)
    changes.forget()
    roll.forget()
    schedule.reset()
    documents.SETTINGS["show_demo"] = bool(app.config["DEMO_DATA"])
    signatures.SETTINGS["roots"] = Path(app.config["TRUST_ROOTS_DIR"])
    accounts.HASHING["method"] = app.config["PASSWORD_HASH_METHOD"]
    public.init_app(app)
    admin.init_app(app)
    api.init_app(app)
    unit_area.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    security.init_app(app)
    cache.init_app(app)
    cli.init_app(app)
    common.remember_links(app)
    common.remember_chrome(app)
    if app.config["SCHEMA_CHECK"] and not app.testing and serving:
        with app.app_context():
            schema.check()  # refuse to serve a database of another schema revision
    search_service.init_app(app)
    if serving:
        warmup.start(app)
    return app

"""A worker's first visitors served at its usual speed.

The honor roll's name search reads its index once per process (100,000 names: a second or two);
without this, the first visitor to type a name in each new worker waited for it, after every
start and every deploy. A portal served by gunicorn reads it in a thread of its own as each
worker starts, within the same bounds on waiting for the database as a request; if the database
is away, the first search reads it later, as before. Tests, scripts and `flask` commands do not
start it (WARM_UP=1 or 0 decides otherwise). Workers are never preloaded (deploy/portal.service):
a thread started in gunicorn's master would not follow the fork.

Once read, what the worker holds is set aside from the cycle collector (`gc.freeze`): the index's
few hundred thousand tuples and sets hold no cycles and live as long as the worker, yet every
full collection walked them all (at 100,000 names, about 0.3 s once in a few thousand requests).
Objects frozen are still freed when no longer referenced.
"""
from __future__ import annotations

import gc
import logging
import sys
import threading
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from portal.database import budget
from portal.domain.honors import counts
from portal.extensions import db

log = logging.getLogger(__name__)


def wanted(app: Flask) -> bool:
    setting = app.config.get("WARM_UP")
    if setting is not None:
        return setting
    return not app.testing and "gunicorn.arbiter" in sys.modules  # a worker gunicorn started


def start(app: Flask) -> threading.Thread | None:
    if not wanted(app):
        return None
    thread = threading.Thread(target=warm, args=(app,), name="portal-warm-up", daemon=True)
    thread.start()
    return thread


def warm(app: Flask) -> None:
    started = time.monotonic()
    try:
        with app.app_context(), budget(app.config["DB_REQUEST_BUDGET"]):
            try:
                indexed = counts.prepare(db.session)
            finally:
                db.session.remove()
    except SQLAlchemyError as exc:
        log.warning("warm-up skipped, the database did not answer: %s", exc.__class__.__name__)
        return
    except Exception:  # noqa: BLE001 (a warm-up never stops a worker: the first search reads it then)
        log.exception("warm-up failed")
        return
    gc.freeze()
    log.info("warm-up: honor roll name index of %d names read in %.1f s", indexed, time.monotonic() - started)

"""`/healthz`: whether this node answers, and whether it reaches its database, told apart.

A node that answers is alive (200) even while the database is away: the body says which part is
down, so a load balancer never takes every node out for an outage none of them can fix, and a
monitor still sees the database's state. Never cached, never needs a session."""
from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.database import budget
from portal.extensions import db

CHECK_SECONDS = 1.0


def _database() -> str:
    try:
        with budget(CHECK_SECONDS), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError:
        return "unreachable"


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        response = jsonify({"node": "ok", "database": _database()})
        response.headers["Cache-Control"] = "no-store"
        return response

"""The migrations create exactly the schema the models describe (no drift), and init-db is idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from app.cli import init_db
from app.extensions import db
from app.standards.models import StandardRecord


def test_models_match_migrations(app):
    with app.app_context():
        context = MigrationContext.configure(db.engine.connect(), opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
        context.connection.close()
    assert diff == []


def test_init_db_twice_is_harmless(app):
    with app.app_context():
        assert init_db() == 0  # the template database already holds the standards
        assert init_db() == 0
        ids = db.session.scalars(select(StandardRecord.id).order_by(StandardRecord.id)).all()
        assert ids == ["3-01-01-04", "3-01-04-03", "590008"]
        assert "alembic_version" in inspect(db.engine).get_table_names()

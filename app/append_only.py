"""Append-only tables: a record that can only grow (the audit log, the record of score changes, the
record of difficulty write-backs). Enforced twice:

- in the ORM: an update or delete of a row, through the unit of work or a bulk ``update()`` /
  ``delete()``, raises ``AppendOnlyError`` before anything reaches the database;
- in the database: triggers refuse ``UPDATE`` and ``DELETE`` of the table's rows whoever sends them
  (SQLite ``RAISE(ABORT, …)``, PostgreSQL a trigger function raising). They are created with the
  table by ``metadata.create_all()`` (a DDL event here) and by the migration that adds the table
  (which writes the same statements, as a migration must not change when this module does).

``TRUNCATE`` (the PostgreSQL test fixture's reset) fires no row trigger and stays possible for the
database owner.
"""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlalchemy.orm import Session

_LABELS: dict[type, str] = {}  # model class -> its Chinese name, for the error message

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


class AppendOnlyError(RuntimeError):
    """A change or deletion of an append-only record was attempted: the record can only grow."""


def trigger_statements(table: str, dialect: str) -> list[str]:
    """The statements that make ``table`` refuse UPDATE and DELETE on ``dialect``."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            PG_FUNCTION,
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()",
        ]
    return []


def table_names() -> frozenset[str]:
    """The append-only tables (of the models imported so far)."""
    return frozenset(model.__table__.name for model in _LABELS)


def append_only(model: type, label: str) -> type:
    """Make ``model`` append-only (a class decorator); ``label`` names it in the error message."""
    _LABELS[model] = label

    @event.listens_for(model, "before_update")
    def _no_update(mapper, connection, target) -> None:
        raise AppendOnlyError(f"{label}只能追加，不能修改")

    @event.listens_for(model, "before_delete")
    def _no_delete(mapper, connection, target) -> None:
        raise AppendOnlyError(f"{label}只能追加，不能删除")

    table = model.__table__.name
    for dialect in ("sqlite", "postgresql"):
        for statement in trigger_statements(table, dialect):
            ddl = DDL(statement.replace("%", "%%"))  # DDL formats %(table)s: a literal % is doubled
            event.listen(model.__table__, "after_create", ddl.execute_if(dialect=dialect))
    return model


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_change(state) -> None:
    """Bulk ``update(Model)`` / ``delete(Model)`` bypass the mapper events: refuse them too."""
    if state.is_update or state.is_delete:
        for mapper in state.all_mappers:
            if mapper.class_ in _LABELS:
                raise AppendOnlyError(f"{_LABELS[mapper.class_]}只能追加")

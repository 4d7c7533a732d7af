"""CLI commands of the contract: ``init-db``, ``users create``, ``demo``."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

from app.auth.models import Role
from app.auth.operations import create_user
from app.banks.cli import register_banks_cli
from app.demo import load_demo
from app.errors import DomainError
from app.extensions import db
from app.faults import create_sqlite_file, sqlite_path
from app.results import signing
from app.standards.registry import sync_standard_records

# Any number that no other advisory lock of this database uses: "skillcert" as an integer.
MIGRATION_LOCK_KEY = 0x736B696C6C63


@contextmanager
def migration_lock() -> Iterator[None]:
    """One ``init-db`` at a time per database (issue 28 item 12: three app servers running it at once on
    an empty PostgreSQL failed 2 of 3 with UniqueViolation on alembic_version). PostgreSQL: a session
    advisory lock on a connection of its own; SQLite: an exclusive file lock beside the database. A
    later run waits, then finds the schema current and changes nothing."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            connection.commit()
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                connection.commit()
        return
    path = sqlite_path(url)
    if not path:  # an in-memory database belongs to one process
        yield
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(f"{path}.init-db.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def init_db() -> int:
    """Create or upgrade the schema (every migration branch) and load the standards, one run at a time
    per database. The only place that creates a SQLite file: serving never does (app/faults.py)."""
    with migration_lock():
        create_sqlite_file(db.engine.url)
        upgrade(revision="heads")
        changed = sync_standard_records()
        db.session.commit()
    signing.ensure_key()  # the certificates' signing key, once (a later run reuses it)
    return changed


def register_commands(app: Flask) -> None:
    register_banks_cli(app)

    @app.cli.command("init-db")
    def init_db_command():
        """创建或升级数据库结构并载入职业标准（可重复执行）。"""
        changed = init_db()
        click.echo(f"数据库已就绪；职业标准 {changed} 项已更新。")

    keys = AppGroup("signing-key", help="证书签名密钥（Ed25519）。")
    app.cli.add_command(keys)

    @keys.command("rotate")
    def rotate_signing_key():
        """换用新的签名密钥；旧公钥仍在 /.well-known/jwks.json 中公布，已签发的凭证照常可验。"""
        click.echo(f"新的签名密钥：{signing.rotate_key()}")

    users = AppGroup("users", help="用户管理。")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--username", required=True)
    @click.option(
        "--password",
        prompt="密码",
        hide_input=True,
        confirmation_prompt="再次输入密码",
        help="不写在命令行上时提示输入（不回显；也可由标准输入读入）",
    )
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--center", default=None, help="培训或评价机构名称（不存在则新建）")
    @click.option("--name", default=None, help="姓名")
    def create_user_command(username, password, role, center, name):
        """创建用户。"""
        try:
            user = create_user(username, password, role, center=center, name=name, operator=True)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo(f"已创建用户 {user.username}（{user.role.value}）")

    @app.cli.command("demo")
    def demo_command():
        """载入完整的演示数据（仅用于空数据库）。"""
        try:
            message = load_demo()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo(message)

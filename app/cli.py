"""CLI commands of the contract: ``init-db``, ``users create``, ``demo``."""

from __future__ import annotations

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
from app.faults import create_sqlite_file
from app.standards.registry import sync_standard_records


def init_db() -> int:
    """Create or upgrade the schema (every migration branch) and load the standards. The only place
    that creates a SQLite file: serving never does (app/faults.py)."""
    create_sqlite_file(db.engine.url)
    upgrade(revision="heads")
    changed = sync_standard_records()
    db.session.commit()
    return changed


def register_commands(app: Flask) -> None:
    register_banks_cli(app)

    @app.cli.command("init-db")
    def init_db_command():
        """创建或升级数据库结构并载入职业标准（可重复执行）。"""
        changed = init_db()
        click.echo(f"数据库已就绪；职业标准 {changed} 项已更新。")

    users = AppGroup("users", help="用户管理。")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--center", default=None, help="培训或评价机构名称（不存在则新建）")
    @click.option("--name", default=None, help="姓名")
    def create_user_command(username, password, role, center, name):
        """创建用户。"""
        try:
            user = create_user(username, password, role, center=center, name=name)
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

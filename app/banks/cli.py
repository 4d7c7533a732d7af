"""``flask --app wsgi banks ...``: seed banks (hooked in by app.cli.register_commands)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

from .seed import import_seed

banks_cli = AppGroup("banks", help="题库管理。")


@banks_cli.command("import-seed")
@click.option("--standard", "standards", multiple=True, help="只导入指定标准（可重复）；默认全部")
def import_seed_command(standards):
    """导入 question_banks/ 中的种子题库（已有题号则更新）。"""
    try:
        counts = import_seed(list(standards) or None)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    for standard_id, count in counts.items():
        click.echo(f"{standard_id}：导入 {count} 题")


def register_banks_cli(app: Flask) -> None:
    app.cli.add_command(banks_cli)

"""Paper pages for center admins and admins: assemble, inspect conformity, print (笔试) with key."""

from __future__ import annotations

from itertools import combinations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.banks.models import TYPE_LABELS
from app.banks.validation import LETTERS
from app.errors import DomainError
from app.extensions import db
from app.standards.choices import level_choices, split_target
from app.standards.registry import all_standards, get_standard

from . import operations as ops
from .charts import difficulty_histogram
from .models import Paper
from .printing import printed_minutes
from .templates import paper_template

bp = Blueprint("papers", __name__, url_prefix="/papers")

CHINESE_NUMERALS = "一二三四五六七八九十"


def _optional_float(value: str | None):
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        return value


def _int_or_text(value: str | None):
    try:
        return int(value) if value is not None else None
    except ValueError:
        return value


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ADMINS)
def index():
    error = None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        standard_id, level = split_target(form.get("target"))
        low, high = _optional_float(form.get("dmin")), _optional_float(form.get("dmax"))
        band = None if low is None and high is None else {"min": low, "max": high}
        try:
            papers = ops.assemble_papers(
                standard_id, level, _int_or_text(form.get("forms")), _optional_float(form.get("max_overlap")),
                _int_or_text(form.get("seed") or "0"), difficulty=band, user=current_user,
                record_usage=False,
            )  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            error = exc
        else:
            flash(f"已组成 {len(papers)} 套平行试卷", "success")
            return redirect(url_for("papers.view", paper_id=papers[0].id))
    selected = form.get("target") or ""
    if not selected and request.args.get("standard") in all_standards():
        selected = f"{request.args['standard']}|{get_standard(request.args['standard']).level_ids[0]}"
    batches = list(db.session.scalars(ops.papers_query(current_user).where(Paper.form_no == 1).limit(50)))
    templates = {s.id: paper_template(s) for s in all_standards().values()}
    return (
        render_template(
            "papers/index.html",
            targets=level_choices(),
            selected=selected,
            form=form,
            error=error,
            batches=batches,
            templates=templates,
            standards=all_standards(),
            type_labels=TYPE_LABELS,
        ),  # fmt: skip
        422 if error else 200,
    )


def _conformity(paper: Paper) -> list[dict]:
    """The level's weight table beside the paper's own points, row by row (4.1)."""
    standard = get_standard(paper.standard_id)
    rows = []
    for area, weight in standard.theory_weights[paper.level].items():
        need = weight * paper.total_points / 100
        have = paper.area_points.get(area, 0)
        rows.append({"area": area, "weight": weight, "need": need, "have": have, "ok": have == need,
                     "share": 100 * have / paper.total_points})  # fmt: skip
    return rows


@bp.get("/<int:paper_id>")
@roles_required(*ADMINS)
def view(paper_id: int):
    paper = ops.get_paper(paper_id, current_user)
    batch = ops.batch_papers(paper)
    standard = get_standard(paper.standard_id)
    overlaps = []
    for a, b in combinations(batch, 2):
        shared = len({i.item_id for i in a.items} & {i.item_id for i in b.items})
        overlaps.append((a.form_no, b.form_no, shared))
    limit = int(paper.max_overlap * len(paper.items) + 1e-9)
    type_counts: dict[str, int] = {}
    for pi in paper.items:
        type_counts[pi.type] = type_counts.get(pi.type, 0) + 1
    return render_template(
        "papers/view.html", paper=paper, batch=batch, standard=standard, rows=_conformity(paper), overlaps=overlaps,
        limit=limit, type_labels=TYPE_LABELS, type_counts=type_counts,
    )  # fmt: skip


@bp.get("/<int:paper_id>/difficulty.png")
@roles_required(*ADMINS)
def histogram(paper_id: int):
    paper = ops.get_paper(paper_id, current_user)
    png = difficulty_histogram(
        f"第{paper.form_no}套 难度分布（平均 {paper.mean_difficulty:.3f}）",
        [pi.difficulty for pi in paper.items],
        (paper.difficulty_min, paper.difficulty_max),
    )
    return Response(png, mimetype="image/png")


def _sections(paper: Paper) -> list[dict]:
    """The paper's items grouped by section in the order of the paper's sections."""
    groups = []
    for spec in paper.sections:
        items = [pi for pi in paper.items if pi.type == spec["type"] and pi.points == spec["points"]]
        groups.append({"type": spec["type"], "points": spec["points"], "entries": items})
    return groups


@bp.get("/<int:paper_id>/print")
@roles_required(*ADMINS)
def print_paper(paper_id: int):
    paper = ops.get_paper(paper_id, current_user)
    standard = get_standard(paper.standard_id)
    sections = _sections(paper)
    minutes, minimum = printed_minutes(paper, standard)  # 1.9.4
    number = 0
    for section in sections:
        section["numbered"] = []
        for pi in section["entries"]:
            number += 1
            section["numbered"].append((number, pi))
    return render_template(
        "papers/print.html", paper=paper, standard=standard, sections=sections, letters=LETTERS,
        type_labels=TYPE_LABELS, numerals=CHINESE_NUMERALS, with_key=request.args.get("key", "1") != "0",
        minutes=minutes, minimum=minimum,
    )  # fmt: skip

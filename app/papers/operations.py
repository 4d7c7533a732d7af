"""Paper operations: assemble parallel forms from a bank and store them frozen.

The request is checked here (every bad field named), the bank is filtered in the database
(level at or below the paper's, area in the level's table, not retired: design.md "filter
first"), the numbers go to the pure ``scoring.assembly``, and the forms come back as ``Paper``
rows with a snapshot of every item. Only flush; the request boundary commits.
"""

from __future__ import annotations

import uuid
from collections import Counter

from flask import current_app
from sqlalchemy import or_, select, update

from app.audit.operations import record
from app.auth.models import Role, User
from app.auth.scoping import get_for_center, scope_to_center
from app.banks.models import Item
from app.errors import Invalid
from app.extensions import db
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard
from scoring.assembly import AssemblyError, Bank, Blueprint, Infeasible, Section, TimeLimitExceeded, assemble

from .models import Paper, PaperItem
from .templates import PaperTemplate, paper_template

MAX_FORMS = 10
DEFAULT_TIME_LIMIT = 30.0


# Messages name a field by its label on the pages; ``details.field`` keeps the key.
FIELD_LABELS = {"forms": "套数", "max_overlap": "最大重题率", "seed": "随机种子", "difficulty": "难度范围",
                "sections": "题型", "level": "等级", "standard": "职业标准"}  # fmt: skip


def _number(value, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Invalid(f"{FIELD_LABELS.get(field, field)}须为 {low:g}–{high:g} 之间的数", field=field)
    return float(value)


def _integer(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{FIELD_LABELS.get(field, field)}须为 {low}–{high} 之间的整数", field=field)
    return value


def parse_sections(raw, template: PaperTemplate) -> list[Section]:
    """Sections from the request, or the template's. A section without ``points`` takes the
    template's points for its type (1 if the template has no such type)."""
    if raw is None:
        return [Section(s.type, s.count, s.points) for s in template.sections]
    if not isinstance(raw, list) or not raw:
        raise Invalid("题型设置（sections）须为非空列表", field="sections")
    sections = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise Invalid(f"题型设置第 {index + 1} 项须写明题型和题数", field="sections", index=index)
        kind = entry.get("type")
        if kind not in ("single", "multiple", "judge"):
            raise Invalid(f"题型设置第 {index + 1} 项的题型须为单选、多选或判断", field="sections", index=index)
        count = entry.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 500:
            raise Invalid(f"题型设置第 {index + 1} 项的题数须为 1–500 的整数", field="sections", index=index)
        points = entry.get("points", template.points_for(kind) or 1)
        if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
            raise Invalid(f"题型设置第 {index + 1} 项的每题分值须为 1–100 的整数", field="sections", index=index)
        if any(s.type == kind and s.points == points for s in sections):
            raise Invalid(f"题型设置第 {index + 1} 项与前面的题型重复", field="sections", index=index)
        sections.append(Section(kind, count, points))
    return sections


def parse_band(raw, template: PaperTemplate) -> tuple[float, float]:
    if raw is None:
        return template.difficulty.min, template.difficulty.max
    if not isinstance(raw, dict) or "min" not in raw or "max" not in raw:
        raise Invalid("难度范围须写明下限和上限", field="difficulty")
    low = _number(raw["min"], "difficulty", 0, 1)
    high = _number(raw["max"], "difficulty", 0, 1)
    if low > high:
        raise Invalid("难度范围的下限不能大于上限", field="difficulty")
    return low, high


def load_bank(standard: Standard, level: str, areas: list[str], center_id: int | None = None) -> Bank:
    """The usable part of the bank as columns: one query, only the columns assembly needs. A center
    assembles from the platform's items and its own (``center_id``); None: the platform's only."""
    served = standard.level_ids[: standard.level_ids.index(level) + 1]
    rank = {lv: k for k, lv in enumerate(standard.level_ids)}
    rows = db.session.execute(
        select(
            Item.id, Item.type, Item.area, Item.level, Item.points, Item.difficulty, Item.enemy_group, Item.usage_count
        )  # fmt: skip
        .where(
            Item.standard_id == standard.id,
            Item.retired.is_(False),
            Item.level.in_(served),
            Item.area.in_(areas),
            or_(Item.center_id.is_(None), Item.center_id == center_id) if center_id else Item.center_id.is_(None),
        )
        .order_by(Item.id)
    ).all()
    return Bank.from_columns(
        {
            "id": [r[0] for r in rows],
            "type": [r[1] for r in rows],
            "area": [r[2] for r in rows],
            "level_rank": [rank[r[3]] for r in rows],
            "points": [r[4] for r in rows],
            "difficulty": [r[5] for r in rows],
            "enemy_group": [r[6] for r in rows],
            "usage": [r[7] for r in rows],
        }
    )


def assemble_papers(
    standard_id: str,
    level: str,
    forms: int,
    max_overlap: float | None,
    seed: int | None,
    sections: list | None = None,
    difficulty: dict | None = None,
    user: User | None = None,
    record_usage: bool = True,
    bank_center_id: int | None = None,
) -> list[Paper]:
    """Assemble ``forms`` parallel papers and store them frozen (422 ``infeasible`` naming the
    area, type or constraint that the bank cannot meet, with the shortfall).

    ``record_usage``: count the papers' items as used (exposure), so that later assemblies prefer
    other items. A session's papers are sat by candidates and count (the default, as the sessions
    domain calls it); a paper assembled on the papers page or ``POST /papers/assemble`` is a draft
    and does not, which also keeps "the same seed gives the same papers" true between drafts.

    ``bank_center_id``: whose own items join the platform's bank (a session's center); by default the
    assembling center admin's center, none for a platform admin."""
    if bank_center_id is None and user is not None and user.role == Role.center_admin:
        bank_center_id = user.center_id
    standard = get_standard(standard_id, field="standard")
    if not isinstance(level, str):
        raise Invalid("请选择等级", field="level")
    get_level(standard, level)
    forms = _integer(forms, "forms", 1, MAX_FORMS)
    seed = _integer(0 if seed is None else seed, "seed", 0, 2**31 - 1)
    template = paper_template(standard)
    max_overlap = _number(template.max_overlap if max_overlap is None else max_overlap, "max_overlap", 0, 1)
    blueprint = Blueprint(
        level=level,
        level_rank=standard.level_ids.index(level),
        weights=dict(standard.theory_weights[level]),
        sections=tuple(parse_sections(sections, template)),
        forms=forms,
        max_overlap=max_overlap,
        difficulty=parse_band(difficulty, template),
    )
    bank = load_bank(standard, level, list(blueprint.weights), bank_center_id)
    time_limit = float(current_app.config.get("ASSEMBLY_TIME_LIMIT", DEFAULT_TIME_LIMIT))
    try:
        result = assemble(bank, blueprint, seed, time_limit=time_limit)
    except Infeasible as exc:
        if exc.constraint == "blueprint":
            # The weight table cannot be met at this total (an area's share is not a whole number of
            # points): a constraint that cannot be met, so the contract's code "infeasible", still
            # naming the field to change.
            raise Invalid(
                exc.message, field="sections", code="infeasible", details={"constraint": "blueprint", **exc.details}
            ) from exc
        raise Invalid(exc.message, code="infeasible", details={"constraint": exc.constraint, **exc.details}) from exc
    except TimeLimitExceeded as exc:
        # honest: nothing was shown impossible; details.likely names the tightest constraint
        raise Invalid(
            exc.message, code="time_limit_exceeded", details={**exc.details, "constraint": "time_limit"}
        ) from exc
    except AssemblyError as exc:
        raise Invalid(exc.message, field=exc.details.get("field"), details=exc.details) from exc
    papers = store_papers(standard, blueprint, seed, result.forms, user)
    if record_usage:
        count_usage(papers)
    return papers


def count_usage(papers: list[Paper]) -> None:
    """Add one use per paper to each of its items (assembly prefers less-used items)."""
    uses = Counter(pi.item_id for paper in papers for pi in paper.items)
    for item_id, count in uses.items():
        db.session.execute(update(Item).where(Item.id == item_id).values(usage_count=Item.usage_count + count))
    db.session.flush()


def store_papers(standard: Standard, blueprint: Blueprint, seed: int, forms, user: User | None) -> list[Paper]:
    chosen = {item_id for form in forms for item_id in form.item_ids}
    items = {item.id: item for item in db.session.scalars(select(Item).where(Item.id.in_(chosen)))}
    batch = uuid.uuid4().hex
    papers = []
    sections = [{"type": s.type, "count": s.count, "points": s.points} for s in blueprint.sections]
    for number, form in enumerate(forms, start=1):
        paper = Paper(
            standard_id=standard.id, level=blueprint.level, batch=batch, form_no=number, forms=len(forms),
            seed=seed, max_overlap=blueprint.max_overlap, sections=sections,
            difficulty_min=blueprint.difficulty[0], difficulty_max=blueprint.difficulty[1],
            total_points=form.total_points, area_points=form.area_points,
            mean_difficulty=round(form.mean_difficulty, 4),
            center_id=user.center_id if user is not None and user.role == Role.center_admin else None,
            created_by_id=user.id if user is not None else None,
        )  # fmt: skip
        for position, item_id in enumerate(form.item_ids, start=1):
            item = items[item_id]
            paper.items.append(PaperItem.snapshot_of(item, position))
        db.session.add(paper)
        papers.append(paper)
    db.session.flush()
    for p in papers:
        record("paper.assembled", p, {"batch": batch, "form": p.form_no, "seed": seed, "items": len(p.items)})
    return papers


def papers_query(user: User):
    """Papers the user may see: a center admin only their center's."""
    return scope_to_center(select(Paper), user, Paper.center_id).order_by(Paper.id.desc())


def get_paper(paper_id: int, user: User) -> Paper:
    return get_for_center(Paper, paper_id, user, "试卷不存在")


def batch_papers(paper: Paper) -> list[Paper]:
    return list(db.session.scalars(select(Paper).where(Paper.batch == paper.batch).order_by(Paper.form_no)))

"""Bank operations: import (all-or-nothing), queries, edit, retire. Only flush; the request commits."""

from __future__ import annotations

from sqlalchemy import Select, func, insert, or_, select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard

from .models import ITEM_TYPES, Item
from .validation import Problem, all_areas, check_item


def validate_items(raw_items: list, standard: Standard) -> tuple[list[dict], list[tuple[int, Problem]]]:
    """Clean items and every problem (index, Problem), including duplicate ids inside the batch."""
    clean: list[dict] = []
    problems: list[tuple[int, Problem]] = []
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items):
        item, item_problems = check_item(raw, standard)
        external_id = raw.get("external_id") if isinstance(raw, dict) else None
        key = str(external_id).strip() if external_id not in (None, "") else None
        if key is not None:
            if key in first_seen:
                item_problems = [
                    Problem("external_id", f"题号 {key} 与第 {first_seen[key] + 1} 题重复")
                ] + item_problems
            else:
                first_seen[key] = index
        for problem in item_problems:
            problems.append((index, problem))
        if item is not None and not item_problems:
            clean.append(item)
    return clean, problems


def upsert_items(standard: Standard, items: list[dict]) -> int:
    """Insert new items, update those whose external_id exists (the retired flag is kept)."""
    ids = [item["external_id"] for item in items]
    existing = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for row in db.session.scalars(select(Item).where(Item.standard_id == standard.id, Item.external_id.in_(chunk))):
            existing[row.external_id] = row
    new = []
    for data in items:
        row = existing.get(data["external_id"])
        if row is None:
            new.append({"standard_id": standard.id, "retired": False, "usage_count": 0, **data})
        else:
            for key, value in data.items():
                setattr(row, key, value)
    if new:
        db.session.execute(insert(Item), new)  # ORM bulk insert: one executemany, not one flush per row
    db.session.flush()
    return len(items)


def import_items(standard_id: str, raw_items) -> int:
    """JSON import (api-contract): 422 naming index and field of the FIRST bad item; nothing stored."""
    standard = get_standard(standard_id)
    if not isinstance(raw_items, list):
        raise Invalid("试题（items）必须是列表", field="items")
    if not raw_items:
        raise Invalid("试题列表不能为空", field="items")
    clean, problems = validate_items(raw_items, standard)
    if problems:
        index, problem = problems[0]
        raise Invalid(f"第 {index + 1} 题：{problem.message}", field=problem.field, index=index)
    return upsert_items(standard, clean)


def items_query(
    standard: Standard,
    *,
    level: str | None = None,
    area: str | None = None,
    item_type: str | None = None,
    text: str | None = None,
    include_retired: bool = False,
) -> Select:
    """Items of a bank; ``level``: items serving that level (their level at or below it)."""
    query = select(Item).where(Item.standard_id == standard.id)
    if level:
        get_level(standard, level)
        served = standard.level_ids[: standard.level_ids.index(level) + 1]
        query = query.where(Item.level.in_(served))
    if area:
        if area not in all_areas(standard):
            raise Invalid(f"知识领域「{area}」不是本标准理论知识权重表中的行", field="area")
        query = query.where(Item.area == area)
    if item_type:
        if item_type not in ITEM_TYPES:
            raise Invalid(f"未知题型「{item_type}」", field="type")
        query = query.where(Item.type == item_type)
    if text:
        pattern = f"%{text.strip()}%"
        query = query.where(or_(Item.stem.like(pattern), Item.external_id.like(pattern), Item.source.like(pattern)))
    if not include_retired:
        query = query.where(Item.retired.is_(False))
    return query.order_by(Item.external_id)


def list_items(standard_id: str, **filters) -> list[Item]:
    standard = get_standard(standard_id)
    return list(db.session.scalars(items_query(standard, **filters)))


def get_item(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None:
        raise NotFound("试题不存在")
    return item


def update_item(item: Item, data: dict) -> Item:
    """Edit one item through the same checks as an import (the external id stays)."""
    standard = get_standard(item.standard_id)
    merged = {**{k: v for k, v in item.to_dict().items() if k not in {"id", "retired", "usage_count"}}, **data}
    merged["external_id"] = item.external_id
    clean, problems = check_item(merged, standard)
    if problems:
        raise Invalid(problems[0].message, field=problems[0].field)
    for key, value in clean.items():
        setattr(item, key, value)
    db.session.flush()
    return item


def set_retired(item: Item, retired: bool) -> Item:
    item.retired = retired
    db.session.flush()
    return item


def bank_summary(standard: Standard) -> dict[str, dict[str, int]]:
    """Active items per level × area (counts), for the bank page."""
    rows = db.session.execute(
        select(Item.level, Item.area, func.count())
        .where(Item.standard_id == standard.id, Item.retired.is_(False))
        .group_by(Item.level, Item.area)
    )
    summary: dict[str, dict[str, int]] = {}
    for level, area, count in rows:
        summary.setdefault(level, {})[area] = count
    return summary

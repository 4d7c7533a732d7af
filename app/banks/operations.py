"""Bank operations: import (all-or-nothing), queries, edit, retire. Only flush; the request commits.

Ownership: a platform admin writes the platform's bank (``center_id`` NULL); a center admin writes only
its own center's items and reads (and assembles from) the platform's items and its own. Another
center's items do not exist for it (404)."""

from __future__ import annotations

from sqlalchemy import Select, func, insert, or_, select

from app.audit.operations import listed, record
from app.auth.models import Role, User
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.standards.registry import get_level, get_standard
from app.standards.schema import Standard

from .models import ITEM_TYPES, Item
from .validation import Problem, all_areas, check_item

BANK = "bank_items"  # the audit subject of an import (many items)


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


def owner_of(user: User | None) -> int | None:
    """The bank a user writes: a center admin its center's items, anyone else (admin, CLI) the platform's."""
    if user is not None and user.role == Role.center_admin:
        return user.center_id
    return None


def _not_owned_by(center_id: int | None):
    """SQL's NULL != x is not true: the platform's items (NULL) are named explicitly."""
    if center_id is None:
        return Item.center_id.is_not(None)
    return or_(Item.center_id.is_(None), Item.center_id != center_id)


def readable_by(user: User | None):
    """The items a user may read and assemble from (a WHERE clause), or None for everything (admin, CLI)."""
    if user is not None and user.role == Role.center_admin:
        return or_(Item.center_id.is_(None), Item.center_id == user.center_id)
    return None


def can_write(item: Item, user: User | None) -> bool:
    return (user is not None and user.role == Role.admin) or item.center_id == owner_of(user)


def check_writable(item: Item, user: User | None) -> None:
    if can_write(item, user):
        return
    if item.center_id is None:
        raise Forbidden("平台题库的试题只能由平台管理员修改；可导入本机构自己的试题")
    raise NotFound("试题不存在")


def foreign_ids(standard: Standard, external_ids: list[str], owner: int | None) -> set[str]:
    """Those of ``external_ids`` held in this standard by another owner than ``owner``."""
    found: set[str] = set()
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start : start + 500]
        query = select(Item.external_id).where(
            Item.standard_id == standard.id, Item.external_id.in_(chunk), _not_owned_by(owner)
        )
        found.update(db.session.scalars(query))
    return found


def upsert_items(standard: Standard, items: list[dict], owner: int | None = None, user: User | None = None) -> int:
    """Insert new items into ``owner``'s bank (None: the platform's), update those whose external_id
    exists (the retired flag is kept). A center admin naming another owner's item is refused (422, nothing
    stored): external_id is unique per standard, and only the owner (or a platform admin) writes an item."""
    ids = [item["external_id"] for item in items]
    if user is None or user.role != Role.admin:
        taken = foreign_ids(standard, ids, owner)
        if taken:
            index = next(k for k, external_id in enumerate(ids) if external_id in taken)
            raise Invalid(
                f"第 {index + 1} 题：题号 {ids[index]} 已属于{'平台题库' if owner is not None else '某机构的题库'}，"
                "不能覆盖（请换用本机构自己的题号）",
                field="external_id",
                index=index,
                details={"external_ids": sorted(taken)[:20]},
            )
    existing = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        query = select(Item).where(Item.standard_id == standard.id, Item.external_id.in_(chunk))
        for row in db.session.scalars(query):
            existing[row.external_id] = row
    new, changed = [], {}
    for data in items:
        row = existing.get(data["external_id"])
        if row is None:
            new.append({"standard_id": standard.id, "center_id": owner, "retired": False, "usage_count": 0, **data})
        else:
            changed[row.external_id] = changes_of(row, data)
            for key, value in data.items():
                setattr(row, key, value)
    if new:
        db.session.execute(insert(Item), new)  # ORM bulk insert: one executemany, not one flush per row
    record("bank.items_imported", None, import_details(standard, new, changed), subject_type=BANK, center_id=owner)
    db.session.flush()
    return len(items)


def _cut(value):
    return value[:500] if isinstance(value, str) else value


def changes_of(item: Item, data: dict) -> dict[str, list]:
    """{field: [old, new]} for the fields ``data`` changes (texts cut to 500 characters); a changed
    answer key shows as ``answer``."""
    return {k: [_cut(getattr(item, k)), _cut(v)] for k, v in data.items() if getattr(item, k) != v}


def import_details(standard: Standard, new: list[dict], changed: dict[str, dict]) -> dict:
    """One import's audit details: counts, and which external ids were created, changed, re-keyed."""
    updated = [external_id for external_id, fields in changed.items() if fields]
    return {
        "standard": standard.id,
        "created": len(new),
        "updated": len(updated),
        "unchanged": len(changed) - len(updated),
        "created_ids": listed(row["external_id"] for row in new),
        "updated_ids": listed(updated),
        "answer_key_changed": listed(external_id for external_id in updated if "answer" in changed[external_id]),
    }


def import_items(standard_id: str, raw_items, user: User | None = None) -> int:
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
    return upsert_items(standard, clean, owner_of(user), user)


def items_query(
    standard: Standard,
    *,
    level: str | None = None,
    area: str | None = None,
    item_type: str | None = None,
    text: str | None = None,
    include_retired: bool = False,
    user: User | None = None,
) -> Select:
    """Items of a bank that ``user`` may read; ``level``: items serving that level (their level at or below it)."""
    query = select(Item).where(Item.standard_id == standard.id)
    visible = readable_by(user)
    if visible is not None:
        query = query.where(visible)
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


def list_items(standard_id: str, **filters) -> list[Item]:  # filters include user=
    standard = get_standard(standard_id)
    return list(db.session.scalars(items_query(standard, **filters)))


def get_item(item_id: int, user: User | None = None) -> Item:
    """One item ``user`` may read (another center's item: 404)."""
    item = db.session.get(Item, item_id)
    visible = user is None or user.role != Role.center_admin or item is None or item.center_id in (None, user.center_id)
    if item is None or not visible:
        raise NotFound("试题不存在")
    return item


class InvalidItem(Invalid):
    """422 naming the first problem (the API's body); ``problems`` holds them all for the edit page."""

    def __init__(self, problems: list) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = list(problems)


def update_item(item: Item, data: dict, user: User | None = None) -> Item:
    """Edit one item through the same checks as an import (the external id stays)."""
    check_writable(item, user)
    standard = get_standard(item.standard_id)
    merged = {**{k: v for k, v in item.to_dict().items() if k not in {"id", "retired", "usage_count"}}, **data}
    merged["external_id"] = item.external_id
    clean, problems = check_item(merged, standard)
    if problems:
        raise InvalidItem(problems)
    changes = changes_of(item, clean)
    for key, value in clean.items():
        setattr(item, key, value)
    if changes:
        record("bank.item_edited", item, {"external_id": item.external_id, "changes": changes})
    db.session.flush()
    return item


def set_retired(item: Item, retired: bool, user: User | None = None) -> Item:
    check_writable(item, user)
    if item.retired != retired:
        record("bank.item_retired" if retired else "bank.item_restored", item, {"external_id": item.external_id})
    item.retired = retired
    db.session.flush()
    return item


def bank_summary(standard: Standard, user: User | None = None) -> dict[str, dict[str, int]]:
    """Active items per level × area (counts) that ``user`` may use, for the bank page."""
    query = select(Item.level, Item.area, func.count()).where(Item.standard_id == standard.id, Item.retired.is_(False))
    visible = readable_by(user)
    if visible is not None:
        query = query.where(visible)
    rows = db.session.execute(query.group_by(Item.level, Item.area))
    summary: dict[str, dict[str, int]] = {}
    for level, area, count in rows:
        summary.setdefault(level, {})[area] = count
    return summary

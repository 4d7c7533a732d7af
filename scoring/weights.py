"""Weight tables derived from a standard's own structure.

590008 社区治理 prints no 权重表, yet a paper needs points per 工作领域. The platform's documented
derivation: weight each area in proportion to the number of its 职业技能要求 at that level, and
round to integers that add up to exactly 100 by the largest-remainder (Hamilton) method, ties
going to the area printed earlier. Integer arithmetic only, so the result never depends on
floating-point rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TOTAL = 100


def derive_weights(counts: Mapping[str, int], total: int = TOTAL) -> dict[str, int]:
    """Split ``total`` over the keys of ``counts`` in proportion to the counts.

    Every key first gets the floor of its exact quota ``count * total / sum``; the points still
    missing go one each to the keys with the largest remainders; equal remainders go to the key
    that comes first in ``counts`` (the order the standard prints its areas). The result keeps
    the order of ``counts`` and sums to ``total``.
    """
    if not counts:
        raise ValueError("counts: at least one area is needed")
    for name, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise ValueError(f"counts[{name!r}]: must be a positive integer, got {count!r}")
    grand = sum(counts.values())
    names = list(counts)
    floors = {name: counts[name] * total // grand for name in names}
    remainders = {name: counts[name] * total % grand for name in names}
    missing = total - sum(floors.values())
    by_remainder = sorted(range(len(names)), key=lambda i: (-remainders[names[i]], i))
    for i in by_remainder[:missing]:
        floors[names[i]] += 1
    return floors


def count_skills(functions: Iterable[Any]) -> dict[str, int]:
    """职业技能要求 per 工作领域 (职业功能) of one level, in printed order.

    ``functions`` is one level's list from ``Standard.work_requirements`` (objects with ``name``
    and ``contents[].skills``); duck-typed so that this module stays free of the app package.
    """
    counts: dict[str, int] = {}
    for function in functions:
        counts[function.name] = sum(len(content.skills) for content in function.contents)
    return counts


def derive_level_weights(work_requirements: Mapping[str, Iterable[Any]]) -> dict[str, dict[str, int]]:
    """The derived weight table of every level of a standard's ``work_requirements``."""
    return {level: derive_weights(count_skills(functions)) for level, functions in work_requirements.items()}

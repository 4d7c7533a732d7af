"""The rule vocabulary's frame: each KIND of rule is one :class:`Kind`, a (validate, apply) pair
registered in :data:`KINDS` — ``validate(spec, path)`` checks the clause data when the standards
load, ``apply(spec, profile, ctx)`` judges a profile at ``ctx.as_of``. The kinds themselves live
in ``holdings`` (age, certificate, title, education, training) and ``work``; the two combinators
``all_of``/``any_of`` are here, beside :func:`validate_rule` and :func:`apply_rule`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .profile import Profile


class RuleError(Exception):
    """A machine-readable clause rule that does not fit the vocabulary; ``path`` locates it."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Context:
    """What a standard says around its clauses, plus the evaluation date."""

    occupation: str
    related_occupations: tuple[str, ...]
    related_majors: tuple[dict, ...]
    training_hours: dict
    as_of: date

    def occupations(self, which: str) -> set[str]:
        if which == "own":
            return {self.occupation}
        return {self.occupation, *self.related_occupations}

    @staticmethod
    def occupation_label(which: str) -> str:
        return "本职业" if which == "own" else "本职业或相关职业"


@dataclass(frozen=True)
class Outcome:
    met: bool
    reason: str
    earliest: date | None  # first date ≥ as_of on which the rule holds, if nothing but time changes
    until: date | None = None  # the last day it holds, if time ends it (a 见习期); None: for good


def never(reason: str) -> Outcome:
    return Outcome(False, reason, None)


def from_date(when: date, ctx: Context, met_reason: str, unmet_reason: str) -> Outcome:
    """Met from ``when`` on: now if ``when`` ≤ as_of, else first on ``when``."""
    if when <= ctx.as_of:
        return Outcome(True, met_reason, ctx.as_of)
    return Outcome(False, unmet_reason, when)


@dataclass(frozen=True)
class Kind:
    """One kind of rule: its spec's validation at load and its application to a profile."""

    validate: Callable[[object, str], None]
    apply: Callable[[dict, Profile, Context], Outcome]


KINDS: dict[str, Kind] = {}


def register(name: str, validate: Callable[[object, str], None], apply: Callable) -> None:
    KINDS[name] = Kind(validate, apply)


# ---------------------------------------------------------------- checks shared by the kinds


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and not key.startswith("[") else f"{path}{key}"


def check_keys(spec: object, path: str, required: set[str], optional: set[str]) -> dict:
    if not isinstance(spec, dict):
        raise RuleError("expected a mapping", path)
    missing = required - set(spec)
    if missing:
        raise RuleError(f"missing {sorted(missing)}", path)
    unknown = set(spec) - required - optional
    if unknown:
        raise RuleError(f"unknown keys {sorted(unknown)}", path)
    return spec


def check_choice(value: object, choices: tuple[str, ...], path: str) -> None:
    if value not in choices:
        raise RuleError(f"{value!r} is not one of {list(choices)}", path)


def check_duration(spec: object, path: str) -> None:
    spec = check_keys(spec, path, set(), {"years", "months"})
    if len(spec) != 1:
        raise RuleError("give exactly one of years, months", path)
    value = next(iter(spec.values()))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuleError("a duration is a positive integer", path)


def check_list(value: object, choices: tuple[str, ...], path: str) -> None:
    if not isinstance(value, list) or not value:
        raise RuleError("expected a non-empty list", path)
    for i, item in enumerate(value):
        check_choice(item, choices, f"{path}[{i}]")


def check_flag(spec: dict, key: str, path: str) -> None:
    if not isinstance(spec[key], bool):
        raise RuleError(f"{key} is true or false", join(path, key))


def check_true(spec: dict, key: str, path: str) -> None:
    """An optional key that, when given, is true (``assessed``, ``equivalent``)."""
    if key in spec and spec[key] is not True:
        raise RuleError(f"{key}, when given, is true", join(path, key))


# ---------------------------------------------------------------- any rule


def validate_rule(rule: dict, path: str = "") -> None:
    """Raise :class:`RuleError` (with the path inside the rule) unless ``rule`` fits the vocabulary."""
    if not isinstance(rule, dict):
        raise RuleError("a rule must be a mapping", path)
    if len(rule) != 1:
        raise RuleError(f"a rule has exactly one key, got {sorted(rule)}", path)
    name, spec = next(iter(rule.items()))
    here = join(path, name)
    kind = KINDS.get(name)
    if kind is None:
        raise RuleError(f"unknown rule {name!r}", here)
    kind.validate(spec, here)


def apply_rule(rule: dict, profile: Profile, ctx: Context) -> Outcome:
    """One rule against the profile. Every rule is monotone in time (once met, met later) up to its
    ``until`` (only a 见习期 ends), which is what lets all_of take the latest and any_of the
    earliest date of its parts."""
    name, spec = next(iter(rule.items()))
    return KINDS[name].apply(spec, profile, ctx)


# ---------------------------------------------------------------- all_of / any_of


def _validate_combination(spec: object, path: str) -> None:
    if not isinstance(spec, list) or len(spec) < 2:
        raise RuleError("expected a list of at least two rules", path)
    for i, sub in enumerate(spec):
        validate_rule(sub, f"{path}[{i}]")


def _all_of(spec: list, profile: Profile, ctx: Context) -> Outcome:
    """Every sub-rule holds; from the latest of their dates (never if one never holds)."""
    subs = [apply_rule(sub, profile, ctx) for sub in spec]
    met = all(o.met for o in subs)
    dates = [o.earliest for o in subs]
    earliest = None if any(d is None for d in dates) else max(dates)
    ends = [o.until for o in subs if o.until is not None]
    until = min(ends) if ends else None
    if earliest is not None and until is not None and earliest > until:
        earliest = None  # one part ends before another begins: they never hold together
    return Outcome(met, "；".join(o.reason for o in subs), ctx.as_of if met else earliest, until)


def _any_of(spec: list, profile: Profile, ctx: Context) -> Outcome:
    """At least one sub-rule holds; from the earliest of their dates."""
    subs = [apply_rule(sub, profile, ctx) for sub in spec]
    met = any(o.met for o in subs)
    dates = [o.earliest for o in subs if o.earliest is not None]
    earliest = min(dates) if dates else None
    holding = [o for o in subs if o.met] or [o for o in subs if o.earliest == earliest]
    until = None if any(o.until is None for o in holding) else max(o.until for o in holding)
    return Outcome(met, "；".join(o.reason for o in subs), ctx.as_of if met else earliest, until)


register("all_of", _validate_combination, _all_of)
register("any_of", _validate_combination, _any_of)

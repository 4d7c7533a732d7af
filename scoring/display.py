"""Scores as pages show them: two decimals, cut toward zero, never rounded up (issue 27 item 11).

The pass rule compares the stored, unrounded score (1.9.2: 成绩皆达60分（含）以上为合格; 59.99 fails),
so a display that rounded would contradict it: 59.995 rounded is "60.00" beside 不合格. Cutting
(``ROUND_DOWN``) keeps every shown figure on the side of the boundary the stored value is on:
59.995 shows 59.99, 77.3333 shows 77.33, 60 shows 60.00. Stored values are never rounded.

The decimal is read from the float's shortest text (``repr``), not its binary expansion, so 0.29
(stored as 0.28999999999999998) shows 0.29 and not 0.28.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

CENT = Decimal("0.01")


def cut(value: float | int | str | Decimal) -> Decimal:
    """``value`` cut to two decimals toward zero (59.995 → 59.99)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value))
    return number.quantize(CENT, rounding=ROUND_DOWN)


def score_text(value, empty: str = "—") -> str:
    """A score for reading: always two decimals ("77.33", "60.00", "59.99"); ``empty`` for None."""
    if value is None or isinstance(value, bool):
        return empty
    try:
        return f"{cut(value):.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def points_text(value, empty: str = "—") -> str:
    """Points as entered, at most two decimals, without trailing zeros ("12.5", "15", "59.99")."""
    text = score_text(value, empty)
    if text == empty or "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def percent_text(rate, empty: str = "—", trim: bool = False) -> str:
    """A rate (0–1) as a percentage, two decimals cut toward zero (0.84615 → "84.61%", never rounded up;
    the texts give no other precision: T/SSOF 0001-2024 §7 names 满意度测评 without one). ``trim``:
    without trailing zeros, for a configured figure such as a target (0.85 → "85%")."""
    if rate is None or isinstance(rate, bool):
        return empty
    try:
        number = rate if isinstance(rate, Decimal) else Decimal(repr(rate) if isinstance(rate, float) else str(rate))
        text = f"{cut(number * 100):.2f}"
    except (InvalidOperation, ValueError):
        return str(rate)
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def signed_score_text(value, empty: str = "—") -> str:
    """A difference of scores with its sign (a rater's severity: "+1.23", "-0.50", "0.00"), cut toward zero."""
    text = score_text(value, empty)
    if text == "-0.00":
        return "0.00"
    return f"+{text}" if text not in (empty, "0.00") and not text.startswith("-") else text


def score_number(value) -> float | None:
    """The shown score as a number, for a spreadsheet cell formatted ``0.00`` (59.995 → 59.99)."""
    if value is None or isinstance(value, bool):
        return None
    return float(cut(value))


def rate_number(rate) -> float | None:
    """The shown rate as a fraction, for a cell formatted ``0.00%`` (0.846153… → 0.8461)."""
    if rate is None or isinstance(rate, bool):
        return None
    number = rate if isinstance(rate, Decimal) else Decimal(repr(rate) if isinstance(rate, float) else str(rate))
    return float(cut(number * 100) / 100)


SCORE_FORMAT = "0.00"
RATE_FORMAT = "0.00%"

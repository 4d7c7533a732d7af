"""Pearson's r as the platform's statistics use it (rater consistency, item discrimination): pure numpy."""

from __future__ import annotations

import math

import numpy as np

ZERO_VARIANCE = 1e-12  # a sum of squared deviations at or below this counts as no variance


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson r, None for fewer than 2 pairs or when either side has no variance."""
    if len(x) < 2:
        return None
    dx = x - x.mean()
    dy = y - y.mean()
    sxx = float(dx @ dx)
    syy = float(dy @ dy)
    if sxx <= ZERO_VARIANCE or syy <= ZERO_VARIANCE:
        return None
    return float(np.clip((dx @ dy) / math.sqrt(sxx * syy), -1.0, 1.0))

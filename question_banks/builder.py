"""The item builder of the seed-bank generator: items in the bank's JSON shape, distractors verified
false, difficulty priors by item kind (see generate.py for what the generator does and why)."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field

from app.standards.schema import Standard

LETTERS = "ABCDEFGH"

PRIORS = {
    "judge": 0.75,
    "to_content": 0.62,
    "to_function": 0.70,
    "reverse": 0.60,
    "level": 0.50,
    "number": 0.55,
    "multiple": 0.48,
}


def norm(text: str) -> str:
    return re.sub(r"[\s。；;，,、]", "", text)


def digest(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)


@dataclass
class Builder:
    standard: Standard
    items: list[dict] = field(default_factory=list)

    @property
    def doc(self) -> str:
        return f"《{self.standard.name}{self.standard.kind}》"

    def _difficulty(self, key: str, kind: str) -> float:
        jitter = (digest(key + "#d") % 81 - 40) / 1000
        return round(min(0.95, max(0.05, PRIORS[kind] + jitter)), 2)

    def _base(self, key, area, level, source, group, prior):
        return {
            "external_id": f"{self.standard.bank_prefix}-{key}",
            "area": area,
            "level": level,
            "source": source,
            "enemy_group": f"{self.standard.bank_prefix}-{group}" if group else None,
            "difficulty": self._difficulty(key, prior),
        }

    def judge(self, key, stem, truth: bool, *, area, level, source, group):
        self.items.append(
            {
                **self._base(key, area, level, source, group, "judge"),
                "type": "judge",
                "stem": stem,
                "options": [],
                "answer": bool(truth),
                "points": 1,
            }  # fmt: skip
        )

    def single(self, key, stem, correct, distractors, *, area, level, source, group, prior, truths=()):
        """One correct option and up to three distractors, each verified false."""
        pool = check_false(correct, distractors, truths or [correct])
        if not pool:
            return
        rng = random.Random(digest(key))
        chosen = rng.sample(pool, min(3, len(pool)))
        options = [correct] + chosen
        rng.shuffle(options)
        self.items.append(
            {
                **self._base(key, area, level, source, group, prior),
                "type": "single",
                "stem": stem,
                "options": options,
                "answer": LETTERS[options.index(correct)],
                "points": 1,
            }  # fmt: skip
        )

    def multiple(self, key, stem, corrects, distractors, *, area, level, source, group, truths, n_false=2):
        """Two to four correct options plus distractors verified not to be among ``truths``."""
        corrects = list(dict.fromkeys(corrects))
        if len(corrects) < 2:
            return
        pool = check_false(corrects[0], distractors, truths)
        if not pool:
            return
        rng = random.Random(digest(key))
        options = corrects[:4] + rng.sample(pool, min(n_false, len(pool)))
        rng.shuffle(options)
        answer = sorted(LETTERS[options.index(c)] for c in corrects[:4])
        self.items.append(
            {
                **self._base(key, area, level, source, group, "multiple"),
                "type": "multiple",
                "stem": stem,
                "options": options,
                "answer": answer,
                "points": 2,
            }  # fmt: skip
        )


def check_false(correct, distractors, truths) -> list:
    """Distractors that are certainly false: not a true answer, not equal to one after
    normalising punctuation and spaces, no duplicates. Sorted for determinism."""
    true_norm = {norm(str(t)) for t in truths} | {norm(str(correct))}
    seen = set()
    out = []
    for d in distractors:
        key = norm(str(d))
        if key in true_norm or key in seen or not key:
            continue
        seen.add(key)
        out.append(d)
    return sorted(out, key=str)


def rotate(values: list, key: str) -> list:
    k = digest(key) % len(values)
    return values[k:] + values[:k]


def numbers(true: int, key: str, spread: list[int]) -> list[int]:
    """Plausible wrong numbers: the true value moved by each of ``spread``, positive, ≠ true."""
    return sorted({true + d for d in spread if true + d > 0 and true + d != true})

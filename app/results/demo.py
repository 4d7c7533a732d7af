"""Demo step of the results domain: the demo center's certificate settings, the candidates' 证件
(居民身份证 numbers with their GB 11643 check digits) and photos, and real published results for
the published demo session, published through ``operations.publish`` (frozen results, certificates
for the passers). Runs after the practical step, which scores and finalizes that session's sheets
and leaves it in 评分中."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw

from app import timeutil
from app.auth.models import User
from app.eligibility.identity import save_identity as save_id
from app.eligibility.identity import store_photo
from app.sessions.demo import DEMO_PLANS
from app.sessions.models import SessionStatus
from scoring.certificates import resident_id_check_char

from . import certificates as cert_ops
from . import operations as ops

# 常州市 (the seeds' 常州 documents): a 社会培训评价组织 filed with 江苏省 (32), serial 000123.
DEMO_SETTINGS = {"kind": "S", "org_code": "0000", "province": "32", "org_serial": "000123", "platform_code": "CZPJ01"}
ADDRESS = "320402"  # 常州市天宁区 (GB/T 2260)


def demo_resident_id(number: int, birth_year: int) -> str:
    first17 = f"{ADDRESS}{birth_year}{1 + number % 12:02d}{1 + number % 28:02d}{100 + number:03d}"
    return first17 + resident_id_check_char(first17)


def demo_photo(seed: str) -> io.BytesIO:
    """A plain ID-style picture (a head-and-shoulders silhouette on a light background), 300×400."""
    rng = random.Random(seed)
    image = Image.new("RGB", (300, 400), (214 + rng.randrange(30), 228, 246))
    draw = ImageDraw.Draw(image)
    tone = (70 + rng.randrange(60), 80 + rng.randrange(50), 110 + rng.randrange(40))
    draw.ellipse((95, 70, 205, 200), fill=(232, 200, 170))
    draw.pieslice((95, 60, 205, 170), 180, 360, fill=(40, 35, 30))
    draw.rounded_rectangle((45, 220, 255, 430), radius=80, fill=tone)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def demo_results(users: dict[str, User]) -> None:
    admin = users["center_admin"]
    cert_ops.save_settings(admin.center, DEMO_SETTINGS)
    candidates = sorted(u for u in users if u.startswith("cand"))
    for number, username in enumerate(candidates, start=1):
        save_id(users[username], "居民身份证", demo_resident_id(number, 1980 + number))
        store_photo(users[username], demo_photo(username))
    for session, target in DEMO_PLANS:
        if target == SessionStatus.published:
            # The practical step has scored and finalized every sheet; published two days after the exam.
            published_at = min(timeutil.utcnow(), session.theory_end + timedelta(days=2))
            ops.publish(session, admin, published_at)

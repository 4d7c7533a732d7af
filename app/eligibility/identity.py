"""The candidate's identity as a certificate prints it (人社鉴发〔2021〕1号: 姓名, 证件类型, 证件号码 and
the holder's photo): the 证件 on the profile and a photo upload.

A 居民身份证 number is checked with its GB 11643-1999 check digit (``scoring.certificates``); a
photo is accepted only if Pillow decodes it as a JPEG or PNG picture, and is stored re-encoded as a
JPEG (no metadata, at most 1000 px on its long side) under UPLOAD_FOLDER/photos by a random name.
A replaced photo's file stays: a certificate issued with it still shows it.
"""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from app import timeutil
from app.auth.models import User
from app.errors import Invalid, NotFound
from app.extensions import db
from app.uploads import TooManyPixels, opened_image, stage_file
from scoring.certificates import normalize_resident_id, resident_id_error

from .models import ID_TYPES, RESIDENT_ID, CandidateProfile  # noqa: F401  (ID_TYPES: re-exported)

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1000


@dataclass(frozen=True)
class Identity:
    name: str
    id_type: str
    id_number: str
    photo: str | None  # stored name


def _profile(user_id: int, create: bool = False) -> CandidateProfile | None:
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user_id))
    if profile is None and create:
        profile = CandidateProfile(user_id=user_id, data={})
        db.session.add(profile)
    return profile


def identity_of(user: User) -> Identity:
    profile = _profile(user.id)
    if profile is None:
        return Identity(user.display_name, "", "", None)
    return Identity(user.display_name, profile.id_type or "", profile.id_number or "", profile.photo)


def check_id(id_type: str, id_number: str) -> tuple[str, str]:
    """(type, canonical number), or 422 naming the field by its label."""
    id_type = (id_type or "").strip()
    number = (id_number or "").strip()
    if id_type not in ID_TYPES:
        raise Invalid(f"证件类型：须为{'、'.join(ID_TYPES)}之一", field="id_type")
    if id_type == RESIDENT_ID:
        number = normalize_resident_id(number)
        # GB 11643-1999: 18 characters, the last its ISO 7064 MOD 11-2 check character.
        error = resident_id_error(number, timeutil.beijing_today())
        if error:
            raise Invalid(f"证件号码：{error}", field="id_number")
    elif not (4 <= len(number) <= 30) or not number.isascii() or not number.replace("-", "").isalnum():
        raise Invalid("证件号码：须为4至30位字母或数字", field="id_number")
    return id_type, number.upper()


def save_identity(user: User, id_type: str, id_number: str) -> CandidateProfile:
    kind, number = check_id(id_type, id_number)
    profile = _profile(user.id, create=True)
    profile.id_type, profile.id_number = kind, number
    db.session.flush()
    return profile


def photos_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "photos")


def decode_photo(content: bytes) -> bytes:
    """The picture re-encoded as JPEG, or 422: only what Pillow decodes as a JPEG or PNG image."""
    try:
        with opened_image(content) as probe:
            kind = probe.format
            probe.verify()  # structure and checksums
        with opened_image(content) as image:
            image.load()  # the pixels themselves
            picture = image.convert("RGB")
    except TooManyPixels as exc:
        raise Invalid(f"照片：图片像素过多（{exc}），请缩小后再上传", field="photo") from None
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid("照片：无法识别为图片（只接受 JPEG 或 PNG）", field="photo") from None
    if kind not in {"JPEG", "PNG"}:
        raise Invalid("照片：只接受 JPEG 或 PNG 图片", field="photo")
    if min(picture.size) < 100:
        raise Invalid("照片：图片太小（宽、高都须至少 100 像素）", field="photo")
    picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


def store_photo(user: User, stream: BinaryIO) -> CandidateProfile:
    content = stream.read(PHOTO_MAX_BYTES + 1)
    if not content:
        raise Invalid("照片：文件为空", field="photo")
    if len(content) > PHOTO_MAX_BYTES:
        raise Invalid(f"照片：文件超过 {PHOTO_MAX_BYTES // (1024 * 1024)} MB", field="photo")
    jpeg = decode_photo(content)
    name = f"{secrets.token_hex(16)}.jpg"
    profile = _profile(user.id, create=True)
    profile.photo = name
    db.session.flush()
    stage_file(photos_dir(), name, jpeg)
    return profile


def photo_path(stored_name: str | None) -> str:
    if not stored_name:
        raise NotFound("照片不存在")
    path = os.path.join(photos_dir(), os.path.basename(stored_name))
    if not os.path.exists(path):
        raise NotFound("照片不存在")
    return path

"""A bank as an IMS QTI 2.1 content package (api-contract v1.2, Banks in QTI).

One ``assessmentItem`` per item with one ``choiceInteraction``: ``single`` with ``maxChoices="1"``,
``multiple`` with cardinality ``multiple``, ``judge`` as the two choices 正确/错误. The choices'
identifiers are the answer letters (A, B, …; ``true``/``false`` for a judge item), the stem is the
prompt (a line break is ``<br/>``). The platform's own fields (external id, type, area, level, points,
difficulty, enemy group, source) go into the resource's metadata in the manifest, in the namespace
``BANK``, so that importing the package gives back exactly the items exported; the points also go into
the item as ``MAXSCORE`` for other tools.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from app.auth.models import User
from app.extensions import db
from app.standards.registry import get_standard

from . import operations as ops
from .models import Item
from .qti_package import BANK, CP, LOM, MANIFEST, QTI21, XSI

QTI_SCHEMA_LOCATION = f"{QTI21} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
JUDGE_CHOICES = (("true", "正确"), ("false", "错误"))
TOOL_NAME = "技能等级认定平台"
TOOL_VERSION = "1.2"
_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")  # xs:NCName, near enough: a letter or _ first, no ':'
# XML 1.0 cannot carry these characters at all; they are dropped from texts (none of the texts' own)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def item_identifier(external_id: str, taken: set[str]) -> str:
    """An identifier QTI accepts (an NCName), the external id itself where it is one; unique in the package."""
    base = external_id if _NCNAME.match(external_id) else "item_" + re.sub(r"[^\w.\-]", "_", external_id)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


def _prompt(parent, stem: str) -> None:
    prompt = etree.SubElement(parent, _q(QTI21, "prompt"))
    lines = _text(stem).split("\n")
    prompt.text = lines[0]
    for line in lines[1:]:
        br = etree.SubElement(prompt, _q(QTI21, "br"))
        br.tail = line


def item_xml(item: dict, identifier: str) -> bytes:
    """The assessmentItem of one bank item (its ``to_dict()``)."""
    root = etree.Element(_q(QTI21, "assessmentItem"), nsmap={None: QTI21, "xsi": XSI})
    root.set(_q(XSI, "schemaLocation"), QTI_SCHEMA_LOCATION)
    for name, value in (("identifier", identifier), ("title", _text(item["external_id"])), ("adaptive", "false"),
                        ("timeDependent", "false"), ("toolName", TOOL_NAME), ("toolVersion", TOOL_VERSION)):  # fmt: skip
        root.set(name, value)
    kind = item["type"]
    if kind == "judge":
        choices = list(JUDGE_CHOICES)
        correct = ["true" if item["answer"] is True else "false"]
    else:
        choices = [(chr(ord("A") + k), text) for k, text in enumerate(item["options"])]
        correct = [item["answer"]] if kind == "single" else list(item["answer"])
    response = etree.SubElement(
        root,
        _q(QTI21, "responseDeclaration"),
        identifier="RESPONSE",
        cardinality="multiple" if kind == "multiple" else "single",
        baseType="identifier",
    )
    values = etree.SubElement(response, _q(QTI21, "correctResponse"))
    for value in correct:
        etree.SubElement(values, _q(QTI21, "value")).text = value
    points = str(item["points"])
    score = etree.SubElement(
        root, _q(QTI21, "outcomeDeclaration"), identifier="SCORE", cardinality="single", baseType="float"
    )
    score.set("normalMaximum", points)
    etree.SubElement(etree.SubElement(score, _q(QTI21, "defaultValue")), _q(QTI21, "value")).text = "0"
    maximum = etree.SubElement(
        root, _q(QTI21, "outcomeDeclaration"), identifier="MAXSCORE", cardinality="single", baseType="float"
    )
    etree.SubElement(etree.SubElement(maximum, _q(QTI21, "defaultValue")), _q(QTI21, "value")).text = points
    body = etree.SubElement(root, _q(QTI21, "itemBody"))
    interaction = etree.SubElement(
        body,
        _q(QTI21, "choiceInteraction"),
        responseIdentifier="RESPONSE",
        shuffle="false",  # the platform shuffles per candidate itself
        maxChoices=str(len(choices)) if kind == "multiple" else "1",
    )
    _prompt(interaction, item["stem"])
    for choice_id, text in choices:
        etree.SubElement(interaction, _q(QTI21, "simpleChoice"), identifier=choice_id).text = _text(text)
    etree.SubElement(root, _q(QTI21, "responseProcessing"), template=MATCH_CORRECT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _bank_metadata(parent, item: dict, standard_id: str) -> None:
    """The platform's fields, each an element of ``BANK`` (absent: no enemy group / no source)."""
    block = etree.SubElement(parent, _q(BANK, "item"), standard=standard_id)
    fields = (("externalId", item["external_id"]), ("type", item["type"]), ("area", item["area"]),
              ("level", item["level"]), ("points", str(item["points"])), ("difficulty", repr(float(item["difficulty"]))),
              ("enemyGroup", item.get("enemy_group")), ("source", item.get("source") or None))  # fmt: skip
    for name, value in fields:
        if value is not None:
            etree.SubElement(block, _q(BANK, name)).text = _text(str(value))


def manifest_xml(standard_id: str, entries: list[tuple[str, str, dict]]) -> bytes:
    """The imsmanifest.xml: one resource of type imsqti_item_xmlv2p1 per (resource id, href, item)."""
    root = etree.Element(_q(CP, "manifest"), nsmap={None: CP, "imsmd": LOM, "imsqti": QTI21, "bank": BANK, "xsi": XSI})
    root.set("identifier", "MANIFEST-" + re.sub(r"[^\w.\-]", "_", standard_id))
    metadata = etree.SubElement(root, _q(CP, "metadata"))
    etree.SubElement(metadata, _q(CP, "schema")).text = "QTIv2.1 Package"
    etree.SubElement(metadata, _q(CP, "schemaversion")).text = "1.0.0"
    etree.SubElement(root, _q(CP, "organizations"))
    resources = etree.SubElement(root, _q(CP, "resources"))
    for resource_id, href, item in entries:
        resource = etree.SubElement(
            resources, _q(CP, "resource"), identifier=resource_id, type="imsqti_item_xmlv2p1", href=href
        )
        meta = etree.SubElement(resource, _q(CP, "metadata"))
        lom = etree.SubElement(etree.SubElement(meta, _q(LOM, "lom")), _q(LOM, "general"))
        ident = etree.SubElement(lom, _q(LOM, "identifier"))
        etree.SubElement(ident, _q(LOM, "catalog")).text = standard_id
        etree.SubElement(ident, _q(LOM, "entry")).text = _text(item["external_id"])
        qti = etree.SubElement(meta, _q(QTI21, "qtiMetadata"))
        etree.SubElement(qti, _q(QTI21, "interactionType")).text = "choiceInteraction"
        _bank_metadata(meta, item, standard_id)
        etree.SubElement(resource, _q(CP, "file"), href=href)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package_bytes(standard_id: str, items: list[dict]) -> bytes:
    """The zip: imsmanifest.xml at its root, items/<n>.xml per item."""
    taken: set[str] = set()
    entries, files = [], []
    for n, item in enumerate(items, start=1):
        identifier = item_identifier(item["external_id"], taken)
        href = f"items/item-{n:05d}.xml"
        entries.append((f"item-{n:05d}", href, item))
        files.append((href, item_xml(item, identifier)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_xml(standard_id, entries))
        for href, data in files:
            archive.writestr(href, data)
    return out.getvalue()


def export_package(standard_id: str, *, level: str | None = None, area: str | None = None,
                   user: User | None = None) -> bytes:  # fmt: skip
    """The active items ``user`` may read (``level``: those serving it; ``area``: that row) as a package."""
    standard = get_standard(standard_id)
    query = ops.items_query(standard, level=level, area=area, user=user)
    items: list[Item] = list(db.session.scalars(query))
    return package_bytes(standard.id, [item.to_dict() for item in items])

"""Helpers of the QTI tests: the QTI 2.1 schema (tests/data/qti/xsd, resolved offline) and packages
built in memory."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

DATA = Path(__file__).parent / "data" / "qti"
XSD = DATA / "xsd"
QTIWORKS_PACKAGE = DATA / "qtiworks" / "WebDeveloperTest1.zip"
# schemaLocation (by file name) → the local copy; MathML and APIP are stubs of ours (see tests/data/qti/README.md)
SCHEMA_FILES = {
    "xml.xsd": "xml.xsd",
    "XInclude.xsd": "XInclude.xsd",
    "mathml2.xsd": "mathml_stub.xsd",
    "apipv1p0_qtiextv2p1_v1p0.xsd": "apip_stub.xsd",
}


class _OfflineSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):
        if "://" not in url:
            return None
        name = url.rsplit("/", 1)[-1]
        if name not in SCHEMA_FILES:
            raise AssertionError(f"the QTI schema imports an unexpected document: {url}")
        return self.resolve_filename(str(XSD / SCHEMA_FILES[name]), context)


@cache
def qti21_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_OfflineSchemas())
    return etree.XMLSchema(etree.parse(str(XSD / "imsqti_v2p1.xsd"), parser))


def zip_of(files: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def files_of(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest(*resources: tuple[str, str]) -> str:
    """A minimal imsmanifest.xml listing (identifier, href) item resources."""
    rows = "".join(
        f'<resource identifier="{ident}" type="imsqti_item_xmlv2p1" href="{href}"><file href="{href}"/></resource>'
        for ident, href in resources
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M1">'
        f"<organizations/><resources>{rows}</resources></manifest>"
    )


QTI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{identifier}" title="t" '
    'adaptive="false" timeDependent="false">'
)


def essay_item(identifier: str) -> str:
    return (
        QTI_HEAD.format(identifier=identifier)
        + '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string"/>'
        + '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        + '<itemBody><p>论述社团会员服务的意义。</p><extendedTextInteraction responseIdentifier="RESPONSE" '
        + 'expectedLength="400"/></itemBody></assessmentItem>'
    )


def hotspot_item(identifier: str) -> str:
    return (
        QTI_HEAD.format(identifier=identifier)
        + '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
        + "<correctResponse><value>A</value></correctResponse></responseDeclaration>"
        + '<itemBody><hotspotInteraction responseIdentifier="RESPONSE" maxChoices="1">'
        + '<object data="map.png" type="image/png">地图</object>'
        + '<hotspotChoice identifier="A" shape="circle" coords="77,115,8"/></hotspotInteraction></itemBody>'
        + "</assessmentItem>"
    )


def choice_item(identifier: str, choices: list[str], correct: list[str], cardinality: str = "single") -> str:
    simple = "".join(f'<simpleChoice identifier="C{k}">{text}</simpleChoice>' for k, text in enumerate(choices))
    values = "".join(f"<value>{v}</value>" for v in correct)
    return (
        QTI_HEAD.format(identifier=identifier)
        + f'<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="identifier">'
        + f"<correctResponse>{values}</correctResponse></responseDeclaration>"
        + '<itemBody><div><p>  社团会员管理员\n   的职责是？ </p></div><choiceInteraction responseIdentifier="RESPONSE" '
        + f'shuffle="true" maxChoices="{1 if cardinality == "single" else 0}">{simple}</choiceInteraction></itemBody>'
        + "</assessmentItem>"
    )

"""Reading an IMS content package safely: the zip (size, entry count, uncompressed size, paths) and its
XML (lxml with no DTD, no entities, no network, no huge trees). Shared by the QTI import; the export
writes only what it builds itself.

Everything a package may not do is refused with ``Invalid`` naming the field ``package`` (api-contract
v1.2, Banks in QTI: the whole package is refused, nothing imported).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from app.errors import Invalid

# Namespaces (IMS Content Packaging 1.1 as QTI 2.1 packages use it; QTI items 2.0–2.2 share the
# choiceInteraction model the platform reads).
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_ITEM_NAMESPACES = frozenset(
    {"http://www.imsglobal.org/xsd/imsqti_v2p0", QTI21, "http://www.imsglobal.org/xsd/imsqti_v2p2"}
)
LOM = "http://ltsc.ieee.org/xsd/LOM"
BANK = "urn:skill-certification-platform:bank-item:1"  # the platform's own fields (our metadata)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_RESOURCE_PREFIX = "imsqti_item_xmlv2p"  # imsqti_item_xmlv2p1 (and 2p0 / 2p2)
MANIFEST = "imsmanifest.xml"

# Bounds against zip bombs and oversized documents (the upload itself is capped by MAX_CONTENT_LENGTH).
MAX_PACKAGE_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 20000  # one file per item (the largest seed bank has 3,322 items)
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_XML_BYTES = 4 * 1024 * 1024


def refuse(message: str, **details) -> Invalid:
    return Invalid(message, field="package", details=details)


def xml_parser() -> etree.XMLParser:
    """No external entities, no DTD loading, no network, no huge trees (no XXE, no billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    """The root element of ``data``; a document with a DOCTYPE (where entities are declared) is refused."""
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise refuse(f"文件 {name} 不是合法的 XML：{exc.msg}", file=name) from None
    if root is None:
        raise refuse(f"文件 {name} 是空的 XML", file=name)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise refuse(f"文件 {name} 含 DOCTYPE 声明（可声明实体），为安全起见拒绝导入", file=name)
    return root


def _safe_name(name: str) -> bool:
    """An entry name inside the package: relative, no ``..``, no backslash or drive, no NUL."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in name.split("/")


class Package:
    """An opened content package: its entries checked, its XML files read within bounds."""

    def __init__(self, data: bytes) -> None:
        if len(data) > MAX_PACKAGE_BYTES:
            raise refuse(f"QTI 包超过 {MAX_PACKAGE_BYTES // (1024 * 1024)} MB")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError):
            raise refuse("上传的文件不是 zip 格式的 IMS 内容包（QTI 包）") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise refuse(f"QTI 包内文件过多（超过 {MAX_ENTRIES} 个）")
        total = 0
        for info in infos:
            if not _safe_name(info.filename):
                raise refuse(f"QTI 包内路径「{info.filename}」越出包目录，拒绝导入", file=info.filename)
            if info.flag_bits & 0x1:
                raise refuse(f"QTI 包内文件 {info.filename} 已加密，无法读取", file=info.filename)
            total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise refuse(f"QTI 包解压后超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB")
        self.names = {info.filename: info for info in infos if not info.is_dir()}

    def resolve(self, href: str, base: str = "") -> str | None:
        """The entry a manifest ``href`` names (relative to ``base``), or None when it leaves the package."""
        if not href or "://" in href or href.startswith("/") or "\\" in href:
            return None
        path = posixpath.normpath(posixpath.join(base, href.split("#", 1)[0]))
        if path.startswith("../") or path == ".." or path.startswith("/"):
            return None
        return path

    def read_xml(self, name: str) -> etree._Element:
        info = self.names.get(name)
        if info is None:
            raise refuse(f"QTI 包中缺少文件 {name}", file=name)
        if info.file_size > MAX_XML_BYTES:
            raise refuse(f"文件 {name} 过大（超过 {MAX_XML_BYTES // (1024 * 1024)} MB）", file=name)
        try:
            with self.zip.open(info) as stream:
                data = stream.read(MAX_XML_BYTES + 1)  # the header's size may lie: read no more than the bound
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise refuse(f"文件 {name} 无法解压", file=name) from None
        if len(data) > MAX_XML_BYTES:
            raise refuse(f"文件 {name} 过大（超过 {MAX_XML_BYTES // (1024 * 1024)} MB）", file=name)
        return parse_xml(data, name)


def local(element) -> str:
    """The local name of an element (``{ns}name`` → ``name``); comments and PIs give ''."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def namespace(element) -> str | None:
    tag = element.tag
    return etree.QName(tag).namespace if isinstance(tag, str) else None

"""Looks inside the documents citizens attach for what could hurt the staff who open them. Pure functions
over bytes and file objects; `cases.attachments` turns their findings into messages for the citizen.

Office Open XML (DOCX, XLSX) is a zip archive: an archive may declare sizes that expand a few megabytes into
gigabytes (a "zip bomb"), or lie about them; it may carry macros (vbaProject.bin, a macro-enabled content
type) or programs (an executable part, an embedded OLE package). PDF may carry active content: scripts,
launch actions, embedded files, or HTML that a browser would render if the file were ever served as a page.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

# Executable content recognised by its first bytes: Windows (MZ), ELF, Mach-O, Java class, OLE2 compound
# files (the container of embedded "Package" objects and of 97–2003 macros), shell scripts.
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROGRAM_SUFFIXES = (
    ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf",
    ".hta", ".jar", ".lnk", ".sh", ".cpl",
)  # fmt: skip


@dataclass(frozen=True)
class ArchiveLimits:
    expanded_bytes: int  # all parts together, uncompressed
    ratio: int  # uncompressed / compressed, per part larger than RATIO_FLOOR
    entries: int


RATIO_FLOOR = 1024 * 1024  # smaller parts may compress as well as they like (XML does, 20× and more)


class Unsafe(Exception):
    """`code` says what was found: expands, broken, macros, program (archives); active (PDF)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def check_archive(file: IO[bytes], limits: ArchiveLimits) -> None:
    """Raises Unsafe unless the zip archive in `file` expands within `limits` (declared sizes checked first,
    then every part is read to its end, which verifies actual sizes and checksums without keeping anything)
    and holds no macros or programs."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            _check_declared(parts, limits)
            for part in parts:
                _check_name(part.filename)
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
            if b"macroenabled" in types.lower() or b"vbaproject" in types.lower():
                raise Unsafe("macros", "[Content_Types].xml")
            total = 0
            for part in parts:
                total += _read_part(archive, part, limits.expanded_bytes - total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise Unsafe("broken", str(exc)) from exc
    except zlib.error as exc:
        raise Unsafe("broken", str(exc)) from exc
    finally:
        file.seek(0)


def _check_declared(parts: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(parts) > limits.entries:
        raise Unsafe("expands", f"{len(parts)} parts")
    if sum(part.file_size for part in parts) > limits.expanded_bytes:
        raise Unsafe("expands", "declared size")
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise Unsafe("expands", f"{part.filename} ratio")


def _check_name(name: str) -> None:
    lowered = name.lower()
    base = lowered.rsplit("/", 1)[-1]
    if base == "vbaproject.bin" or base.startswith("vbadata") or (lowered.endswith(".bin") and "vba" in base):
        raise Unsafe("macros", name)
    if lowered.endswith(_PROGRAM_SUFFIXES):
        raise Unsafe("program", name)
    if "embeddings/" in lowered and base.startswith("oleobject"):
        # An OLE object may be a "Package" wrapping any file, a program included; Office runs it on a click.
        raise Unsafe("program", name)


def _read_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, room: int) -> int:
    """Reads a part to its end (zipfile checks its size and CRC there); returns its size. Raises Unsafe if it
    holds a program or grows past `room`."""
    size = 0
    with archive.open(part) as stream:
        while chunk := stream.read(256 * 1024):
            if size == 0 and (chunk.startswith(_PROGRAM_MAGIC) or chunk.startswith(_OLE2)):
                raise Unsafe("program", part.filename)
            size += len(chunk)
            if size > room:
                raise Unsafe("expands", "actual size")
    return size


# PDF names that make a document do something when opened or clicked, beyond showing pages.
ACTIVE_NAMES = frozenset(
    {b"javascript", b"js", b"launch", b"embeddedfile", b"embeddedfiles", b"richmedia", b"submitform",
     b"importdata", b"gotoe"}
)  # fmt: skip
# Names that run an action when the document opens or a page is shown: usually harmless (go to page 1), but
# staff should know before they open it: the file is held as suspicious rather than refused.
# XFA forms are held too: government forms use them, and they may hold scripts we do not parse.
AUTOMATIC_NAMES = {b"openaction": "OpenAction", b"aa": "AA", b"xfa": "XFA"}
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX = re.compile(rb"#([0-9a-fA-F]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_STREAM_BODY = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)
# A stream whose dictionary names a picture or a font holds pixels or glyph programs (binary, where any
# name may appear by chance), not objects: not inflated.
_BINARY = re.compile(rb"/(Image|DCTDecode|JPXDecode|CCITTFaxDecode|JBIG2Decode|Length1|Length2|Length3|FontFile\d?)\b")
_HTML = re.compile(rb"<\s*(html|script|body|iframe|svg|!doctype\s+html)\b", re.IGNORECASE)
MAX_INFLATED = 64 * 1024 * 1024  # all compressed streams of one file, inflated, at most


def scan_pdf(file: IO[bytes]) -> str:
    """Raises Unsafe("active") if the PDF in `file` holds scripts, launch actions, embedded files or HTML
    (in its text or inside compressed streams, names written with #xx escapes included). Returns "" for a
    plain document, or why it is suspicious: an automatic action ("OpenAction", "AA", "XFA"), or more
    compressed content than is worth inflating ("unchecked")."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    # Outside streams (streams hold binary data, where any name may appear by chance): names and HTML,
    # which a browser sniffing the file would render.
    outside = _STREAM_BODY.sub(b"stream endstream", data)
    if _HTML.search(outside):
        raise Unsafe("active", "HTML")
    suspicious = _scan_names(outside)
    view = memoryview(data)
    budget = MAX_INFLATED
    for match in _STREAM.finditer(data):
        dictionary_start = data.rfind(b"obj", 0, match.start())  # this object's "N 0 obj"
        if _BINARY.search(data, max(0, dictionary_start), match.start()):
            continue
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], budget + 1)
        except zlib.error:
            continue  # not Flate-encoded (fonts and pictures with other filters): nothing to read in it
        budget -= len(inflated)
        if budget < 0:
            return "unchecked"
        suspicious = _scan_names(inflated) or suspicious
    return suspicious


def _scan_names(data: bytes) -> str:
    automatic = ""
    for match in _NAME.finditer(data):
        name = _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)).lower()
        if name in ACTIVE_NAMES:
            raise Unsafe("active", name.decode("latin-1"))
        if name in AUTOMATIC_NAMES:
            automatic = AUTOMATIC_NAMES[name]
    return automatic

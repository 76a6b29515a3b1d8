"""What a citizen may attach: a closed list of types, recognised by content, not by name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from .filescan import ArchiveLimits, Unsafe, check_archive, scan_pdf

# Detected type → the extensions a citizen's file of that type may carry, and the MIME type we serve.
ALLOWED = {
    "jpg": ({".jpg", ".jpeg"}, "image/jpeg"),
    "png": ({".png"}, "image/png"),
    "pdf": ({".pdf"}, "application/pdf"),
    "doc": ({".doc"}, "application/msword"),
    "xls": ({".xls"}, "application/vnd.ms-excel"),
    "docx": ({".docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({".xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ALLOWED_EXTENSIONS = sorted({ext for exts, _mime in ALLOWED.values() for ext in exts})
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str
    # Why staff should be careful opening it ("" when nothing was found): shown beside it, never served inline.
    suspicious_reason: str = ""


class AttachmentRejected(ValueError):
    pass


def _detect(upload: UploadedFile, extension: str) -> str | None:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(_OLE2):
        # Word and Excel 97–2003 share one container format; its directory names the application, but
        # reading it needs a full parser, so the extension decides between the two.
        return {".doc": "doc", ".xls": "xls"}.get(extension)
    if head.startswith(b"PK\x03\x04"):
        return _office_open_xml_kind(upload)
    kind = filetype.guess(head)
    return kind.extension if kind else None


def _office_open_xml_kind(upload: UploadedFile) -> str | None:
    """docx/xlsx are zip archives; any other archive is refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def check_attachment(upload: UploadedFile) -> CheckedFile:
    """Accepts the file if its content is an allowed type matching its extension and it is not too big.

    Raises AttachmentRejected with a message for the citizen naming the file.
    """
    name = PurePath(upload.name or "file").name
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRejected(
            _("“%(name)s” is %(size)s; the largest file accepted is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        )
    if size == 0:
        raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": name})
    extension = PurePath(name).suffix.lower()
    detected = _detect(upload, extension)
    if detected not in ALLOWED:
        raise AttachmentRejected(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(e.lstrip(".").upper() for e in ALLOWED_EXTENSIONS)}
        )
    extensions, mime = ALLOWED[detected]
    if extension not in extensions:
        raise AttachmentRejected(
            _("“%(name)s” does not contain what its name says (its content is %(kind)s).")
            % {"name": name, "kind": detected.upper()}
        )
    suspicious = ""
    if detected in IMAGE_FORMATS:
        upload = _reencoded_image(upload, name, detected, mime)
        size = upload.size or 0
    elif detected in ("docx", "xlsx"):
        _check_office_archive(upload, name)
    elif detected == "pdf":
        suspicious = _check_pdf(upload, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, name, mime, size, digest.hexdigest(), suspicious)


def _check_office_archive(upload: UploadedFile, name: str) -> None:
    limits = ArchiveLimits(
        expanded_bytes=settings.ATTACHMENT_MAX_EXPANDED_BYTES,
        ratio=settings.ATTACHMENT_MAX_EXPANSION_RATIO,
        entries=settings.ATTACHMENT_MAX_ARCHIVE_PARTS,
    )
    try:
        check_archive(upload, limits)
    except Unsafe as found:
        messages = {
            "expands": _("“%(name)s” would expand to more than %(limit)s when opened; send a smaller document."),
            "broken": _("“%(name)s” is damaged and cannot be opened safely."),
            "macros": _("“%(name)s” contains macros, which are not accepted; save it as a plain document."),
            "program": _("“%(name)s” contains a program or an embedded object, which is not accepted."),
        }
        limit = filesizeformat(settings.ATTACHMENT_MAX_EXPANDED_BYTES)
        raise AttachmentRejected(messages[found.code] % {"name": name, "limit": limit}) from found


def _check_pdf(upload: UploadedFile, name: str) -> str:
    """Refuses a PDF with active content; returns why an otherwise acceptable one is suspicious ("" if not)."""
    try:
        reason = scan_pdf(upload)
    except Unsafe as found:
        raise AttachmentRejected(
            _(
                "“%(name)s” contains active content (scripts, actions, embedded files or web page code), which is not "
                "accepted; print it to a new PDF and send that."
            )
            % {"name": name}
        ) from found
    if reason == "unchecked":
        return _("Too large to inspect fully; it may contain active content.")
    if reason:
        return _("It runs an action when opened (%(action)s).") % {"action": reason}
    return ""


# Photos are decoded and written again, so that what is stored and shown carries the picture only: no EXIF
# (GPS position, camera, owner), no text chunks, no data appended after the image.
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG"}
MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel photo; beyond it, decoding costs more than a case is worth


def _reencoded_image(upload: UploadedFile, name: str, detected: str, mime: str) -> UploadedFile:
    """The picture of `upload` written afresh without metadata, turned upright first (the EXIF orientation
    is dropped with the rest). Raises AttachmentRejected if it cannot be decoded."""
    try:
        upload.seek(0)
        with Image.open(upload) as opened:
            if opened.width * opened.height > MAX_IMAGE_PIXELS:
                raise AttachmentRejected(_("“%(name)s” is too large a picture to accept.") % {"name": name})
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise AttachmentRejected(_("“%(name)s” could not be read as a picture.") % {"name": name}) from exc
    picture = _without_metadata(picture)
    if detected == "jpg" and picture.mode not in {"RGB", "L"}:
        picture = picture.convert("RGB")
    output = io.BytesIO()
    options = {"quality": 90, "optimize": True} if detected == "jpg" else {"optimize": True}
    picture.save(output, format=IMAGE_FORMATS[detected], **options)
    return SimpleUploadedFile(name, output.getvalue(), content_type=mime)


_SRGB = ImageCms.createProfile("sRGB")


def _without_metadata(picture: Image.Image) -> Image.Image:
    """The picture with nothing Pillow would write back: no comment (JPEG COM), EXIF, XMP, text chunks, time,
    DPI. A colour profile is applied (converted to sRGB, what browsers assume) and then dropped, so colours
    stay right without the profile's bytes. Only PNG transparency, part of the picture, is kept."""
    profile = picture.info.get("icc_profile")
    if profile and picture.mode in {"RGB", "RGBA", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            picture = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=picture.mode) or picture
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels are kept as they are
    kept: dict[str | tuple[int, int], Any] = {
        key: picture.info[key] for key in ("transparency",) if key in picture.info
    }
    picture.info = kept
    return picture

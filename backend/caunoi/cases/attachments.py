"""What a citizen may attach: a closed list of types, recognised by content, not by name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

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
    if detected in IMAGE_FORMATS:
        upload = _reencoded_image(upload, name, detected, mime)
        size = upload.size or 0
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, name, mime, size, digest.hexdigest())


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
    if detected == "jpg" and picture.mode not in {"RGB", "L"}:
        picture = picture.convert("RGB")
    output = io.BytesIO()
    options = {"quality": 90, "optimize": True} if detected == "jpg" else {"optimize": True}
    picture.save(output, format=IMAGE_FORMATS[detected], **options)
    return SimpleUploadedFile(name, output.getvalue(), content_type=mime)

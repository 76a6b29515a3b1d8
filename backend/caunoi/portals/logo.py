"""A site's logo: whatever picture the administrator uploads is decoded and written again as a small PNG.

Re-encoding (as case attachments are) keeps only the pixels: no metadata, no scripts (SVG is refused,
Pillow cannot read it), nothing appended after the image; and a 20-megapixel photo becomes a header logo.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000
# The header shows the logo at most 64 px high; twice that for sharp screens.
MAX_SIZE = (512, 128)


@dataclass(frozen=True)
class Logo:
    content: ContentFile[bytes]
    digest: str


def logo_from_upload(upload: UploadedFile) -> Logo:
    """The upload as a PNG no larger than MAX_SIZE. Raises ValidationError when it is not a readable picture."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Upload a logo of at most 2 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as opened:
            if opened.width * opened.height > MAX_SOURCE_PIXELS:
                raise ValidationError(_("This picture is too large; upload a logo of at most 40 megapixels."))
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("Upload a PNG, JPEG, GIF or WebP picture (SVG and other formats are not accepted)."), code="invalid"
        ) from exc
    if picture.mode not in {"RGB", "RGBA", "L", "LA"}:
        picture = picture.convert("RGBA")
    picture.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, format="PNG", optimize=True)
    data = output.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Logo(ContentFile(data, name=f"{digest}.png"), digest)

"""Uploaded files (scanned consents, note attachments, confidentiality pledges): one check on the
way in, one response on the way out.

In: the type comes from the file's first bytes, never from its name or the browser's claim, and
the size stays within settings.UPLOAD_MAX_BYTES. Files are stored under MEDIA_ROOT (outside the
static root, never served by WhiteNoise or the web server; MEDIA_URL is None) with generated
names, since an uploaded name may carry a person's name.

Out: `private_file_response` for views that have asked the policy and written the audit row:
always a download (Content-Disposition: attachment), the sniffed content type, nosniff and
no-store so neither the browser nor a proxy keeps a copy.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    suffix: str


PDF = FileKind("pdf", "application/pdf", ".pdf")
JPEG = FileKind("jpeg", "image/jpeg", ".jpg")
PNG = FileKind("png", "image/png", ".png")
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)

SCANS = (PDF, JPEG, PNG)
OFFICE = (DOCX, XLSX)
ALL_KINDS = SCANS + OFFICE
_BY_CONTENT_TYPE = {k.content_type: k for k in ALL_KINDS}

_MAGIC = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
# Office Open XML files are zip archives; the part that names the application tells them apart.
_OOXML_PARTS = ((DOCX, "word/document.xml"), (XLSX, "xl/workbook.xml"))


def _sniff(upload) -> FileKind | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for kind, part in _OOXML_PARTS:
                if part in names:
                    return kind
    return None


def check_upload(upload, *, allowed=SCANS, type_message=None, field: str | None = None) -> FileKind:
    """The file's kind, or ValidationError (Japanese; keyed by `field` when given) when it is
    empty, larger than settings.UPLOAD_MAX_BYTES, or not one of `allowed` by content."""

    def reject(message, code):
        error = ValidationError(message, code=code)
        raise ValidationError({field: error}) if field else error

    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        reject(
            _("ファイルが大きすぎます(上限 %(mb)s MB)。") % {"mb": f"{limit / 1024 / 1024:g}"},
            "too_large",
        )
    if size == 0:
        reject(_("ファイルが空です。"), "empty")
    kind = _sniff(upload)
    if kind is None or kind not in allowed:
        reject(type_message or _("PDF・JPEG・PNG のファイルを選んでください。"), "file_type")
    return kind


def kind_for(content_type: str) -> FileKind | None:
    return _BY_CONTENT_TYPE.get(content_type)


def private_file_response(handle, *, content_type: str, filename: str) -> FileResponse:
    """Stream a stored upload as a download the browser neither renders nor caches.

    Call only after the policy check and the audit row, with the file opened for reading
    (`field_file.open("rb")`). `filename` is what the browser saves it as: an id-based name
    unless the user chose the name themselves.
    """
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=True,
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

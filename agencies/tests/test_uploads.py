"""The one upload check (agencies.uploads) used by consents, note attachments and pledges, and
the download response."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from agencies import uploads

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF, uploads.PDF), (PNG, uploads.PNG), (JPEG, uploads.JPEG)]
)
def test_scans_are_recognised_by_content_not_name(content, kind):
    assert uploads.check_upload(SimpleUploadedFile("x.txt", content)) == kind


def test_html_named_pdf_is_refused():
    with pytest.raises(ValidationError, match="PDF・JPEG・PNG"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", b"<html><script>", "application/pdf"))


def test_office_files_only_where_allowed():
    docx = SimpleUploadedFile("a.docx", _docx())
    assert uploads.check_upload(docx, allowed=uploads.ALL_KINDS) == uploads.DOCX
    with pytest.raises(ValidationError):
        uploads.check_upload(docx)


def test_size_limit_and_empty_file_keyed_by_field(settings):
    settings.UPLOAD_MAX_BYTES = 50
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF), field="document")
    assert "大きすぎます" in exc.value.message_dict["document"][0]
    with pytest.raises(ValidationError, match="空"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", b""))


def test_download_is_an_attachment_never_cached_or_sniffed():
    response = uploads.private_file_response(
        io.BytesIO(PDF), content_type="application/pdf", filename="consent-1.pdf"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    response.file_to_stream.close()


def test_uploads_are_not_under_the_static_root(settings):
    media = settings.MEDIA_ROOT.resolve()
    # None in config/settings.py; the browser tests' session fixture sets a dummy string because
    # Django's live server needs one. Either way no URL serves the uploaded files.
    assert settings.MEDIA_URL in (None, "/_media-not-served/")
    with pytest.raises(Resolver404):
        resolve("/_media-not-served/consents/2026/scan.pdf")
    for static in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        static = static.resolve()
        assert not media.is_relative_to(static) and not static.is_relative_to(media)

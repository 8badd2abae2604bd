"""Query strings (a person search by name) never reach the application log."""

import logging

from config.logfilters import StripQueryString


def _record(msg, *args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


def test_request_line_loses_its_query_string():
    record = _record('"%s" %s %s', "GET /cases/persons/?q=山田太郎&page=2 HTTP/1.1", "200", "512")
    StripQueryString().filter(record)
    line = record.getMessage()
    assert "山田" not in line
    assert "GET /cases/persons/?… HTTP/1.1" in line


def test_plain_messages_are_untouched():
    record = _record("notification sweep %s: %d rules", "2026-04-01", 3)
    StripQueryString().filter(record)
    assert record.getMessage() == "notification sweep 2026-04-01: 3 rules"


def test_console_handler_and_runserver_log_use_the_filter(settings):
    assert "no_query_string" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_printing_a_pdf_logs_no_characters_of_it(caplog, settings, tmp_path):
    """Subsetting a PDF's fonts logs the glyphs it keeps (fontTools, at INFO): the characters of
    the document, a person's name among them. The app's logging keeps that library quiet."""
    from agencies.pdf import render_pdf

    (tmp_path / "print").mkdir()
    (tmp_path / "print" / "name.html").write_text(
        '{% extends "print/base.html" %}{% block content %}阿部 誠{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    assert settings.LOGGING["loggers"]["fontTools"]["level"] == "WARNING"
    with caplog.at_level(logging.INFO):  # what the root logger passes in production
        assert render_pdf("print/name.html", {}).startswith(b"%PDF")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "uni963F" not in logged and "Glyph names" not in logged
    assert not [r for r in caplog.records if r.name.startswith("fontTools")]

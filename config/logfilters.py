"""Logging filters that keep personal data out of application logs."""

import logging
import re

# "GET /cases/persons/?q=山田 HTTP/1.1" -> "GET /cases/persons/?… HTTP/1.1"
_QUERY = re.compile(r"(?<=\S)\?[^\s\"]+")


def strip_query(text: str) -> str:
    return _QUERY.sub("?…", text)


class StripQueryString(logging.Filter):
    """Drop the query string from request lines and paths in log records.

    Person search is a GET form (bookmarkable, back button works), so a name can sit in the
    query string; Django's development server logs the request line with it, and a library may
    log a full URL. The path alone holds only UUIDs and case numbers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = strip_query(record.msg)
        if record.args:
            if isinstance(record.args, tuple):
                record.args = tuple(
                    strip_query(a) if isinstance(a, str) and "?" in a else a for a in record.args
                )
            elif isinstance(record.args, dict):
                record.args = {
                    k: strip_query(v) if isinstance(v, str) and "?" in v else v
                    for k, v in record.args.items()
                }
        return True

"""Request facts (IP, user agent) available to services without passing the request around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


_EMPTY = RequestInfo()
_current: ContextVar[RequestInfo | None] = ContextVar("tsunagu_request_info", default=None)


def current() -> RequestInfo:
    return _current.get() or _EMPTY


def set_current(info: RequestInfo):
    return _current.set(info)


def reset(token) -> None:
    _current.reset(token)

"""Reads that may go to a read replica, and everything else to the primary.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and name it in
``PILOTAGE_READ_REPLICA``. The replica lags the primary by the replication delay, so it may
only answer reads that tolerate a few seconds of staleness and that no write of the same
person depends on. A read goes to the replica only when all of these hold:

* it runs inside a request that :class:`ReplicaMiddleware` marked as a replica read: a GET
  or HEAD under one of ``PILOTAGE_REPLICA_PATHS`` (the dashboards and exports under
  ``/indicators/``, the API) from a browser that has not written in the last
  ``PILOTAGE_REPLICA_STICKY_SECONDS`` (the middleware sets a short cookie after every
  request that wrote, or was a POST/PUT/PATCH/DELETE: read-your-writes across the
  redirect that follows a form);
* nothing has been written in this request yet: the first ``db_for_write`` turns the
  request over to the primary for good (read-your-writes within a request);
* no transaction of the application's is open on the primary (a read inside
  ``atomic()`` is the "check" of a check-then-act and must see the primary);
* the model is not one of :data:`PRIMARY_ONLY_APPS`: sessions, users, role assignments,
  API tokens, login throttling, jobs and the audit log. A logout, a revoked token or a
  removed role must take effect at once, and they are small primary-key reads.

Anything else — management commands, the job worker, tests outside a request — reads the
primary. :func:`replica_reads` marks a block of code (an export command) as replica reads.
Without the setting every read and write goes to the primary and the router does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "axes", "core", "django_tasks_db", "admin"}
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STICKY_COOKIE = "pilotage_primary"


@dataclass
class _State:
    replica_ok: bool = False
    wrote: bool = False


_state: ContextVar[_State | None] = ContextVar("pilotage_db_state", default=None)


def replica_alias() -> str | None:
    return getattr(settings, "PILOTAGE_READ_REPLICA", None) or None


def _in_app_transaction() -> bool:
    # The test runner wraps each test in transactions of its own (marked by Django); those
    # are not the application's.
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        alias = replica_alias()
        if alias is None:
            return None
        state = _state.get()
        if state is None or not state.replica_ok or state.wrote:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS or _in_app_transaction():
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS if replica_alias() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        alias = replica_alias()
        if alias is None:
            return None
        same = {DEFAULT_DB_ALIAS, alias}
        return obj1._state.db in same and obj2._state.db in same

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: its schema comes by replication.
        if db == replica_alias():
            return False
        return None


def is_replica_request(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS or request.COOKIES.get(STICKY_COOKIE):
        return False
    prefixes: Iterable[str] = getattr(settings, "PILOTAGE_REPLICA_PATHS", ())
    return any(request.path_info.startswith(p) for p in prefixes)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads of this block go to the replica (until the block writes)."""
    token = _state.set(_State(replica_ok=True))
    try:
        yield
    finally:
        _state.reset(token)


def _streamed(state: _State, chunks: Iterable[Any]) -> Iterator[Any]:
    # A streamed body is read by the server after the view returned: its queries run with
    # the request's routing, not with whatever the thread holds by then.
    token = _state.set(state)
    try:
        yield from chunks
    finally:
        _state.reset(token)


class ReplicaMiddleware:
    """Marks replica reads (see the module docstring) and keeps a browser that wrote on
    the primary for ``PILOTAGE_REPLICA_STICKY_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if replica_alias() is None:
            return self.get_response(request)
        state = _State(replica_ok=is_replica_request(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if response.streaming:
            response.streaming_content = _streamed(state, response.streaming_content)  # type: ignore[attr-defined]
        if state.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.PILOTAGE_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

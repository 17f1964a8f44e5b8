"""Apps telling each other that something changed, without importing each other.

A writing service publishes a topic with keyword arguments, inside its transaction:

    publish("schooling.records_changed", school_ids=[...], year_id=..., pupil_ids=[...])

and every installed app whose ``events.py`` lists the topic in ``HANDLERS`` gets the call,
in the same transaction (so what a handler records commits or rolls back with the write).
Handlers must be cheap; slow work goes to a job queued with ``transaction.on_commit``.
A topic is named ``<publishing app>.<what happened>``; the publisher documents its
arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from pilotage.core.plugins import app_modules

Handler = Callable[..., None]


@cache
def handlers(topic: str) -> tuple[Handler, ...]:
    found: list[Handler] = []
    for module in app_modules("events"):
        found += getattr(module, "HANDLERS", {}).get(topic, ())
    return tuple(found)


def publish(topic: str, **payload: Any) -> None:
    for handler in handlers(topic):
        handler(**payload)

"""The journal as server-sent events: each new exchange as it is recorded, so a page shows it without polling.

The stream looks at the journal a few times a second and renders only what is new; a request to a vendor API
pays nothing for it (recording stays one append). A burst larger than a batch is shown by its newest entries
and says how many it left out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson

from mockserver.qa.journal import Filter, Journal

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 15.0
BATCH = 50


def _event(kind: str, data: object, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\n".encode() + b"data: " + orjson.dumps(data) + b"\n\n"


async def events(journal: Journal, where: Filter, after: int | None = None) -> AsyncIterator[bytes]:
    """From entry number ``after`` on (a reconnecting client's Last-Event-ID); from now when None."""
    seen = journal.last_id if after is None else after
    yield b"retry: 1000\n" + _event("ready", {"last": seen})
    quiet = 0.0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        newest = journal.last_id
        if newest == seen:
            quiet += POLL_SECONDS
            if quiet >= HEARTBEAT_SECONDS:
                quiet = 0.0
                yield b": still here\n\n"
            continue
        quiet = 0.0
        fresh = journal.since(seen, where, BATCH)
        left_out = newest - seen - BATCH
        if left_out > 0:
            yield _event("skipped", {"count": left_out})
        for entry in fresh:
            yield _event("exchange", entry, entry["id"])
        seen = newest

"""A bounded journal of recent requests and responses, newest first, with credentials masked.

Bounded twice: by entries (``capacity``) and by the bytes the entries hold (``max_bytes``), the oldest dropped
first. Each body is kept only up to the bytes the journal shows (``body_limit``), whatever its size."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asset_meter_specs.credential_headers import GENERIC
from mockserver.qa.operations import tenant_fingerprint
from mockserver.qa.secrets import masked_body, masked_headers, masked_query

__all__ = ["Exchange", "Filter", "Journal", "as_recording", "masked_headers"]


def captured_body(chunks: list[bytes], size: int, limit: int, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    data = b"".join(chunks)[:limit]
    text = data.decode("utf-8", errors="replace")
    content_type = next((value.decode("latin-1") for name, value in headers if name.lower() == b"content-type"), "")
    return {"size": size, "truncated": size > limit, "text": masked_body(text, content_type)}


def kept(chunks: list[bytes], body: bytes, limit: int) -> None:
    """Appends to ``chunks`` what of ``body`` still fits in ``limit`` bytes: a copy, so the body itself is freed."""
    room = limit - sum(map(len, chunks))
    if room > 0 and body:
        chunks.append(body[:room])


@dataclass(slots=True)
class Exchange:
    """One request and its answer as they passed, kept raw: rendering (masking, decoding) waits for a reader,
    so a journal that nobody reads costs the mock little."""

    at: float  # time.time()
    api: str | None
    operation_id: str | None
    method: str
    path: str
    query: bytes
    tenant: str | None  # raw: shown only as a fingerprint
    status: int | None
    duration: float  # seconds
    fault: str | None
    request_headers: list[tuple[bytes, bytes]]
    request_chunks: list[bytes]
    request_size: int
    response_headers: list[tuple[bytes, bytes]]
    response_chunks: list[bytes]
    response_size: int

    def summary(self, number: int) -> dict[str, Any]:
        """The entry without its headers and bodies: what a list of exchanges shows, cheap to render."""
        return {
            "id": number,
            "time": datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "api": self.api,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "query": masked_query(self.query.decode("latin-1")),
            "tenant": tenant_fingerprint(self.tenant) if self.tenant else None,
            "status": self.status,
            "durationMs": round(self.duration * 1000, 3),
            "fault": self.fault,
        }

    def render(self, number: int, limit: int, credential_headers: frozenset[str] = GENERIC) -> dict[str, Any]:
        return {
            **self.summary(number),
            "request": {"headers": masked_headers(self.request_headers, credential_headers),
                        "body": captured_body(self.request_chunks, self.request_size, limit, self.request_headers)},
            "response": {"headers": masked_headers(self.response_headers, credential_headers),
                         "body": captured_body(self.response_chunks, self.response_size, limit,
                                               self.response_headers)},
        }  # fmt: skip

    @property
    def weight(self) -> int:
        """The bytes this entry holds on to, near enough: bodies as kept, headers, path and query."""
        size = sum(map(len, self.request_chunks)) + sum(map(len, self.response_chunks))
        size += len(self.path) + len(self.query) + 200
        for name, value in self.request_headers:  # plain loops: computed on every request, and cheaper than a sum
            size += len(name) + len(value)
        for name, value in self.response_headers:
            size += len(name) + len(value)
        return size


RECORDING_DROPS = ("id", "tenant", "fault")


def as_recording(entry: dict[str, Any]) -> dict[str, Any]:
    """A rendered entry in the recording format (conformance/recording.schema.json): what a client sent and got,
    without the journal's own bookkeeping (its numbering, the tenant's fingerprint, the fault that answered)."""
    return {"recording": 1, **{key: value for key, value in entry.items() if key not in RECORDING_DROPS}}


@dataclass(frozen=True)
class Filter:
    api: str | None = None
    operation_id: str | None = None
    status: int | None = None
    tenant: str | None = None

    def admits(self, entry: Exchange) -> bool:
        return (
            (self.api is None or entry.api == self.api)
            and (self.operation_id is None or entry.operation_id == self.operation_id)
            and (self.status is None or entry.status == self.status)
            and (self.tenant is None or entry.tenant == self.tenant)
        )


class Journal:
    """Keeps the newest ``capacity`` entries holding at most ``max_bytes`` together; 0 keeps none. Appends are
    O(1) amortised; the oldest fall off."""

    def __init__(
        self,
        capacity: int,
        body_limit: int = 8192,
        max_bytes: int = 32 * 1024 * 1024,
        credential_headers: frozenset[str] = GENERIC,
    ) -> None:
        self.capacity = capacity
        self.credential_headers = credential_headers
        """Headers masked in every entry: the mounted contracts' credential headers (and the generic ones)."""
        self.body_limit = body_limit
        self.max_bytes = max_bytes
        self.kept_bytes = 0
        self._entries: deque[tuple[int, Exchange, int]] = deque()
        self._ids = itertools.count(1)
        self.last_id = 0
        """The number of the newest entry recorded (kept or not): a stream compares it, and reads nothing else, when
        no request has come since its last look."""

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def record(self, entry: Exchange, weight: int | None = None) -> None:
        """``weight``: ``entry.weight``, when the caller has counted it."""
        capacity = self.capacity
        if capacity <= 0:
            return
        if weight is None:
            weight = entry.weight
        number = self.last_id = next(self._ids)
        entries = self._entries
        entries.append((number, entry, weight))
        kept_bytes = self.kept_bytes + weight
        max_bytes = self.max_bytes
        while entries and (len(entries) > capacity or kept_bytes > max_bytes):
            kept_bytes -= entries.popleft()[2]
        self.kept_bytes = kept_bytes

    def entries(self, where: Filter, limit: int | None = None) -> list[dict[str, Any]]:
        found = []
        for number, entry, _ in reversed(self._entries):
            if limit is not None and len(found) >= limit:
                break
            if where.admits(entry):
                found.append(entry.render(number, self.body_limit, self.credential_headers))
        return found

    def since(self, seen: int, where: Filter, limit: int) -> list[dict[str, Any]]:
        """Summaries of the entries after number ``seen`` that ``where`` admits, oldest first, at most the newest
        ``limit``."""
        found = []
        for number, entry, _ in reversed(self._entries):
            if number <= seen or len(found) >= limit:
                break
            if where.admits(entry):
                found.append(entry.summary(number))
        return found[::-1]

    def shown(self, number: int) -> dict[str, Any] | None:
        entry = self.find(number)
        return None if entry is None else entry.render(number, self.body_limit, self.credential_headers)

    def find(self, number: int) -> Exchange | None:
        for kept_number, entry, _ in reversed(self._entries):
            if kept_number == number:
                return entry
            if kept_number < number:
                break
        return None

    def clear(self) -> int:
        cleared = len(self._entries)
        self._entries.clear()
        self.kept_bytes = 0
        return cleared

    def __len__(self) -> int:
        return len(self._entries)

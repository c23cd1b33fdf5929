"""A bounded journal of recent requests and responses, newest first, with credentials masked."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mockserver.qa.operations import tenant_fingerprint

# Headers that carry a credential in one of the vendors' schemes, and how much of them may show.
SECRET_HEADERS = {"authorization", "eci-apikey", "x-api-key", "cookie", "proxy-authorization"}
MASK = "***"


def masked_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {MASK}" if rest and name.endswith("authorization") else MASK
        shown[name] = value
    return shown


def captured_body(chunks: list[bytes], size: int, limit: int) -> dict[str, Any]:
    data = b"".join(chunks)[:limit]
    text = data.decode("utf-8", errors="replace")
    return {"size": size, "truncated": size > limit, "text": text}


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

    def render(self, number: int, limit: int) -> dict[str, Any]:
        return {
            "id": number,
            "time": datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "api": self.api,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "query": self.query.decode("latin-1"),
            "tenant": tenant_fingerprint(self.tenant) if self.tenant else None,
            "status": self.status,
            "durationMs": round(self.duration * 1000, 3),
            "fault": self.fault,
            "request": {"headers": masked_headers(self.request_headers),
                        "body": captured_body(self.request_chunks, self.request_size, limit)},
            "response": {"headers": masked_headers(self.response_headers),
                         "body": captured_body(self.response_chunks, self.response_size, limit)},
        }  # fmt: skip


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
    """Keeps the newest ``capacity`` entries; 0 keeps none. Appends are O(1); the oldest fall off."""

    def __init__(self, capacity: int, body_limit: int = 8192) -> None:
        self.capacity = capacity
        self.body_limit = body_limit
        self._entries: deque[tuple[int, Exchange]] = deque(maxlen=max(capacity, 1))
        self._ids = itertools.count(1)

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def record(self, entry: Exchange) -> None:
        if self.enabled:
            self._entries.append((next(self._ids), entry))

    def entries(self, where: Filter, limit: int | None = None) -> list[dict[str, Any]]:
        found = []
        for number, entry in reversed(self._entries):
            if limit is not None and len(found) >= limit:
                break
            if where.admits(entry):
                found.append(entry.render(number, self.body_limit))
        return found

    def clear(self) -> int:
        cleared = len(self._entries)
        self._entries.clear()
        return cleared

    def __len__(self) -> int:
        return len(self._entries)

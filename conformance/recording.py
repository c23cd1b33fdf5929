"""Recordings: exchanges as a documented file format, one JSON object per line (`recording.schema.json`).

The validation proxy writes them (`conformance proxy --record FILE`), the mock's journal exports them
(`GET /__admin/requests?format=recording`), and `conformance parity` replays them. Credentials are masked
before a line is written; a body is kept up to `BODY_LIMIT` bytes and says when it was cut.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

VERSION = 1
BODY_LIMIT = 1024 * 1024
MAX_LINE = 4 * BODY_LIMIT
"""A line longer than this is refused unread: two masked bodies of BODY_LIMIT, escaped, fit well within it."""
SCHEMA_FILE = Path(__file__).with_name("recording.schema.json")


class RecordingError(ValueError):
    """A recording the tool cannot use; the message names the line and why."""


@cache
def validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))


def body(text: str, size: int, truncated: bool) -> dict[str, Any]:
    """A body as recorded: its text (masked by the caller) cut at BODY_LIMIT characters, and its size in bytes."""
    return {"size": size, "truncated": truncated or len(text) > BODY_LIMIT, "text": text[:BODY_LIMIT]}


def timestamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    """One recorded exchange, as parity reads it."""

    line: int
    record: dict[str, Any]

    @property
    def status(self) -> int | None:
        return self.record["status"]

    @property
    def request_truncated(self) -> bool:
        return bool(self.record["request"]["body"]["truncated"])


def read(path: Path) -> Iterator[Entry]:
    """Each line's exchange, validated against the schema; a bad line stops the reading with its number."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise RecordingError(f"{path}: {error.strerror or error}") from None
    with handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE:
                raise RecordingError(f"{path}:{number}: a line longer than {MAX_LINE // (1024 * 1024)} MiB")
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise RecordingError(f"{path}:{number}: not UTF-8") from None
            except (ValueError, RecursionError) as error:
                raise RecordingError(f"{path}:{number}: not a JSON object ({str(error)[:120]})") from None
            problem = next(iter(validator().iter_errors(record)), None)
            if problem is not None:
                where = "/".join(str(part) for part in problem.instance_path) or "the line"
                raise RecordingError(f"{path}:{number}: {where}: {problem.message[:200]}")
            yield Entry(number, record)


class Writer:
    """Appends one line per exchange and flushes it, so a recording stopped at any moment is whole up to its
    last line."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8")
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        self._file.close()

"""What the admin API sets for everyone, kept in the store beside the tenants' data, so that a file store restarts
with it: the dataset posted without a tenant, the clock, and the fault rules (as they were put; their counts
start again). A memory store keeps them for as long as the process lives, as it keeps everything else.

A posted dataset replaces the one `--fixtures` names only while `--fixtures` names the same document: restarted
with another file, the mock starts from that file, as its user asked."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select

from mockserver.clock import Clock
from mockserver.qa.faults import FaultRefused, Faults
from mockserver.store.engine import Store
from mockserver.store.tables import mock_state

log = logging.getLogger(__name__)


def _encoded(value: Any) -> str:
    # YAML fixtures may hold dates and non-string keys; orjson writes them as RFC 3339 strings and strings.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


def fingerprint(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                                       default=str)).hexdigest()  # fmt: skip


class MockState:
    def __init__(self, store: Store, configured: dict[str, Any]) -> None:
        self._store = store
        self._configured = fingerprint(configured)

    def read(self, name: str) -> Any | None:
        with self._store.transaction() as connection:
            row = connection.execute(select(mock_state.c.value).where(mock_state.c.name == name)).first()
        return None if row is None else orjson.loads(row.value)

    def write(self, name: str, value: Any, connection: Connection | None = None) -> None:
        if connection is None:
            with self._store.transaction() as connection:
                self.write(name, value, connection)
            return
        connection.execute(delete(mock_state).where(mock_state.c.name == name))
        connection.execute(insert(mock_state).values(name=name, value=_encoded(value)))

    def posted_dataset(self) -> dict[str, Any] | None:
        """The dataset posted for everyone over the configured one, if the configured one has not changed since."""
        kept = self.read("dataset")
        if kept is None or kept.get("over") != self._configured:
            return None
        return kept["document"]

    def keep_dataset(self, connection: Connection, document: dict[str, Any]) -> None:
        self.write("dataset", {"over": self._configured, "document": document}, connection)

    def keep_clock(self, clock: Clock) -> None:
        frozen_at = clock.frozen_at.isoformat() if clock.frozen_at is not None else None
        self.write("clock", {"mode": clock.mode, "frozenAt": frozen_at, "offsetSeconds": clock.offset.total_seconds()})

    def restore_clock(self, clock: Clock) -> None:
        kept = self.read("clock")
        if kept is None or kept["mode"] == "real":
            return
        if kept["mode"] == "frozen" and kept["frozenAt"]:
            clock.freeze(datetime.fromisoformat(kept["frozenAt"]))
        else:
            clock.shift(timedelta(seconds=kept["offsetSeconds"]))

    def keep_faults(self, faults: Faults) -> None:
        self.write("faults", [rule.spec for rule in faults.rules])

    def restore_faults(self, faults: Faults) -> None:
        specs = self.read("faults") or []
        try:
            faults.replace(specs)
        except FaultRefused as refusal:  # the contracts changed since the rules were put
            log.warning("fault rules kept in the store no longer fit the contracts, dropped: %s", refusal)

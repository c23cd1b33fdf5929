"""Contract-aware fault injection: rules that match requests and add latency, answer a status the contract
documents (in the vendor's error format), or drop the connection; always, the next N times, or with a
seeded probability so that a failing run repeats exactly. Also the per-request `Prefer` header."""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import random
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from mockserver.qa.operations import Operation, OperationIndex


class FaultRefused(ValueError):
    """A fault rule (or Prefer header) the contracts do not allow; the message says why."""


@dataclass
class FaultRule:
    id: int
    spec: dict[str, Any]  # as given, shown back by GET /__admin/faults
    api: str | None
    operation_id: str | None
    path: str | None
    method: str | None
    tenant: str | None
    latency: tuple[float, float] | None  # milliseconds, a fixed value is (v, v)
    status: int | None
    retry_after: int | None
    drop: bool
    remaining: int | None  # None: always
    probability: float | None
    rng: random.Random
    hits: int = 0

    def matches(self, method: str, path: str, operation: Operation | None, tenant: str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.api is not None and (operation is None or operation.api != self.api):
            return False
        if self.operation_id is not None and (operation is None or operation.operation_id != self.operation_id):
            return False
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self.method is not None and self.method != method:
            return False
        return self.tenant is None or self.tenant == tenant

    def fires(self) -> bool:
        """Consumes one match: whether the fault applies to this request (the seeded draw, the count)."""
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.hits += 1
        return True

    def latency_ms(self) -> float:
        if self.latency is None:
            return 0.0
        low, high = self.latency
        return low if low == high else self.rng.uniform(low, high)

    def shown(self) -> dict[str, Any]:
        return {"id": self.id, **self.spec, "hits": self.hits, "remaining": self.remaining}


@dataclass(frozen=True)
class Fault:
    """What to do to one request."""

    latency_ms: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    why: str = ""


@dataclass
class Faults:
    index: OperationIndex
    max_latency_ms: float = 60_000
    rules: list[FaultRule] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _held: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=set)

    def replace(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """All rules replaced by ``specs``, every one checked against the contracts first (all or nothing)."""
        rules = [self._rule(spec) for spec in specs]
        self.rules = rules
        self._release()
        return [rule.shown() for rule in rules]

    def clear(self) -> None:
        self.rules = []
        self._release()

    async def hold(self, fault: Fault) -> bool:
        """Waits out the fault's latency; False when its rules were replaced or removed meanwhile, and the
        request goes on as if it had met no fault."""
        released = asyncio.Event()
        held = (asyncio.get_running_loop(), released)
        self._held.add(held)
        try:
            await asyncio.wait_for(released.wait(), fault.latency_ms / 1000)
        except TimeoutError:
            return True
        finally:
            self._held.discard(held)
        return False

    def _release(self) -> None:
        for loop, released in list(self._held):
            loop.call_soon_threadsafe(released.set)

    def shown(self) -> list[dict[str, Any]]:
        return [rule.shown() for rule in self.rules]

    def fault_for(self, method: str, path: str, operation: Operation | None, tenant: str | None) -> Fault | None:
        for rule in self.rules:
            if rule.matches(method, path, operation, tenant) and rule.fires():
                return Fault(rule.latency_ms(), rule.status, rule.retry_after, rule.drop, f"fault rule {rule.id}")
        return None

    def _rule(self, spec: dict[str, Any]) -> FaultRule:
        if not any(spec.get(key) for key in ("api", "operationId", "path")):
            raise FaultRefused("a fault rule must match an api, an operationId or a path")
        if not any(key in spec for key in ("latencyMs", "status", "drop")):
            raise FaultRefused("a fault rule needs a fault: latencyMs, status or drop")
        method = spec["method"].upper() if spec.get("method") else None
        matched = [
            operation
            for operation in self.index.operations(spec.get("api"), spec.get("operationId"))
            if (spec.get("path") is None or fnmatch.fnmatchcase(operation.path, spec["path"]))
            and (method is None or operation.method == method)
        ]
        if not matched and (spec.get("api") or spec.get("operationId")):
            raise FaultRefused(f"the rule matches no operation of the contracts: {spec}")
        status = spec.get("status")
        if status is not None:
            _check_answerable(status)
        if status is not None and not spec.get("undocumented", False):
            undocumented = [operation for operation in matched if status not in operation.statuses]
            if undocumented:
                listed = "; ".join(
                    f"{operation.operation_id} ({operation.method} {operation.path}): "
                    f"{', '.join(map(str, operation.statuses))}"
                    for operation in undocumented
                )
                raise FaultRefused(
                    f"status {status} is not documented for {listed}. Ask for a documented status, or add "
                    f"'undocumented': true to test how a client copes with the unexpected"
                )
        latency = spec.get("latencyMs")
        if isinstance(latency, list):
            if len(latency) != 2 or latency[0] > latency[1]:
                raise FaultRefused("latencyMs takes a number or a [low, high] range")
            latency_range: tuple[float, float] | None = (
                _checked_latency(latency[0], self.max_latency_ms),
                _checked_latency(latency[1], self.max_latency_ms),
            )
        else:
            latency_range = None if latency is None else (_checked_latency(latency, self.max_latency_ms),) * 2
        return FaultRule(
            id=next(self._ids),
            spec=spec,
            api=spec.get("api"),
            operation_id=spec.get("operationId"),
            path=spec.get("path"),
            method=method,
            tenant=spec.get("tenant"),
            latency=latency_range,
            status=status,
            retry_after=spec.get("retryAfter", 1 if status == 429 else None),
            drop=bool(spec.get("drop", False)),
            remaining=spec.get("times"),
            probability=spec.get("probability"),
            rng=random.Random(spec.get("seed")),
        )


def _check_answerable(status: int) -> None:
    """A status a fault can end an exchange with, and that the vendors' error formats can name."""
    if status < 200:
        raise FaultRefused(f"status {status} is informational (1xx): it cannot end an exchange")
    try:
        HTTPStatus(status)
    except ValueError:
        raise FaultRefused(f"status {status} is not a registered HTTP status (RFC 9110, IANA registry)") from None


def _checked_latency(value: Any, max_latency_ms: float) -> float:
    latency = float(value)
    if not 0 <= latency <= max_latency_ms:  # also refuses NaN
        raise FaultRefused(f"latency {value} ms is outside 0..{max_latency_ms:g} ms")
    return latency


def _preferences(header: str) -> dict[str, str]:
    """`name=value` pairs split on `,` and `;` (RFC 7240), in one pass: no backtracking over long tokens."""
    found = {}
    for part in re.split("[,;]", header):
        name, equals, value = part.partition("=")
        if equals:
            found[name.strip().lower()] = value.strip().strip('"')
    return found


def preferred_fault(
    header: str | None, operation: Operation | None, *, max_chars: int = 1024, max_latency_ms: float = 60_000
) -> Fault | None:
    """`Prefer: code=503` and/or `Prefer: latency=200` (milliseconds), as Prism users know them."""
    if not header:
        return None
    if len(header) > max_chars:
        raise FaultRefused(f"Prefer header longer than {max_chars} characters")
    preferences = _preferences(header)
    code, latency = preferences.get("code"), preferences.get("latency")
    if code is None and latency is None:
        return None
    try:
        status = int(code) if code is not None else None
        latency_ms = _checked_latency(latency, max_latency_ms) if latency is not None else 0.0
    except ValueError:
        raise FaultRefused(f"Prefer {header!r}: code and latency take numbers") from None
    if status is not None:
        documented = [s for s in operation.statuses if s >= 400] if operation else []
        if status not in documented:
            where = f"{operation.operation_id}" if operation else "this path"
            raise FaultRefused(
                f"Prefer code={status} is not a documented error status of {where}; documented: "
                f"{', '.join(map(str, documented)) or 'none'}"
            )
    return Fault(latency_ms=latency_ms, status=status, why=f"Prefer: {header}")

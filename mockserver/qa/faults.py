"""Contract-aware fault injection: rules that match requests and add latency, answer a status the contract
documents (in the vendor's error format), or drop the connection; always, the next N times, or with a
seeded probability so that a failing run repeats exactly. Also the per-request `Prefer` header."""

from __future__ import annotations

import fnmatch
import itertools
import random
import re
from dataclasses import dataclass, field
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
    rules: list[FaultRule] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def replace(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """All rules replaced by ``specs``, every one checked against the contracts first (all or nothing)."""
        rules = [self._rule(spec) for spec in specs]
        self.rules = rules
        return [rule.shown() for rule in rules]

    def clear(self) -> None:
        self.rules = []

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
            latency_range: tuple[float, float] | None = (float(latency[0]), float(latency[1]))
        else:
            latency_range = None if latency is None else (float(latency), float(latency))
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


_PREFERENCE = re.compile(r"\s*([a-zA-Z-]+)\s*=\s*([^,;\s]+)\s*")


def preferred_fault(header: str | None, operation: Operation | None) -> Fault | None:
    """`Prefer: code=503` and/or `Prefer: latency=200` (milliseconds), as Prism users know them."""
    if not header:
        return None
    preferences = {match.group(1).lower(): match.group(2) for match in _PREFERENCE.finditer(header)}
    code, latency = preferences.get("code"), preferences.get("latency")
    if code is None and latency is None:
        return None
    try:
        status = int(code) if code is not None else None
        latency_ms = float(latency) if latency is not None else 0.0
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

"""What the proxy makes of each exchange: the checks' violations turned into verdicts (`verdicts.decide`, a
real target), one live line, a masked recording line, and results kept within a bound for the final reports."""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TextIO
from urllib.parse import parse_qs

import httpx

from asset_meter_specs.credential_headers import credential_headers
from conformance import masking, recording
from conformance.contracts import Contract
from conformance.evidence import Masker, curl
from conformance.findings import OUTCOME, ContractBroken
from conformance.proxy.checks import Message, Violation, check_request, check_response
from conformance.proxy.routing import Operation, Router
from conformance.report import SEVERITY
from conformance.results import CheckResult
from conformance.verdicts import TargetKind, Verdict, decide, worst

KEEP = 5000
"""Results kept for the reports; past it, a result is kept only if it says something new (a new check or a
worse verdict), so a proxy left running for days stays bounded."""
EVIDENCED = 20
"""Results of one check that carry their exchange as evidence; the rest say only why (each evidence holds a few
KiB of masked request and answer)."""
MAX_CREDENTIALS = 64
"""Distinct credentials seen in traffic whose echoes are masked in bodies too (headers are masked by name)."""
SHOWN_LINE = 400
MAX_HEADER_VALUE = 65536
"""A recorded header value is cut here (the schema's bound): an origin's answer head is not bounded by us."""


@dataclass
class Exchange:
    """One request and its answer as they passed the proxy. Bodies are None when larger than the proxy checks."""

    at: float
    method: str
    path: str
    query: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    request_size: int
    status: int | None
    response_headers: list[tuple[str, str]]
    response_body: bytes | None
    response_size: int
    duration: float
    failure: str = ""
    """Why no answer came from the origin (it could not be reached, it timed out)."""
    refused: str = ""
    """Why the proxy did not forward the request (a head above its bound): the client's doing, not recorded."""


def credential_masker(contracts: Iterable[Contract]) -> Masker:
    """The evidence's masker, masking by name every header the contracts' security schemes carry a credential in."""
    return Masker(credential_headers(contract.spec for contract in contracts))


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


@dataclass
class Kept:
    results: list[CheckResult] = field(default_factory=list)
    _worst: dict[tuple[str, str, str], Verdict] = field(default_factory=dict)
    _evidenced: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    dropped: int = 0

    def add(self, result: CheckResult) -> None:
        key = (result.kind, result.api, result.id)
        seen = self._worst.get(key)
        if len(self.results) >= KEEP and seen is not None and SEVERITY.index(result.outcome) <= SEVERITY.index(seen):
            self.dropped += 1
            return
        self._worst[key] = result.outcome if seen is None else worst([seen, result.outcome])
        if result.evidence:
            self._evidenced[key] += 1
            if self._evidenced[key] > EVIDENCED:
                result = replace(result, evidence=[])
        self.results.append(result)


class Observer:
    def __init__(
        self, router: Router, out: TextIO, writer: recording.Writer | None = None, strict: bool = False
    ) -> None:
        self.router = router
        self.out = out
        self.writer = writer
        self.strict = strict
        self.kept = Kept()
        self.count = 0
        self.masker = credential_masker(router.contracts.values())
        self._credentials: set[str] = set()
        self._lock = threading.Lock()

    def observe(self, exchange: Exchange) -> list[Violation]:
        """Check, report and record one exchange."""
        self._learn_credentials(exchange.request_headers)
        contract = self.router.api_of(exchange.path)
        operation = self.router.operation(contract, exchange.method, exchange.path) if contract else None
        if exchange.refused:
            finding = ContractBroken(None, "a request the proxy forwards", exchange.refused, {OUTCOME})
            violations = [Violation("client", exchange.refused, finding)]
        else:
            violations = self._violations(contract, operation, exchange)
        preflight = exchange.method == "OPTIONS" and "access-control-request-method" in _joined(
            exchange.request_headers
        )
        with self._lock:
            self.count += 1
            number = self.count
            if preflight:  # a browser's CORS question, not an API call: passed on and recorded, not judged
                self._say(number, None, exchange, None, [])
                if self.writer is not None:
                    self.writer.write(self.record(contract, operation, exchange))
                return []
            results = self._results(contract, operation, exchange, violations)
            for result in results:
                self.kept.add(result)
            verdict = worst(result.outcome for result in results)
            self._say(number, operation, exchange, verdict, violations)
            if self.writer is not None and not exchange.refused:
                self.writer.write(self.record(contract, operation, exchange))
        return violations

    def _violations(
        self, contract: Contract | None, operation: Operation | None, exchange: Exchange
    ) -> list[Violation]:
        if contract is None or operation is None or not operation.operation_id:
            what = (
                "no operation of the contract has this path"
                if operation is None
                else (f"{exchange.method} is not documented for this path")
            )
            finding = ContractBroken(None, "a documented operation", f"{exchange.method} {exchange.path}", {OUTCOME})
            return [Violation("client", what, finding)]
        request = Message(_joined(exchange.request_headers), exchange.request_body)
        query = parse_qs(exchange.query, keep_blank_values=True)
        violations, shown = check_request(contract, operation, query, request)
        if exchange.status is None:
            finding = ContractBroken(None, "an answer", exchange.failure or "no answer", {OUTCOME}, answered=False)
            return [*violations, Violation("server", f"no answer: {exchange.failure}", finding)]
        response = Message(_joined(exchange.response_headers), exchange.response_body)
        return violations + check_response(contract, operation, exchange.status, response, shown)

    def _results(
        self, contract: Contract | None, operation: Operation | None, exchange: Exchange, violations: list[Violation]
    ) -> list[CheckResult]:
        api = contract.api if contract else ""
        name = (
            f"{exchange.method} {contract.base_path}{operation.template}"
            if contract and operation
            else (f"{exchange.method} {exchange.path}")
        )
        evidence = [self._evidence(exchange, violations)] if violations else []
        results = []
        target = TargetKind(ours=False)
        for violation in violations:
            decision = decide("failed", violation.finding, violation.rule, target, self.strict)
            rule = violation.rule
            results.append(
                CheckResult(
                    kind="rule" if rule else "schema",
                    id=rule.id if rule else name,
                    api=api,
                    outcome=decision.verdict,
                    reason=masking.clean(f"{violation.party}: {violation.what}"),
                    test=f"proxy {violation.party}",
                    evidence=evidence,
                    source=rule.source if rule else "contract",
                    expected=f"{rule.status}{' ' + rule.code if rule.code else ''}" if rule else "",
                    assumed=decision.assumed,
                    answered=masking.clean(decision.answered),
                    duration=exchange.duration,
                )
            )
        if not any(result.kind == "schema" for result in results):
            results.append(
                CheckResult(
                    kind="schema",
                    id=name,
                    api=api,
                    outcome=Verdict.PASS,
                    test="proxy",
                    source="contract",
                    duration=exchange.duration,
                )
            )
        return results

    def _evidence(self, exchange: Exchange, violations: list[Violation]) -> dict[str, Any]:
        url = f"http://proxy{exchange.path}{'?' + exchange.query if exchange.query else ''}"
        # Headers as the bytes that passed: a value outside ASCII (which httpx will not encode from text) stays.
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in exchange.request_headers]
        request = httpx.Request(exchange.method, url, headers=raw, content=(exchange.request_body or b"")[: 64 * 1024])
        shown = (exchange.response_body or b"")[: 64 * 1024].decode("utf-8", errors="replace")
        return {
            "message": masking.clean("\n".join(f"{v.party}: {v.what}" for v in violations)),
            "curl": curl(request, self.masker),
            "response": {
                "status": exchange.status or 0,
                "headers": {name: self.masker.header(name, value) for name, value in exchange.response_headers},
                "body": self.masker.text(shown[:4000]),
            },
        }

    def _say(
        self,
        number: int,
        operation: Operation | None,
        exchange: Exchange,
        verdict: Verdict | None,
        violations: list[Violation],
    ) -> None:
        name = operation.operation_id if operation and operation.operation_id else f"{exchange.method} {exchange.path}"
        mark = verdict.mark if verdict is not None else "(CORS preflight, not checked)"
        line = f"[{number}] {name} {exchange.status or '-'} {mark} {exchange.duration * 1000:.0f} ms"
        if violations:
            line += " " + "; ".join(f"{v.party}: {v.what}" for v in violations)
        line = masking.clean(line)
        self.out.write((line[:SHOWN_LINE] + ("..." if len(line) > SHOWN_LINE else "")) + "\n")
        self.out.flush()

    def _learn_credentials(self, headers: list[tuple[str, str]]) -> None:
        """A credential the client sends is masked wherever an echo of it appears (a body, a URL), not only in
        its header; within a bound, since each one grows the masking pattern."""
        for name, value in headers:
            if self.masker.header(name, value) == value or len(self._credentials) >= MAX_CREDENTIALS:
                continue
            token = value.partition(" ")[2] if " " in value else value
            for secret in {token, _decoded_basic(token)} - {"", None}:
                if secret not in self._credentials and len(secret) >= 4:
                    self._credentials.add(secret)
                    masking.register(secret)

    def record(self, contract: Contract | None, operation: Operation | None, exchange: Exchange) -> dict[str, Any]:
        """The exchange in the recording format, every credential masked."""

        def message(headers: list[tuple[str, str]], content: bytes | None, size: int) -> dict[str, Any]:
            text = (content or b"")[: recording.BODY_LIMIT].decode("utf-8", errors="replace")
            shown = {
                name: self.masker.header(name, value)[:MAX_HEADER_VALUE] for name, value in _joined(headers).items()
            }
            truncated = content is None or len(content) > recording.BODY_LIMIT or size > len(content)
            return {"headers": shown, "body": recording.body(masking.mask(text), size, truncated)}

        return {
            "recording": recording.VERSION,
            "time": recording.timestamp(exchange.at),
            "api": contract.api if contract else None,
            "operationId": operation.operation_id or None if operation else None,
            "method": exchange.method,
            "path": masking.mask(exchange.path),
            "query": masking.mask(exchange.query),
            "status": exchange.status,
            "durationMs": round(exchange.duration * 1000, 3),
            "request": message(exchange.request_headers, exchange.request_body, exchange.request_size),
            "response": message(exchange.response_headers, exchange.response_body, exchange.response_size),
        }

    @property
    def results(self) -> list[CheckResult]:
        return self.kept.results


def _decoded_basic(token: str) -> str | None:
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except ValueError:
        return None
    return decoded if ":" in decoded else None

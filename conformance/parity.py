"""`conformance parity`: replay a recording (of a real system) against our mock and say where the mock answers
differently, in what does not depend on data: the status and its class, the media type, the error code, the
answer's shape (keys, types, nullability) and the presence of the headers the contract documents.

The replay runs on a fresh tenant of the mock, seeded from the fixture document given (or the demo data), in
the recording's order. Credentials were masked when recorded: each masked credential header is sent again
with the fresh tenant's credential. Differences are grouped by rule and operation, both answers side by side,
and a group whose rule (or schema) rests on one of our assumptions says so: those are the findings that tell
us where the contract or the mock is wrong.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from conformance import masking
from conformance.assumed_schema import every_assumed
from conformance.bounded_http import bounded_client
from conformance.contracts import Contract, Rule, load_contracts
from conformance.findings import SuiteError
from conformance.masking import MASK
from conformance.proxy.app import HOP_BY_HOP
from conformance.proxy.checks import Message, check_request, error_code, is_json, media_type, parse_json
from conformance.proxy.routing import Operation, Router
from conformance.recording import Entry, RecordingError, read
from conformance.target import answers_admin, auth_headers

NOT_REPLAYED = {"host", "content-length", "accept-encoding", *HOP_BY_HOP}
MAX_DEPTH = 32
SHOWN_PER_GROUP = 5


@dataclass(frozen=True)
class Difference:
    what: str
    """`status`, `status class`, `media type`, `code`, `shape /path`, `header Name`."""
    real: Any
    mock: Any


@dataclass
class Compared:
    line: int
    differences: list[Difference]
    real: dict[str, Any]
    mock: dict[str, Any]


@dataclass
class Group:
    rules: tuple[str, ...]
    api: str
    operation_id: str
    assumptions: list[str] = field(default_factory=list)
    exchanges: list[Compared] = field(default_factory=list)

    @property
    def touches_assumption(self) -> bool:
        return bool(self.assumptions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": list(self.rules),
            "api": self.api,
            "operationId": self.operation_id,
            "touchesAssumption": self.touches_assumption,
            "assumptions": self.assumptions,
            "exchanges": [
                {
                    "line": c.line,
                    "real": c.real,
                    "mock": c.mock,
                    "differences": [{"what": d.what, "real": d.real, "mock": d.mock} for d in c.differences],
                }
                for c in self.exchanges
            ],
        }


@dataclass
class Outcome:
    replayed: int = 0
    same: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    groups: dict[tuple[tuple[str, ...], str, str], Group] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "replayed": self.replayed,
            "same": self.same,
            "differ": sum(len(group.exchanges) for group in self.groups.values()),
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
            "groups": [group.as_dict() for group in self.groups.values()],
        }


# -- shapes -------------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"  # 1 and 1.5 are the same type; which one a value is depends on the data
    return {str: "string", list: "array", dict: "object"}[type(value)]


def shape_differences(real: Any, mock: Any, where: str = "", depth: int = 0) -> Iterable[Difference]:
    """Where the two JSON values differ in shape: a key only one has, a type, a null on one side only.
    Items of arrays are compared by their union of keys, and only when both arrays hold items (how many
    there are is data)."""
    real_kind, mock_kind = _kind(real), _kind(mock)
    if real_kind != mock_kind:
        what = "nullability" if "null" in (real_kind, mock_kind) else "type"
        yield Difference(f"{what} {where or '/'}", real_kind, mock_kind)
        return
    if depth >= MAX_DEPTH:
        return
    if real_kind == "object":
        only_real, only_mock = sorted(set(real) - set(mock)), sorted(set(mock) - set(real))
        if only_real or only_mock:
            yield Difference(f"keys {where or '/'}", only_real, only_mock)
        for key in sorted(set(real) & set(mock)):
            yield from shape_differences(real[key], mock[key], f"{where}/{key}", depth + 1)
    elif real_kind == "array" and real and mock:
        yield from shape_differences(_merged(real), _merged(mock), f"{where}/[]", depth + 1)


def _merged(items: list[Any]) -> Any:
    """One item standing for all: objects merged (first seen value per key), else the first item."""
    if all(isinstance(item, dict) for item in items):
        merged: dict[str, Any] = {}
        for item in items:
            for key, value in item.items():
                if key not in merged or merged[key] is None:
                    merged[key] = value
        return merged
    return items[0]


# -- one exchange ------------------------------------------------------------------------------------


def _answer(status: int | None, headers: dict[str, str], text: str) -> dict[str, Any]:
    body: Any = None
    media = media_type(headers)
    if is_json(media) and text:
        try:
            body = parse_json(text.encode("utf-8"))
        except ValueError:
            body = None
    return {
        "status": status,
        "mediaType": media,
        "code": error_code(body) if (status or 0) >= 400 else None,
        "body": body,
    }


def _documented_headers(contract: Contract, operation: Operation, status: int) -> list[str]:
    responses = contract.operation(operation.method, operation.template).get("responses", {})
    response = contract.resolve(responses.get(str(status), {}))
    return sorted(name.lower() for name in response.get("headers", {}))


def compare(
    contract: Contract,
    operation: Operation,
    real: dict[str, Any],
    real_headers: dict[str, str],
    mock: dict[str, Any],
    mock_headers: dict[str, str],
    real_truncated: bool,
) -> list[Difference]:
    differences = []
    if real["status"] != mock["status"]:
        same_class = (real["status"] or 0) // 100 == (mock["status"] or 0) // 100
        differences.append(Difference("status" if same_class else "status class", real["status"], mock["status"]))
    if real["mediaType"] != mock["mediaType"] and (real["mediaType"] or mock["mediaType"]):
        differences.append(Difference("media type", real["mediaType"], mock["mediaType"]))
    if real["code"] != mock["code"]:
        differences.append(Difference("code", real["code"], mock["code"]))
    if (
        real["status"] == mock["status"]
        and not real_truncated
        and real["body"] is not None
        and mock["body"] is not None
    ):
        differences += list(shape_differences(real["body"], mock["body"]))
    if real["status"] == mock["status"] and real["status"] is not None:
        for name in _documented_headers(contract, operation, real["status"]):
            if (name in real_headers) != (name in mock_headers):
                differences.append(Difference(f"header {name}", name in real_headers, name in mock_headers))
    return differences


def _rules_for(contract: Contract, operation: Operation, answer: dict[str, Any]) -> tuple[str, ...]:
    """The operation's error rules an answer matches by status and code."""
    if answer["status"] is None or answer["status"] < 400:
        return ()
    return tuple(
        rule.id
        for rule in contract.rules
        if rule.operation_id == operation.operation_id
        and rule.status == answer["status"]
        and (rule.code is None or rule.code == answer["code"])
    )


def _assumptions(
    contract: Contract, rules: tuple[str, ...], differences: list[Difference], operation: Operation, status: int | None
) -> list[str]:
    found = []
    parts = {"status" if d.what in ("status", "status class") else d.what for d in differences}
    for rule_id in rules:
        rule: Rule = contract.rule(rule_id)
        if rule.source == "assumption":
            found.append(f"{rule.id} is an assumption")
        elif "behaviour" in rule.assumed:
            found.append(f"{rule.id}'s behaviour is our reading")
        else:
            found += [f"{rule.id}'s {part} is assumed" for part in rule.assumed if part in parts]
    if any(d.what.split(" ")[0] in ("keys", "type", "nullability") for d in differences) and status is not None:
        responses = contract.operation(operation.method, operation.template).get("responses", {})
        keywords = every_assumed(contract.resolve(responses.get(str(status), {})), contract.resolve)
        if keywords:
            found.append(f"the answer's schema assumes {', '.join(sorted(keywords))}")
    return found


# -- the replay --------------------------------------------------------------------------------------


@dataclass
class Replay:
    base_url: str
    contracts: dict[str, Contract]
    tenant: str = field(default_factory=lambda: f"parity-{uuid.uuid4().hex[:12]}")
    timeout: float = 10.0

    def seed(self, http: httpx.Client, fixtures: Path | None) -> None:
        """A fresh tenant: the demo data unless ``fixtures`` names a document to start from."""
        if fixtures is None:
            response = http.post(f"{self.base_url}/__admin/reset", params={"tenant": self.tenant})
        else:
            try:
                content = fixtures.read_bytes()
            except OSError as error:
                raise SuiteError(f"{fixtures}: {error.strerror or error}") from None
            kind = "application/json" if fixtures.suffix.lower() == ".json" else "application/yaml"
            response = http.post(
                f"{self.base_url}/__admin/fixtures",
                params={"tenant": self.tenant},
                content=content,
                headers={"Content-Type": kind},
            )
        if response.status_code != 200:
            raise SuiteError(f"the mock refused the fixtures ({response.status_code}): {response.text[:300]}")

    def headers(self, contract: Contract, recorded: dict[str, str]) -> dict[str, str]:
        credential = {name.lower(): value for name, value in auth_headers(contract, self.tenant).items()}
        headers = {}
        for name, value in recorded.items():
            if name in NOT_REPLAYED:
                continue
            if MASK in value:
                if name in credential:
                    headers[name] = credential[name]
                continue  # another masked secret (a cookie): not ours to invent
            headers[name] = value
        return headers

    def run(self, entries: Iterable[Entry], fixtures: Path | None = None) -> Outcome:
        router = Router(self.contracts, dict.fromkeys(self.contracts, self.base_url))
        outcome = Outcome()
        with bounded_client(self.timeout) as http:
            self.seed(http, fixtures)
            for entry in entries:
                self._one(http, router, entry, outcome)
        return outcome

    def _one(self, http: httpx.Client, router: Router, entry: Entry, outcome: Outcome) -> None:
        record = entry.record
        contract = self.contracts.get(record["api"] or "") or router.api_of(record["path"])
        operation = router.operation(contract, record["method"], record["path"]) if contract else None
        if contract is None or operation is None or not operation.operation_id:
            outcome.skipped.append((entry.line, "no operation of the contracts"))
            return
        if record["request"]["body"]["truncated"]:
            outcome.skipped.append((entry.line, "its request body was cut when recorded"))
            return
        if record["status"] is None:
            outcome.skipped.append((entry.line, "no answer was recorded"))
            return
        url = f"{self.base_url}{record['path']}" + (f"?{record['query']}" if record["query"] else "")
        headers = self.headers(contract, record["request"]["headers"])
        content = record["request"]["body"]["text"].encode("utf-8")
        try:
            request = http.build_request(record["method"], url, headers=headers, content=content or None)
        except (httpx.InvalidURL, UnicodeEncodeError, ValueError) as error:
            outcome.skipped.append((entry.line, f"a request httpx cannot send ({type(error).__name__})"))
            return
        try:
            response = http.send(request)
        except httpx.LocalProtocolError as error:
            outcome.skipped.append((entry.line, f"a request httpx cannot send ({type(error).__name__})"))
            return
        except httpx.HTTPError as error:
            raise SuiteError(f"the mock did not answer line {entry.line}: {type(error).__name__} {error}") from None
        outcome.replayed += 1
        real_headers = record["response"]["headers"]
        real = _answer(record["status"], real_headers, record["response"]["body"]["text"])
        mock_headers = {name.lower(): value for name, value in response.headers.items()}
        mock = _answer(response.status_code, mock_headers, response.content.decode("utf-8", errors="replace"))
        differences = compare(
            contract, operation, real, real_headers, mock, mock_headers, bool(record["response"]["body"]["truncated"])
        )
        if not differences:
            outcome.same += 1
            return
        rules = self._rules(contract, operation, record, headers, content, real, mock)
        key = (rules, contract.api, operation.operation_id)
        group = outcome.groups.setdefault(key, Group(rules, contract.api, operation.operation_id))
        for assumption in _assumptions(contract, rules, differences, operation, real["status"]):
            if assumption not in group.assumptions:
                group.assumptions.append(assumption)
        shown = {"status", "mediaType", "code"}
        group.exchanges.append(
            Compared(
                entry.line,
                differences,
                {k: v for k, v in real.items() if k in shown},
                {k: v for k, v in mock.items() if k in shown},
            )
        )

    @staticmethod
    def _rules(
        contract: Contract,
        operation: Operation,
        record: dict[str, Any],
        headers: dict[str, str],
        content: bytes,
        real: dict[str, Any],
        mock: dict[str, Any],
    ) -> tuple[str, ...]:
        """Which rule the difference is about: the one the request shows (`requestKeywords`), else the rules
        our mock's answer matches, else those the real answer matches."""
        query = parse_qs(record["query"], keep_blank_values=True)
        violations, _ = check_request(contract, operation, query, Message(headers, content))
        shown = tuple(v.rule.id for v in violations if v.rule is not None)
        return shown or _rules_for(contract, operation, mock) or _rules_for(contract, operation, real)


def run_parity(recording: Path, base_url: str, fixtures: Path | None, timeout: float = 10.0) -> Outcome:
    """Replays ``recording`` against our mock at ``base_url``; SuiteError when it cannot (not our mock, a bad
    recording or fixture document)."""
    base_url = base_url.rstrip("/")
    if not answers_admin(base_url, timeout):
        raise SuiteError(f"{base_url} is not our mock (no /__admin/health): parity replays against our mock only")
    try:
        return Replay(base_url, load_contracts(), timeout=timeout).run(read(recording), fixtures)
    except RecordingError as error:
        raise SuiteError(str(error)) from None


def print_outcome(outcome: Outcome, out: Any) -> None:
    """Differences by rule and operation, both answers side by side; assumptions named."""
    for group in outcome.groups.values():
        rules = " / ".join(group.rules) or "no rule"
        flag = f"  [touches our assumption: {'; '.join(group.assumptions)}]" if group.assumptions else ""
        out.write(f"\n{rules}: {group.api} {group.operation_id}, {len(group.exchanges)} exchange(s){flag}\n")
        for compared in group.exchanges[:SHOWN_PER_GROUP]:
            for difference in compared.differences:
                out.write(
                    masking.clean(
                        f"  line {compared.line}: {difference.what}: real {json.dumps(difference.real)}"
                        f" | mock {json.dumps(difference.mock)}\n"
                    )
                )
        if len(group.exchanges) > SHOWN_PER_GROUP:
            out.write(f"  ... and {len(group.exchanges) - SHOWN_PER_GROUP} more exchange(s)\n")
    differ = sum(len(group.exchanges) for group in outcome.groups.values())
    out.write(
        f"\nparity: {outcome.replayed} replayed, {outcome.same} the same, {differ} differ "
        f"({len(outcome.groups)} group(s)), {len(outcome.skipped)} not replayed\n"
    )
    for reason, count in _counted(reason for _, reason in outcome.skipped):
        out.write(f"  not replayed {count}: {reason}\n")


def _counted(reasons: Iterable[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])

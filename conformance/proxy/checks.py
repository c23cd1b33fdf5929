"""One exchange against the contract: what the client sent (parameters, media type, body) and what the server
answered (a documented status, media type, body schema, error code; the rule's status and code where the
request shows which rule applies, through the rule's `requestKeywords`).

Schemas are checked with openapi-schema-validator's OAS 3.0 validators (jsonschema underneath): they know OAS
3.0's `nullable` and read/write-only, which a plain JSON Schema validator gets wrong, and each error names
the keyword and the very schema node it failed on, so `x-assumed` is read from that node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from conformance.assumed_schema import assumed_keywords
from conformance.contracts import Contract, Rule
from conformance.findings import OUTCOME, ContractBroken, Finding, SchemaBroken, SchemaFailure
from conformance.proxy.routing import Operation

Party = Literal["client", "server"]
SHOWN_ERRORS = 5
SHOWN_MESSAGE = 160


@dataclass(frozen=True)
class Message:
    """One side of an exchange as the checks need it: headers lower-cased, the body whole or None when it was
    larger than the proxy checks."""

    headers: dict[str, str]
    body: bytes | None


@dataclass
class Violation:
    party: Party
    what: str
    """Which part broke the contract and how, in a line."""
    finding: Finding
    rule: Rule | None = None


@dataclass
class _Request:
    """What the request shows: its off-contract keywords (all, and those the contract marks assumed)."""

    keywords: set[str] = field(default_factory=set)
    assumed: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def media_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


def is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _documented_media(content: dict[str, Any], media: str) -> str | None:
    """The contract's media type key that ``media`` matches (case-insensitive, `*/*` and `type/*` ranges)."""
    for key in content:
        lowered = key.lower()
        if lowered in (media, "*/*") or (lowered.endswith("/*") and media.startswith(lowered[:-1])):
            return key
    return None


def _node(contract: Contract, pointer: tuple[str, ...]) -> Any:
    node: Any = contract.spec
    for part in pointer:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@cache
def _validator(contract: Contract, pointer: tuple[str, ...], write: bool) -> Any:
    node = _node(contract, pointer)
    # Local `$ref`s resolve against the root given to the validator: the node plus the spec's components.
    root = {**node, "components": contract.spec.get("components", {})} if isinstance(node, dict) else node
    return (OAS30WriteValidator if write else OAS30ReadValidator)(root)


def parse_json(raw: bytes) -> Any:
    """A JSON body; ValueError when it is not UTF-8 JSON or nests too deeply for Python's parser to read."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8: {error}") from None
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def _errors(contract: Contract, pointer: tuple[str, ...], value: Any, write: bool) -> list[ValidationError]:
    try:
        errors = list(_validator(contract, pointer, write).iter_errors(value))
    except RecursionError:
        return []  # nested deeper than the validator can follow: left unchecked rather than crash the proxy
    leaves: list[ValidationError] = []
    for error in errors:  # oneOf / anyOf: what failed inside says more than the combinator
        leaves.extend(error.context or [error]) if error.validator in ("oneOf", "anyOf") else leaves.append(error)
    return leaves


def _where(error: ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def _rests_on(errors: list[ValidationError]) -> tuple[set[str], set[str]]:
    keywords = {str(error.validator) for error in errors}
    assumed = {str(error.validator) for error in errors if str(error.validator) in assumed_keywords(error.schema)}
    return keywords, assumed


def _said(error: ValidationError) -> str:
    """jsonschema's message, unless it repeats a long instance: then the keyword and its value."""
    if len(error.message) <= SHOWN_MESSAGE:
        return error.message
    return f"breaks {error.validator}: {json.dumps(error.validator_value, default=str)[:SHOWN_MESSAGE]}"


def _described(errors: list[ValidationError]) -> str:
    shown = [f"{_where(error)}: {_said(error)} ({error.validator})" for error in errors[:SHOWN_ERRORS]]
    more = f"; and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
    return "; ".join(shown) + more


def _schema_finding(
    check: str, title: str, message: str, keywords: set[str], assumed: set[str], status: int | None
) -> SchemaBroken:
    failure = SchemaFailure(check, title, message, frozenset(keywords), frozenset(assumed), status=status)
    return SchemaBroken(failures=[failure])


def _coerced(value: str, schema: dict[str, Any]) -> Any:
    """A parameter's text as the type its schema names (a query, path or header value is always text)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return {"true": True, "false": False}.get(value, value)
        if kind == "array":
            return value.split(",")
    except ValueError:
        return value
    return value


def _parameters(contract: Contract, operation: Operation) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Each parameter with the pointer to its node: the operation's own win over the path item's."""
    item = ("paths", operation.template)
    found: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, Any]]] = {}
    for pointer in (item, (*item, operation.method.lower())):
        node = _node(contract, pointer)
        for index, parameter in enumerate(node.get("parameters", [])):
            where: tuple[str, ...] = (*pointer, "parameters", str(index))
            if "$ref" in parameter:
                where = tuple(parameter["$ref"][2:].split("/"))
            resolved = contract.resolve(parameter)
            found[(resolved["name"].lower(), resolved["in"])] = (where, resolved)
    return list(found.values())


def _check_parameters(
    contract: Contract, operation: Operation, query: dict[str, list[str]], request: Message, shown: _Request
) -> None:
    for where, parameter in _parameters(contract, operation):
        name, place = parameter["name"], parameter["in"]
        if place == "path":
            values = [operation.path_parameters.get(name, "")]
        elif place == "query":
            values = query.get(name, [])
        elif place == "header":
            values = [request.headers[name.lower()]] if name.lower() in request.headers else []
        else:
            continue
        if not values:
            if parameter.get("required"):
                shown.keywords.add("required")
                shown.problems.append(f"{place} parameter {name} is missing")
            continue
        schema = contract.resolve(parameter.get("schema", {}))
        pointer = (*where, "schema")
        for value in values:
            # Validated through the pointer, so `$ref`s and `x-assumed` inside the schema keep their meaning.
            errors = (
                []
                if not parameter.get("schema")
                else _errors(contract, _deref(contract, pointer), _coerced(value, schema), write=True)
            )
            if errors:
                keywords, assumed = _rests_on(errors)
                shown.keywords |= keywords
                shown.assumed |= assumed
                shown.problems.append(f"{place} parameter {name}: {_described(errors)}")


def _deref(contract: Contract, pointer: tuple[str, ...]) -> tuple[str, ...]:
    """The pointer to the node a `$ref` at ``pointer`` names (validators are cached per pointer)."""
    node = _node(contract, pointer)
    reference = node.get("$ref") if isinstance(node, dict) else None
    return tuple(reference[2:].split("/")) if isinstance(reference, str) and reference.startswith("#/") else pointer


def _has_credential(contract: Contract, operation: Operation, headers: dict[str, str]) -> bool:
    """Whether the request carries a credential of one of the operation's security requirements (by the
    scheme's header; whether it is a valid one only the server can tell)."""
    requirements = contract.operation(operation.method, operation.template).get(
        "security", contract.spec.get("security", [])
    )
    if not requirements:
        return True
    for requirement in requirements:
        if all(_carries(contract.security_schemes.get(name, {}), headers) for name in requirement):
            return True
    return False


def _carries(scheme: dict[str, Any], headers: dict[str, str]) -> bool:
    if scheme.get("type") == "http":
        scheme_name, _, value = headers.get("authorization", "").partition(" ")
        return scheme_name.lower() == str(scheme.get("scheme", "")).lower() and bool(value.strip())
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return bool(headers.get(str(scheme.get("name", "")).lower(), "").strip())
    return True  # a scheme the proxy cannot see from headers (query keys, OAuth flows): not judged


def check_request(
    contract: Contract, operation: Operation, query: dict[str, list[str]], request: Message
) -> tuple[list[Violation], _Request]:
    shown = _Request()
    if not _has_credential(contract, operation, request.headers):
        shown.keywords.add("credential")
        shown.problems.append("no credential of the operation's security scheme")
    _check_parameters(contract, operation, query, request, shown)
    spec_operation = contract.operation(operation.method, operation.template)
    body_spec = contract.resolve(spec_operation.get("requestBody"))
    if body_spec and request.body is not None:
        content = body_spec.get("content", {})
        media = media_type(request.headers) or next(iter(content), "")
        key = _documented_media(content, media)
        if not request.body:
            if body_spec.get("required"):
                shown.keywords.add("required")
                shown.problems.append("the request body is required and empty")
        elif key is None:
            shown.keywords.add("mediaType")
            shown.problems.append(f"media type {media or 'none'} is not one of {', '.join(content)}")
        elif is_json(key.lower()):
            _check_json_body(contract, operation, key, request.body, shown)
    violations = []
    if shown.problems:
        finding = _schema_finding(
            "request_conformance",
            "Request off contract",
            "; ".join(shown.problems),
            shown.keywords,
            shown.assumed,
            None,
        )
        violations.append(
            Violation("client", "; ".join(shown.problems), finding, _rule_shown(contract, operation, shown))
        )
    return violations, shown


def _check_json_body(contract: Contract, operation: Operation, key: str, body: bytes, shown: _Request) -> None:
    try:
        value = parse_json(body)
    except ValueError as error:
        shown.keywords.add("json")
        shown.problems.append(f"the body is not JSON: {str(error)[:200]}")
        return
    pointer = ("paths", operation.template, operation.method.lower(), "requestBody", "content", key, "schema")
    if contract.operation(operation.method, operation.template)["requestBody"].get("$ref"):
        reference = contract.operation(operation.method, operation.template)["requestBody"]["$ref"]
        pointer = (*reference[2:].split("/"), "content", key, "schema")
    errors = _errors(contract, pointer, value, write=True)
    if errors:
        keywords, assumed = _rests_on(errors)
        shown.keywords |= keywords
        shown.assumed |= assumed
        shown.problems.append(f"body {_described(errors)}")


def _rule_shown(contract: Contract, operation: Operation, shown: _Request) -> Rule | None:
    """The operation's rule whose `requestKeywords` the request's failures show, when exactly one does."""
    rules = [
        rule
        for rule in contract.rules
        if rule.operation_id == operation.operation_id and set(rule.request_keywords) & shown.keywords
    ]
    return rules[0] if len(rules) == 1 else None


def error_code(body: Any) -> str | None:
    """A vendor error body's code: `code`, or a member named like `o:errorCode` (Oracle's ADF)."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("code"), str):
        return body["code"]
    return next(
        (value for name, value in body.items() if name.lower().endswith("errorcode") and isinstance(value, str)), None
    )


@cache
def documented_codes(contract: Contract) -> frozenset[str]:
    return frozenset(rule.code for rule in contract.rules if rule.code)


def check_response(
    contract: Contract, operation: Operation, status: int, response: Message, shown: _Request
) -> list[Violation]:
    spec_operation = contract.operation(operation.method, operation.template)
    responses = spec_operation.get("responses", {})
    key = str(status) if str(status) in responses else ("default" if "default" in responses else None)
    violations: list[Violation] = []
    answered = status < 500
    if key is None:
        documented = ", ".join(sorted(responses))
        finding = ContractBroken(
            None, f"a documented status ({documented})", str(status), {"status"}, answered=answered
        )
        violations.append(Violation("server", f"status {status} is not documented ({documented})", finding))
    rule = _rule_shown(contract, operation, shown)
    if shown.problems:
        violations += _refusal(contract, operation, status, response, shown, rule)
    if key is None:
        return violations
    content = contract.resolve(responses[key]).get("content", {})
    if not content or not response.body or response.body is None:
        return violations
    media = media_type(response.headers)
    media_key = _documented_media(content, media)
    if media_key is None:
        finding = ContractBroken(
            None, f"media type {', '.join(content)}", media or "none", {"media type"}, answered=answered
        )
        violations.append(
            Violation("server", f"media type {media or 'none'} is not one of {', '.join(content)}", finding)
        )
        return violations
    if not is_json(media_key.lower()):
        return violations
    try:
        value = parse_json(response.body)
    except ValueError as error:
        finding = ContractBroken(None, "a JSON body", f"{str(error)[:200]}", {"media type"}, answered=False)
        violations.append(Violation("server", f"the body labelled {media} is not JSON", finding))
        return violations
    response_ref = responses[key].get("$ref") if isinstance(responses[key], dict) else None
    base = (
        tuple(response_ref[2:].split("/"))
        if response_ref
        else ("paths", operation.template, operation.method.lower(), "responses", key)
    )
    errors = _errors(contract, (*base, "content", media_key, "schema"), value, write=False)
    if errors:
        keywords, assumed = _rests_on(errors)
        text = _described(errors)
        finding = _schema_finding(
            "response_schema_conformance", "Response off contract", text, keywords, assumed, status
        )
        violations.append(Violation("server", f"body {text}", finding))
    code = error_code(value) if status >= 400 else None
    if code is not None and documented_codes(contract) and code not in documented_codes(contract):
        finding = ContractBroken(None, "a documented error code", code, {"code"})
        violations.append(Violation("server", f"error code {code} is not one the contract documents", finding))
    return violations


def _refusal(
    contract: Contract, operation: Operation, status: int, response: Message, shown: _Request, rule: Rule | None
) -> list[Violation]:
    """A request off contract must be refused: with the rule's status and code when the request shows which
    rule applies, else with some 4xx."""
    if rule is not None:
        code = None
        if rule.code is not None and response.body:
            try:
                code = error_code(parse_json(response.body))
            except ValueError:
                code = None
        differs: set[str] = set()
        if status != rule.status:
            differs.add("status" if status // 100 == rule.status // 100 else OUTCOME)
        if rule.code is not None and code != rule.code:
            differs.add("code")
        if not differs:
            return []
        wanted = f"{rule.status}{' ' + rule.code if rule.code else ''}"
        got = f"{status}{' ' + code if code else ''}"
        finding = ContractBroken(rule.id, wanted, got, differs, answered=status < 500)
        return [Violation("server", f"{rule.id}: expected {wanted}, got {got}", finding, rule)]
    if 400 <= status < 500:
        return []
    failure = SchemaFailure(
        "negative_data_rejection",
        "Off-contract request not refused",
        f"answered {status} to: {'; '.join(shown.problems)}",
        frozenset(shown.keywords),
        frozenset(shown.assumed),
        status=status,
    )
    return [
        Violation(
            "server", f"answered {status} to a request off contract (expected a 4xx)", SchemaBroken(failures=[failure])
        )
    ]

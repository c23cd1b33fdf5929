"""The verdict policy on its own: documented parts decide FAIL, assumed parts WARN with what the target answered,
no valid answer is a FAIL whatever the rule's source, and a run that checked nothing is never green."""

from __future__ import annotations

import httpx
import pytest

from conformance.contracts import Rule, load_contracts
from conformance.expect import expect_outcome
from conformance.findings import ContractBroken, NothingChecked, SchemaBroken, SchemaFailure
from conformance.safety import skip_reason
from conformance.verdicts import TargetKind, Verdict, decide, exit_code, worst

REAL = TargetKind(ours=False)
OURS = TargetKind(ours=True)
TESMA = load_contracts()["tesma"]


def rule(source: str = "vendor-doc", assumed: tuple[str, ...] = (), status: int = 400, code: str | None = "X"):
    return Rule("R-1", "a rule", status, source, "tesma", "patch_lease_assets", "PATCH", "/leases/assets", code,
                assumed)  # fmt: skip


def answer(status: int, body: bytes = b"", content_type: str = "application/problem+json") -> httpx.Response:
    request = httpx.Request("PATCH", "http://target/v1/leases/assets")
    return httpx.Response(status, content=body, headers={"content-type": content_type}, request=request)


def finding(response: httpx.Response, expected: Rule) -> ContractBroken:
    with pytest.raises(ContractBroken) as raised:
        expect_outcome(response, expected, lambda body: body.get("code"), TESMA)
    return raised.value


def test_only_an_assumed_code_differs_warn_with_what_the_target_answered():
    expected = rule(assumed=("code",), code="TOO_MANY_ASSETS")
    broken = finding(answer(400, b'{"code": "LIMIT"}'), expected)
    decision = decide("failed", broken, expected, REAL, strict=False)
    assert decision.verdict == Verdict.WARN
    assert decision.assumed == "code TOO_MANY_ASSETS" and decision.answered.startswith("400 LIMIT")


def test_an_assumed_status_may_differ_within_its_class_but_a_refusal_must_stay_a_refusal():
    expected = rule(assumed=("status", "code"), code="TOO_MANY_ASSETS")
    warned = finding(answer(422, b'{"code": "LIMIT"}'), expected)
    assert decide("failed", warned, expected, REAL, strict=False).verdict == Verdict.WARN
    accepted = finding(answer(202, b'{"id": 1}', "application/json"), expected)
    assert decide("failed", accepted, expected, REAL, strict=False).verdict == Verdict.FAIL


def test_a_documented_part_that_differs_fails():
    expected = rule(assumed=("code",), status=401, code="UNAUTHORIZED")
    broken = finding(answer(400, b'{"code": "UNAUTHORIZED"}'), expected)
    assert broken.differs == {"status"}
    assert decide("failed", broken, expected, REAL, strict=False).verdict == Verdict.FAIL


def test_strict_and_our_own_mock_keep_every_difference_a_failure():
    expected = rule(assumed=("code",), code="TOO_MANY_ASSETS")
    broken = finding(answer(400, b'{"code": "LIMIT"}'), expected)
    assert decide("failed", broken, expected, REAL, strict=True).verdict == Verdict.FAIL
    assert decide("failed", broken, expected, OURS, strict=False).verdict == Verdict.FAIL


@pytest.mark.parametrize(
    "error",
    [ContractBroken("R-1", "400", "a server error", {"outcome"}, answered=False), httpx.ReadTimeout("timed out"),
     KeyError("crash in the runner"), httpx.RemoteProtocolError("illegal status line")],
    ids=["503", "timeout", "crash", "garbage-status-line"],
)  # fmt: skip
def test_no_valid_answer_fails_even_an_assumption_rule(error):
    assumption = rule(source="assumption")
    assert decide("failed", error, assumption, REAL, strict=False).verdict == Verdict.FAIL


def test_a_scenarios_own_assertion_on_an_answer_warns_only_for_a_rule_resting_on_an_assumption():
    compared = AssertionError("the job lists 2 errors, expected 1")
    decision = decide("failed", compared, rule(source="assumption"), REAL, strict=False)
    assert (decision.verdict, decision.answered) == (Verdict.WARN, "the job lists 2 errors, expected 1")
    assert decide("failed", compared, rule(assumed=("status", "code")), REAL, strict=False).verdict == Verdict.FAIL


def test_a_server_error_is_not_an_answer_to_compare():
    broken = finding(answer(503, b"Service Unavailable", "text/plain"), rule(source="assumption"))
    assert not broken.answered
    assert decide("failed", broken, rule(source="assumption"), REAL, strict=False).verdict == Verdict.FAIL


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"<html><body>Bad Request</body></html>", "text/html"),
     ('{"code": "X"}'.encode("utf-16"), "application/json"),
     (b'{"code": "X"}', "application/json; charset=utf-16")],
    ids=["html-error-page", "utf16-labelled-json", "utf16-charset"],
)  # fmt: skip
def test_an_answer_in_a_media_type_or_charset_the_contract_never_offers_fails(body, content_type):
    expected = rule(source="assumption", code="X")
    broken = finding(answer(400, body, content_type), expected)
    assert "media type" in broken.differs
    assert decide("failed", broken, expected, REAL, strict=False).verdict == Verdict.FAIL


def test_the_documented_answer_in_the_documented_media_type_passes():
    expect_outcome(answer(400, b'{"code": "X"}'), rule(), lambda body: body.get("code"), TESMA)


def schema_failure(assumed: frozenset[str], rests_on: frozenset[str], status: int | None = 200) -> SchemaBroken:
    failure = SchemaFailure("negative_data_rejection", "Schema-violating request accepted", "accepted",
                            rests_on=rests_on, assumed=assumed, curl="curl ...", status=status)  # fmt: skip
    return SchemaBroken(failures=[failure])


def test_a_schema_failure_resting_only_on_assumed_keywords_warns():
    keywords = frozenset({"maxLength"})
    assert decide("failed", schema_failure(keywords, keywords), None, REAL, strict=False).verdict == Verdict.WARN
    unmarked = schema_failure(frozenset(), frozenset({"maxLength"}))
    assert decide("failed", unmarked, None, REAL, strict=False).verdict == Verdict.FAIL
    server_error = schema_failure(keywords, keywords, status=500)
    assert decide("failed", server_error, None, REAL, strict=False).verdict == Verdict.FAIL


def test_exit_codes_mean_what_they_say():
    assert exit_code([Verdict.PASS, Verdict.WARN, Verdict.SKIP]) == 0
    assert exit_code([Verdict.PASS, Verdict.FAIL]) == 1
    with pytest.raises(NothingChecked):
        exit_code([Verdict.SKIP, Verdict.SKIP])
    with pytest.raises(NothingChecked):
        exit_code([])
    with pytest.raises(NothingChecked):
        exit_code([Verdict.PASS] * 3, min_checks=4)
    assert worst([Verdict.PASS, Verdict.WARN, Verdict.SKIP]) == Verdict.WARN


def test_the_safety_policy_on_its_own():
    assert skip_reason({"writes"}, REAL, None, 0) == "writes to the target: run with --allow-writes to include it"
    assert skip_reason({"writes"}, TargetKind(ours=False, writes_allowed=True), None, 0) is None
    assert skip_reason({"seeded"}, OURS, None, 0) is None
    assert "our mock only" in (skip_reason({"seeded"}, REAL, None, 0) or "")
    assert "time budget of 3 s" in (skip_reason(set(), OURS, 3, 4) or "")


@pytest.mark.parametrize(
    "content_type",
    ["application/problem+json", 'application/problem+json; charset="UTF-8"', "APPLICATION/PROBLEM+JSON; Charset=utf8",
     "application/problem+json ; charset=utf-8"],
)  # fmt: skip
def test_spellings_of_the_documented_media_type_are_the_documented_media_type(content_type):
    expect_outcome(answer(400, b'{"code": "X"}', content_type), rule(), lambda body: body.get("code"), TESMA)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("", b'{"code": "X"}'), ("application/json; charset=latin-1", b'{"code": "X"}'),
     ("application/problem+json", b'{"code": "\xff"}'), ("application/problem+json", b'{"code": '),
     ("text/plain", b"Bad Request"), ("application/problem+json; charset", b'{"code": "X"}')],
    ids=["unlabelled", "latin-1", "not-utf8", "cut-json", "text", "bare-charset"],
)  # fmt: skip
def test_answers_that_cannot_be_compared_fail_whatever_the_rule(content_type, body):
    expected = rule(source="assumption")
    try:
        expect_outcome(answer(400, body, content_type), expected, lambda b: b.get("code"), TESMA)
    except ContractBroken as broken:
        assert decide("failed", broken, expected, REAL, strict=False).verdict == Verdict.FAIL
    else:
        pytest.fail(f"{content_type!r} {body!r} was taken for a documented answer")

"""Schemathesis over every vendor and admin operation, with every check it has (`--checks all`), against a live
mock in strict auth mode (so that `ignored_auth` can tell an accepted stranger from a tenant): no 5xx, every
refusal in the vendor's own error format, and the health check still answering at once afterwards.

Excluded, and why:
- `positive_data_acceptance`: a schema-valid request may still break a documented business rule (a reading
  dated before the last one, an id that names nothing): those are the vendors' documented 400/404/409 refusals,
  which the conformance suite checks rule by rule (`x-rules`).
- `negative_data_rejection` for `POST /__admin/fixtures` and `ignored_auth` for tesma's PATCH only: see below.
Bounded: a few examples per operation and phase, so the whole hostile suite stays within about two minutes.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis

import asset_meter_specs
from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.vendor_api import discover_apis
from tests.hostile.conftest import ERROR_FORMATS, serve_as_the_cli_does

EXCLUDED_CHECKS = ("positive_data_acceptance",)
MAX_EXAMPLES = 4
STRICT_CREDENTIALS = {
    "overit": {"Authorization": "Bearer demo-overit-token"},
    "oracle": {"Authorization": "Basic " + base64.b64encode(b"demo-oracle-user:any").decode()},
    "energycap": {"ECI-ApiKey": "demo-energycap-key"},
    "tesma": {"X-API-KEY": "demo-tesma-key"},
    "admin": {},
}
SPECS = {**{api.id: api.spec_file for api in discover_apis()}, "admin": asset_meter_specs.ADMIN_SPEC}
SENT: Counter[str] = Counter()
SERVER_ERRORS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def strict_mock(request: pytest.FixtureRequest) -> Iterator[str]:
    with serve_as_the_cli_does(build_app(Settings(auth_mode="strict"))) as url:
        yield url
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        errors = sum(SERVER_ERRORS.values())
        reporter.write_line(f"hostile property-based run: {sum(SENT.values())} requests, "
                            f"{errors} answered 5xx ({dict(SERVER_ERRORS) or 'none'})")  # fmt: skip


@pytest.fixture(scope="module", params=list(SPECS))
def api_id(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def contract(api_id: str, strict_mock: str) -> Any:
    config = schemathesis.Config.from_dict({
        "seed": 11,
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        "checks": {name: {"enabled": False} for name in EXCLUDED_CHECKS},
        # A YAML fixture is text (`type: string`): whatever schemathesis generates as a wrong type, it sends
        # serialised as YAML, which is a valid document; refusals of bad documents are checked by test_fixtures.
        "operations": [{"include-operation-id": "post_fixtures",
                        "checks": {"negative_data_rejection": {"enabled": False}}},
                       # schemathesis 4.32 takes the configured credential for one it generated (so a valid key
                       # reads as ignored auth) on tesma's PATCH and Oracle's collection; strict refusal of unknown
                       # credentials: TESMA-BP-009 and tests/mockserver/test_tenancy_and_auth.py.
                       *({"include-operation-id": operation_id, "checks": {"ignored_auth": {"enabled": False}}}
                         for operation_id in ("patch_lease_assets", "list_meter_readings")),
                       # An endless event stream and a conformance run of several seconds per call: their inputs
                       # are checked in test_console_inputs.py.
                       *({"include-operation-id": operation_id, "enabled": False}
                         for operation_id in ("get_requests_stream", "post_rule_run"))],
    })  # fmt: skip
    schema = schemathesis.openapi.from_path(asset_meter_specs.spec_path(SPECS[api_id]), config=config)
    base_path = schema.raw_schema["servers"][0]["url"].rstrip("/")
    schema.config.update(base_url=strict_mock + base_path, headers=STRICT_CREDENTIALS[api_id], request_timeout=10)

    @schema.hook
    def after_call(context: Any, case: schemathesis.Case, response: Any) -> None:
        SENT[api_id] += 1
        if response.status_code >= 500:
            SERVER_ERRORS[f"{case.method} {case.path}"] += 1

    return schema


schema = schemathesis.pytest.from_fixture("contract")


@schema.parametrize()
def test_no_input_breaks_the_mock(case: schemathesis.Case, api_id: str, strict_mock: str) -> None:
    try:
        response = case.call_and_validate()
        if 400 <= response.status_code < 500:
            media_type, _ = ERROR_FORMATS[api_id]
            assert response.headers.get("content-type", [""])[0].split(";")[0] == media_type, (
                f"{case.method} {case.path} answered {response.status_code} outside the vendor's error format"
            )
    finally:
        if api_id == "admin":  # fault rules and clock moves it generated must not slow or skew what follows
            with httpx.Client(base_url=strict_mock, timeout=10) as admin:
                admin.delete("/__admin/faults")
                admin.put("/__admin/clock", json={"mode": "real"})


def test_the_mock_still_answers_at_once_afterwards(strict_mock: str) -> None:
    with httpx.Client(base_url=strict_mock, timeout=5) as http:
        assert http.get("/__admin/health").status_code == 200

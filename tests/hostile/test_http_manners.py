"""HTTP manners, tried as a client in the wild would: chunked bodies, 405 with Allow, CORS, redirects that do not
trust the Host header, JSON errors on the admin API and a credential header sent twice."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import asset_meter_specs
from mockserver.app import base_path_of, build_app, load_spec
from mockserver.settings import Settings
from mockserver.vendor_api import discover_apis
from tests.live_server import serve

SPECS = [*(api.spec_file for api in discover_apis()), asset_meter_specs.ADMIN_SPEC]
ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ORACLE_READING = {
    "AssetNumber": "F0554-02",
    "MeterCode": "0554 HOURS",
    "ReadingDate": "2026-03-14T16:27:00-07:00",
    "ReadingTypeCode": "ORA_ABSOLUTE",
    "MeterUsageCode": "ORA_ASSET",
    "ReadingValue": 1108.12,
}


def fresh() -> str:
    return f"h-{uuid.uuid4().hex[:12]}"


def basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:pw".encode()).decode()


def documented_operations() -> list[tuple[str, str, str]]:
    """(method, concrete path, operationId) of every operation of every contract, the admin API's included."""
    found = []
    for file_name in SPECS:
        spec = load_spec(file_name)
        for template, item in spec["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    path = base_path_of(spec) + template
                    while "{" in path:
                        start, end = path.index("{"), path.index("}")
                        path = path[:start] + "1" + path[end + 1 :]
                    found.append((method.upper(), path, operation["operationId"]))
    return found


@pytest.fixture(scope="module")
def app():
    return build_app(Settings(max_body_bytes=256 * 1024))


@pytest.fixture(scope="module")
def http(app) -> Iterator[httpx.Client]:
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


# Each body operation with a body it accepts (or refuses for a business reason), and the headers naming a
# tenant: `{tenant}` is replaced by a fresh one per request, so both sends see the same starting state.
BODY_OPERATIONS: dict[str, tuple[str, str, dict[str, str], Any]] = {
    "patch_measures_batch": (
        "PATCH",
        "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch",
        {"Authorization": "Bearer {tenant}"},
        [{"id": 3101, "note": "chunked"}],
    ),
    "create_meter_reading": ("POST", ORACLE, {"Authorization": "basic:{tenant}"}, ORACLE_READING),
    "update_meter_reading": ("PATCH", f"{ORACLE}/1", {"Authorization": "basic:{tenant}"}, {"EnabledFlag": False}),
    "create_readings": ("POST", "/api/v3/reading", {"ECI-ApiKey": "{tenant}"}, [{"channelId": 10001, "readings": []}]),
    "edit_channel_version": (
        "PUT",
        "/api/v202101/meter/501/channel/10001/version/2",
        {"ECI-ApiKey": "{tenant}"},
        {"multiplier": 2, "unitCode": "kWh", "observationRule": "Odometer", "maximumReading": 9999999},
    ),
    "patch_lease_assets": (
        "PATCH",
        "/v1/leases/assets",
        {"X-API-KEY": "{tenant}", "CorporateGroup-Name": "ACME"},
        [{"assetId": 111, "serialNumber": "chunked"}],
    ),
    "post_fixtures": ("POST", "/__admin/fixtures?tenant={tenant}", {}, {"overit": {"accounts": []}}),
    "put_faults": ("PUT", "/__admin/faults", {}, {"rules": []}),
    "put_clock": ("PUT", "/__admin/clock", {}, {"mode": "real"}),
    "post_tenants": ("POST", "/__admin/tenants", {}, {"label": "chunked"}),
    # No tenant has this fingerprint: both ways must read the body and answer the same 404.
    "put_tenant_state": ("PUT", "/__admin/tenants/t-000000000000/state", {}, {"overit": {"accounts": []}}),
    "post_tenant_send": (
        "POST",
        "/__admin/tenants/t-000000000000/send",
        {},
        {"api": "oracle", "method": "GET", "path": "/meterReadings"},
    ),
}


def _send(http: httpx.Client, operation_id: str, *, chunked: bool) -> httpx.Response:
    method, path, headers, body = BODY_OPERATIONS[operation_id]
    tenant = fresh()
    named = {name: value.replace("{tenant}", tenant) for name, value in headers.items()}
    if named.get("Authorization", "").startswith("basic:"):
        named["Authorization"] = basic(tenant)
    content = httpx.Request("POST", "/", json=body).content
    if chunked:
        pieces = [content[i : i + 7] for i in range(0, len(content), 7)]
        return http.request(
            method, path.replace("{tenant}", tenant), content=iter(pieces),
            headers={**named, "Content-Type": "application/json"},
        )  # fmt: skip
    return http.request(
        method, path.replace("{tenant}", tenant), content=content, headers={**named, "Content-Type": "application/json"}
    )


def test_the_table_covers_every_body_operation():
    with_body = {
        operation["operationId"]
        for file_name in SPECS
        for item in load_spec(file_name)["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "requestBody" in operation
    }
    assert with_body == set(BODY_OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(BODY_OPERATIONS))
def test_a_chunked_body_is_read_like_one_with_a_length(http, operation_id):
    sized = _send(http, operation_id, chunked=False)
    streamed = _send(http, operation_id, chunked=True)
    assert "RequestBody is required" not in streamed.text
    assert streamed.status_code == sized.status_code, streamed.text
    assert streamed.status_code < 500


def test_a_chunked_body_above_the_limit_is_refused_in_the_vendors_format(http):
    def pieces() -> Iterator[bytes]:
        yield b"["
        for _ in range(10_000):
            yield b'{"channelId": 10001, "readings": []},'
        yield b'{"channelId": 10001, "readings": []}]'

    response = http.post(
        "/api/v3/reading", content=pieces(), headers={"ECI-ApiKey": fresh(), "Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_405_names_every_method_the_path_allows(http):
    refused = http.delete("/api/v3/reading", headers={"ECI-ApiKey": fresh()})
    assert refused.status_code == 405
    assert refused.json()["code"]  # still the vendor's format
    assert [m.strip() for m in refused.headers["allow"].split(",")] == ["POST"]
    admin = http.post("/__admin/faults")
    assert admin.status_code == 405
    assert {m.strip() for m in admin.headers["allow"].split(",")} == {"GET", "HEAD", "PUT", "DELETE"}


@pytest.mark.parametrize(("method", "path", "operation_id"), documented_operations())
def test_a_preflight_is_answered_for_every_documented_operation(http, method, path, operation_id):
    response = http.options(
        path,
        headers={
            "Origin": "http://app.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, eci-apikey, x-api-key",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_answers_carry_the_cors_header_errors_included(http):
    origin = {"Origin": "http://app.example"}
    ok = http.get("/api/v3/channel/10001/reading", headers={**origin, "ECI-ApiKey": fresh()})
    refused = http.get("/api/v3/channel/10001/reading", headers=origin)
    too_large = http.post("/__admin/fixtures", content=b"x" * 300_000, headers={**origin, "Content-Type": "text/yaml"})
    for response, status in ((ok, 200), (refused, 401), (too_large, 413)):
        assert response.status_code == status
        assert response.headers["access-control-allow-origin"] == "*"
    assert "retry-after" in ok.headers["access-control-expose-headers"].lower()


def test_cors_origins_restrict_who_may_call():
    app = build_app(Settings(cors_origins=("http://allowed.example",)))
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        allowed = http.get("/__admin/health", headers={"Origin": "http://allowed.example"})
        other = http.get("/__admin/health", headers={"Origin": "http://other.example"})
        preflight = http.options(
            "/__admin/faults",
            headers={"Origin": "http://other.example", "Access-Control-Request-Method": "PUT"},
        )
    assert allowed.headers["access-control-allow-origin"] == "http://allowed.example"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("path", ["/__admin/health/", "/api/v3/channel/10001/reading/", "/v1/leases/assets/"])
def test_a_trailing_slash_never_redirects_to_the_host_header(http, path):
    response = http.get(path, headers={"Host": "evil.example", "ECI-ApiKey": fresh()}, follow_redirects=False)
    assert response.status_code < 500
    if response.is_redirect:
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location


def test_a_body_too_large_for_the_admin_api_is_refused_in_its_json_format(http):
    response = http.post("/__admin/fixtures", content=b"overit: {}\n" * 30_000, headers={"Content-Type": "text/yaml"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
CREDENTIALS = {
    "overit": ("PATCH", BATCH, "Authorization", "Bearer {}"),
    "oracle": ("GET", ORACLE, "Authorization", "basic:{}"),
    "energycap": ("GET", "/api/v3/channel/10001/reading", "ECI-ApiKey", "{}"),
    "tesma": ("GET", "/v1/leases/assets/bulkpatches/1", "X-API-KEY", "{}"),
}


def _credential(template: str, tenant: str) -> str:
    return basic(tenant) if template.startswith("basic:") else template.format(tenant)


@pytest.mark.parametrize("api", sorted(CREDENTIALS))
def test_a_credential_header_sent_twice_is_refused_like_a_missing_one(http, api):
    method, path, header, template = CREDENTIALS[api]
    bob, alice = fresh(), fresh()
    http.put("/__admin/faults", json={"rules": [{"api": api, "tenant": alice, "latencyMs": 1, "status": 503,
                                                 "undocumented": True}]})  # fmt: skip
    http.delete("/__admin/requests")
    try:
        extra = [("CorporateGroup-Name", "ACME")] if api == "tesma" else []
        twice = http.request(
            method, path, headers=[(header, _credential(template, bob)), (header, _credential(template, alice)), *extra]
        )
        missing = http.request(method, path, headers=extra)
        journaled = http.get("/__admin/requests", params={"tenant": alice}).json()["requests"]
    finally:
        http.delete("/__admin/faults")
    assert twice.status_code == missing.status_code == 401, twice.text
    assert twice.headers["content-type"] == missing.headers["content-type"]
    assert twice.headers.get("www-authenticate") == missing.headers.get("www-authenticate")
    assert journaled == []  # the request is nobody's: not alice's, and her fault did not fire

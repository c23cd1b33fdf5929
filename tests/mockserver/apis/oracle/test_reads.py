"""Reading one reading by id: the whole answer, the order of its refusals (403 before 404), and what it sees of
tenants, privileges and meters, on every store; in one statement since the read asks for all of it at once."""

from __future__ import annotations

from typing import Any

import pytest
from connexion.context import _scope
from starlette.datastructures import URL
from starlette.testclient import TestClient

from mockserver.apis.oracle.handlers import _incoming_path
from mockserver.app import build_app
from mockserver.settings import Settings

READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ITEM = "application/vnd.oracle.adf.resourceitem+json"


def _links(reading_id: int) -> list[dict[str, Any]]:
    href = f"{READINGS}/{reading_id}"
    return [
        {"rel": "self", "href": href, "name": "meterReadings", "kind": "item",
         "properties": {"changeIndicator": "ACED00050000000000000001"}},
        {"rel": "canonical", "href": href, "name": "meterReadings", "kind": "item"},
    ]  # fmt: skip


def test_a_reading_answers_every_attribute_its_links_and_the_framework_headers(client, tenant):
    asked = {"REST-Framework-Version": "4", "Metadata-Context": "sandbox=x"}
    response = client.get(f"{READINGS}/300100141425002", auth=(tenant, "x"), headers=asked)
    assert response.status_code == 200, response.text
    assert (response.headers["content-type"], response.headers["rest-framework-version"]) == (ITEM, "4")
    assert response.headers["metadata-context"] == "sandbox=x"
    assert response.json() == {
        "MeterReadingId": 300100141425002, "ReadingValue": 1050.0, "ReadingDate": "2026-02-10T08:00:00+00:00",
        "ReadingTypeCode": "ORA_ABSOLUTE", "NetValue": 1050.0, "Comments": "Monthly reading", "RolloverFlag": False,
        "ResetFlag": False, "ModifiedFlag": False, "InitialFlag": False, "DisabledFlag": False,
        "MeterDefinitionId": 1001, "MeterCode": "0554 HOURS", "MeterId": 300100141395129,
        "MeterUsageCode": "ORA_ASSET", "AssetNumber": "F0554-02", "AssetId": 300100117993592,
        "links": _links(300100141425002),
    }  # fmt: skip


def test_a_contract_line_reading_answers_no_asset(client, tenant):
    response = client.get(
        f"{READINGS}/300100141425009", params={"onlyData": "true"}, auth=(tenant, "x"), headers={"Accept": "*/*"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ITEM
    assert (response.headers["rest-framework-version"], response.headers["metadata-context"]) == ("1", "")
    assert response.json() == {
        "MeterReadingId": 300100141425009, "ReadingValue": 10.0, "ReadingDate": "2025-10-01T00:00:00+00:00",
        "ReadingTypeCode": "ORA_ABSOLUTE", "NetValue": 10.0, "Comments": None, "RolloverFlag": False,
        "ResetFlag": False, "ModifiedFlag": False, "InitialFlag": True, "DisabledFlag": False,
        "MeterDefinitionId": 1005, "MeterCode": "SUBSCRIPTION_USAGE", "MeterId": 789789898,
        "MeterUsageCode": "ORA_CONTRACT_LINE", "AssetNumber": None, "AssetId": None,
    }  # fmt: skip


def test_a_meter_whose_asset_is_not_listed_answers_no_asset(client, tenant):
    section = {
        "meterTemplates": [{"meterDefinitionId": 1, "meterCode": "HOURS", "readingType": "ORA_ABSOLUTE"}],
        "meters": [{"meterId": 10, "meterDefinitionId": 1, "usageCode": "ORA_ASSET", "assetId": 77,
                    "activeStartDate": "2019-01-01T00:00:00Z"}],
        "readings": [{"meterReadingId": 5, "meterId": 10, "readingTypeCode": "ORA_ABSOLUTE", "readingValue": 3,
                      "readingDate": "2020-01-01T00:00:00Z"}],
    }  # fmt: skip
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": section}).status_code == 200
    read = client.get(f"{READINGS}/5", params={"fields": "AssetId,AssetNumber,MeterId"}, auth=(tenant, "x"))
    assert read.json() == {"AssetId": None, "AssetNumber": None, "MeterId": 10, "links": _links(5)}


def test_an_unknown_or_too_large_id_is_not_found(client, tenant):
    for reading_id in (1, 300100141425999, 2**63 - 1):
        response = client.get(f"{READINGS}/{reading_id}", auth=(tenant, "x"))
        assert response.status_code == 404, response.text
        assert response.json()["o:errorCode"] == "ORA_ADF_NOT_FOUND"
        assert response.json()["detail"] == f"The requested resource meterReadings/{reading_id} was not found."
    assert client.get(f"{READINGS}/{2**63}", auth=(tenant, "x")).status_code == 400


@pytest.mark.parametrize("held", [["CSE_MANAGE_ENTERPRISE_ASSETS_PRIV"], ["CSI_VIEW_CUSTOMER_ASSETS_PRIV"], []])
def test_the_privileges_decide_before_the_id_is_looked_up(client, tenant, held):
    section = {**client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"], "privileges": held}
    loaded = client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": section})
    assert loaded.status_code == 200, loaded.text
    known = client.get(f"{READINGS}/300100141425001", auth=(tenant, "x"))
    unknown = client.get(f"{READINGS}/300100141425999", auth=(tenant, "x"))
    if held:
        assert (known.status_code, unknown.status_code) == (200, 404)
    else:
        assert (known.status_code, unknown.status_code) == (403, 403), known.text
        assert known.json()["o:errorCode"] == unknown.json()["o:errorCode"] == "ORA_ADF_FORBIDDEN"
        assert known.headers["content-type"] == "application/vnd.oracle.adf.error+json"


def test_a_read_sees_a_reset_and_seeds_the_tenant_again(client, tenant):
    section = client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]
    section = {**section, "privileges": [], "readings": []}
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": section}).status_code == 200
    assert client.get(f"{READINGS}/300100141425001", auth=(tenant, "x")).status_code == 403
    assert client.post("/__admin/reset", params={"tenant": tenant}).status_code == 200
    assert client.get(f"{READINGS}/300100141425001", auth=(tenant, "x")).status_code == 200


def test_workers_sharing_a_store_see_each_others_loads_and_resets(shared_store_url, tenant):
    """Nothing a read asks is remembered between requests: another worker's load or reset shows at once."""
    apps = [build_app(Settings(store_url=shared_store_url)) for _ in range(2)]
    try:
        loader, reader = (TestClient(app.asgi) for app in apps)
        one = f"{READINGS}/300100141425001"
        assert reader.get(one, auth=(tenant, "x")).status_code == 200  # seeded by the reading worker
        section = loader.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]
        refused = {**section, "privileges": []}
        assert loader.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": refused}).status_code == 200
        assert reader.get(one, auth=(tenant, "x")).status_code == 403
        emptied = {**section, "readings": []}
        assert loader.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": emptied}).status_code == 200
        assert reader.get(one, auth=(tenant, "x")).status_code == 404
        assert loader.post("/__admin/reset", params={"tenant": tenant}).status_code == 200
        assert reader.get(one, auth=(tenant, "x")).json()["ReadingValue"] == 1000.0
    finally:
        for app in apps:
            app.runtime.store.dispose()


_HOSTS = [
    None, b"127.0.0.1:8080", b"example.com", b"Example.COM:80", b"h:0", b"h:9999", b"h:10000", b"h:65535", b"h:65536",
    b"h:99999", b"h:000080", b"[::1]:8080", b"[v1.x]", b"[::1", b"a/b", b"a?b", b"a#b", b"a@b", b"", b"h:", b"h:x",
    b"\xe9t\xe9", b"a b", b"_h", b"h%41", b"h;x=1",
]  # fmt: skip
_PATHS = [
    f"{READINGS}/1", f"{READINGS}/", "/", "//x", "/a//b", "/a?b", "/a#b", "/a\\b", "/a\tb", "/a\rb\n", "/a b",
    "/é", "/a%3Fb", "/a:b", "/a;b=c", "/\t/x", "/a@b", "/~a!$&'()*+,=",
]  # fmt: skip


@pytest.mark.parametrize("scheme", ["http", "https", "ws", "weird"])
@pytest.mark.parametrize("query", [b"", b"a=1", b"a=%E9", b"a=\xe9", b"a=#b?c"])
@pytest.mark.parametrize("server", [("127.0.0.1", 8080), ("::1", 80), ("/tmp/sock", None), None])
def test_the_path_answers_link_to_is_the_one_starlette_reads(scheme, query, server):
    """The self links carry starlette's URL path of the request; it is read without building the URL only where
    that cannot change it: for any scheme, Host header, path, query and server address, the same path (or error)."""
    for host in _HOSTS:
        for path in _PATHS:
            headers = [(b"accept", b"*/*")] + ([] if host is None else [(b"host", host), (b"host", b"other")])
            scope = {"type": "http", "scheme": scheme, "path": path, "query_string": query, "headers": headers}
            if server is not None:
                scope["server"] = server
            token = _scope.set(scope)
            try:
                assert _outcome(_incoming_path) == _outcome(_starlettes, scope), (host, path)
            finally:
                _scope.reset(token)


def _starlettes(scope: dict[str, Any]) -> str:
    return URL(scope=scope).path


def _outcome(read: Any, *arguments: Any) -> tuple[str, object]:
    """What ``read`` answers, or which error it raises."""
    try:
        return "path", read(*arguments)
    except Exception as error:
        return "error", type(error)

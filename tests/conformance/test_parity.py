"""Parity names every difference planted in a deliberately different implementation, and nothing else: traffic
recorded through the proxy against our mock broken for two rules, replayed against the intact mock."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from conformance import cli
from conformance.parity import shape_differences
from conformance.proxy.serve import ProxySettings
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance import broken_overit, broken_tesma
from tests.conformance.breakages import broken_together
from tests.conformance.proxy.upstream import proxied, targets
from tests.live_server import serve

pytestmark = pytest.mark.slow
TESMA = "/v1/leases/assets"
BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
PLANTED = {"TESMA-BP-003", "OVERIT-MB-001"}


def traffic(proxy: str) -> None:
    """A client's observer: some answers the two implementations share, and some where they differ."""
    tesma = {"X-API-KEY": "parity-recorded", "CorporateGroup-Name": "ACME"}
    overit = {"Authorization": "Bearer parity-recorded"}
    with httpx.Client(base_url=proxy) as client:
        client.patch(TESMA, headers=tesma, json=[{"assetId": 111, "serialNumber": "parity-1"}])
        client.patch(TESMA, headers=tesma, content=b"[{not json", params={"note": "planted"})  # TESMA-BP-003
        client.patch(TESMA, headers=tesma, json=[])
        client.patch(TESMA, headers={"CorporateGroup-Name": "ACME"}, json=[{"assetId": 111}])
        client.patch(BATCH, headers=overit, json=[{"id": 3101, "value": 4.2}])
        client.patch(BATCH, headers=overit, json=[{"id": n, "value": 1} for n in range(1, 52)])  # OVERIT-MB-001
        client.get(ORACLE, auth=("parity-recorded", "pw"), params={"limit": 3})
        client.get("/api/v202101/meter/501/channel/10001", headers={"ECI-ApiKey": "parity-recorded"})


@pytest.fixture
def recording(tmp_path):
    record = tmp_path / "real.jsonl"
    planted = [broken_overit.BREAKAGES["OVERIT-MB-001"], broken_tesma.BREAKAGES["TESMA-BP-003"]]
    with serve(broken_together(planted, Settings())) as different:
        origins = dict.fromkeys(("tesma", "overit", "oracle", "energycap"), different)
        with proxied(ProxySettings(target=targets(tmp_path, origins), record=record), io.StringIO()) as (proxy, _):
            traffic(proxy)
    return record


def test_parity_names_every_planted_difference_and_nothing_else(tmp_path, recording, capsys):
    report = tmp_path / "parity.json"
    with serve(build_app(Settings())) as mock:
        code = cli.main(["parity", str(recording), "--base-url", mock, "--json", str(report)])
    printed = capsys.readouterr().out
    assert code == 1, printed
    document = json.loads(report.read_text())
    assert document["replayed"] == 8 and document["same"] == 6 and document["differ"] == 2
    named = {rule for group in document["groups"] for rule in group["rules"]}
    assert named == PLANTED, printed
    [tesma] = [group for group in document["groups"] if "TESMA-BP-003" in group["rules"]]
    [exchange] = tesma["exchanges"]
    assert exchange["real"]["code"] == "INVALID_VALUE" and exchange["mock"]["code"] == "INVALID_JSON"
    assert tesma["touchesAssumption"] and "TESMA-BP-003's code is assumed" in tesma["assumptions"]
    [overit] = [group for group in document["groups"] if "OVERIT-MB-001" in group["rules"]]
    assert overit["exchanges"][0]["mock"]["code"] == "BASE_0006"
    assert "TESMA-BP-003" in printed and 'real "INVALID_VALUE" | mock "INVALID_JSON"' in printed


def test_the_same_implementation_shows_no_difference(tmp_path):
    record = tmp_path / "same.jsonl"
    with serve(build_app(Settings())) as mock:
        origins = dict.fromkeys(("tesma", "overit", "oracle", "energycap"), mock)
        with proxied(ProxySettings(target=targets(tmp_path, origins), record=record), io.StringIO()) as (proxy, _):
            traffic(proxy)
        assert cli.main(["parity", str(record), "--base-url", mock]) == 0


def test_parity_replays_against_our_mock_only(tmp_path, capsys):
    record = tmp_path / "r.jsonl"
    record.write_text("")
    origin = build_app(Settings())

    async def no_admin(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/__admin"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await origin(scope, receive, send)

    with serve(no_admin) as url:
        assert cli.main(["parity", str(record), "--base-url", url]) == 2
    assert "is not our mock" in capsys.readouterr().err


def test_shapes_compare_keys_types_and_nullability_not_values():
    same = list(shape_differences({"a": 1, "b": [{"c": "x"}]}, {"a": 2.5, "b": [{"c": "y"}, {"c": "z"}]}))
    assert same == []
    assert list(shape_differences({"a": [], "b": 1}, {"a": [{"x": 1}], "b": 2})) == []  # how many items is data
    found = {d.what: (d.real, d.mock) for d in shape_differences({"a": None, "b": 1, "k": 1}, {"a": "s", "b": "1"})}
    assert found == {"keys /": (["k"], []), "nullability /a": ("null", "string"), "type /b": ("number", "string")}

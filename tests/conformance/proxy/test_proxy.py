"""The validation proxy through real sockets: it forwards untouched, checks each exchange against the contract
and says whether the client or the server broke it."""

from __future__ import annotations

import gzip
import io
import json
import signal
import subprocess
import sys
import time

import httpx
import pytest

from conformance import cli
from conformance.findings import NothingChecked
from conformance.proxy.serve import ProxySettings, finish
from conformance.recording import read
from conformance.verdicts import Verdict
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance.proxy.upstream import Answer, Origin, proxied, targets
from tests.live_server import free_port, serve

BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
TESMA = "/v1/leases/assets"
ERROR = b"application/json"


@pytest.fixture(scope="module")
def mock_url():
    with serve(build_app(Settings())) as url:
        yield url


def by_party(observer, party: str):
    return [result for result in observer.results if result.reason.startswith(f"{party}:")]


def test_a_clients_off_contract_request_is_the_clients_and_the_mock_answers_as_the_rule_says(tmp_path, mock_url):
    out = io.StringIO()
    settings = ProxySettings(target=targets(tmp_path, {"overit": mock_url}))
    with proxied(settings, out) as (proxy, observer):
        response = httpx.patch(
            proxy + BATCH, headers={"Authorization": "Bearer t-client"}, json=[{"id": 3101, "value": 1}] * 51
        )
    assert response.status_code == 400 and response.json()["code"] == "BASE_0006"
    [client] = by_party(observer, "client")
    assert (client.kind, client.id, client.outcome) == ("rule", "OVERIT-MB-001", Verdict.FAIL)
    assert "maxItems" in client.reason
    assert not by_party(observer, "server")  # the mock refused it with the rule's status and code
    assert "patch_measures_batch 400 FAIL" in out.getvalue()


def test_a_servers_off_contract_answer_is_the_servers(tmp_path):
    origin = Origin(Answer(200, [(b"content-type", ERROR)], [b'{"payload": "not a list"}']))
    out = io.StringIO()
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"overit": origin_url})), out) as (proxy, observer),
    ):
        response = httpx.patch(proxy + BATCH, headers={"Authorization": "Bearer t"}, json=[{"id": 3101}])
    assert response.status_code == 200
    assert not by_party(observer, "client")
    [server] = by_party(observer, "server")
    assert server.outcome == Verdict.FAIL and server.kind == "schema"
    assert "/payload" in server.reason and "type" in server.reason
    assert "server: body /payload" in out.getvalue()


def test_a_server_that_accepts_what_a_rule_refuses_fails_that_rule(tmp_path):
    origin = Origin(Answer(200, [(b"content-type", ERROR)], [b'{"payload": [1]}']))
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"overit": origin_url})), io.StringIO()) as (proxy, observer),
    ):
        httpx.patch(proxy + BATCH, headers={"Authorization": "Bearer t"}, json=[{"id": 1}] * 51)
    [server] = by_party(observer, "server")
    assert (server.id, server.outcome) == ("OVERIT-MB-001", Verdict.FAIL)
    assert "expected 400 BASE_0006, got 200" in server.reason


def test_a_refusal_differing_only_in_an_assumed_code_warns(tmp_path):
    body = b'{"code": "BASE_0001", "message": "too many", "errors": []}'
    origin = Origin(Answer(400, [(b"content-type", ERROR)], [body]))
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"overit": origin_url})), io.StringIO()) as (proxy, observer),
    ):
        httpx.patch(proxy + BATCH, headers={"Authorization": "Bearer t"}, json=[{"id": 1}] * 51)
    [server] = by_party(observer, "server")
    assert (server.id, server.outcome) == ("OVERIT-MB-001", Verdict.WARN)
    assert server.assumed == "code BASE_0006" and server.answered == "400 BASE_0001"


def test_strict_makes_that_warning_a_failure(tmp_path):
    body = b'{"code": "BASE_0001", "message": "too many", "errors": []}'
    origin = Origin(Answer(400, [(b"content-type", ERROR)], [body]))
    with serve(origin) as origin_url:
        settings = ProxySettings(target=targets(tmp_path, {"overit": origin_url}), strict=True)
        with proxied(settings, io.StringIO()) as (proxy, observer):
            httpx.patch(proxy + BATCH, headers={"Authorization": "Bearer t"}, json=[{"id": 1}] * 51)
    [server] = by_party(observer, "server")
    assert server.outcome == Verdict.FAIL


def test_an_undocumented_status_and_media_type_are_the_servers(tmp_path):
    origin = Origin(Answer(418, [(b"content-type", b"text/html")], [b"<html>teapot</html>"]))
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"tesma": origin_url})), io.StringIO()) as (proxy, observer),
    ):
        httpx.patch(proxy + TESMA, headers={"X-API-KEY": "k", "CorporateGroup-Name": "ACME"}, json=[{"assetId": 1}])
    [server] = by_party(observer, "server")
    assert "status 418 is not documented" in server.reason and server.outcome == Verdict.FAIL


def test_traffic_passes_untouched_both_ways(tmp_path):
    """Headers (but hop-by-hop ones), the body, the query and a gzip answer's bytes arrive as they were sent."""
    answer_body = gzip.compress(b'{"payload": [3101]}')
    origin = Origin(
        Answer(
            200,
            [(b"content-type", ERROR), (b"content-encoding", b"gzip"), (b"x-vendor", b"v1")],
            [answer_body[:5], answer_body[5:]],
        )
    )
    sent = b'[{"id": 3101, "value": 4.2}]'
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"overit": origin_url})), io.StringIO()) as (proxy, observer),
        httpx.Client() as client,
    ):
        request = client.build_request(
            "PATCH",
            proxy + BATCH + "?a=1&a=2",
            content=sent,
            headers={
                "Authorization": "Bearer t",
                "Content-Type": "application/json",
                "X-Trace": "abc",
                "Connection": "keep-alive, X-Hop",
                "X-Hop": "drop me",
                "Accept-Encoding": "gzip",
            },
        )
        response = client.send(request, stream=True)
        raw = b"".join(response.iter_raw())
    [seen] = origin.seen
    headers = {name.decode(): value.decode() for name, value in seen["headers"]}
    assert seen["body"] == sent and seen["query"] == b"a=1&a=2" and seen["path"] == BATCH
    assert headers["x-trace"] == "abc" and headers["authorization"] == "Bearer t"
    assert "x-hop" not in headers and headers.get("connection") != "keep-alive, X-Hop"
    assert raw == answer_body and response.headers["x-vendor"] == "v1"
    assert [result.outcome for result in observer.results] == [Verdict.PASS]  # the gzip body was checked decoded


def test_an_unreachable_origin_answers_502_and_is_the_servers(tmp_path):
    settings = ProxySettings(target=targets(tmp_path, {"tesma": "http://127.0.0.1:9"}), timeout=2)
    with proxied(settings, io.StringIO()) as (proxy, observer):
        headers = {"X-API-KEY": "k", "CorporateGroup-Name": "ACME"}
        response = httpx.get(proxy + "/v1/leases/assets/bulkpatches/1", headers=headers)
    assert response.status_code == 502 and response.headers["content-type"].startswith("text/plain")
    [server] = by_party(observer, "server")
    assert server.outcome == Verdict.FAIL and "could not be reached" in server.reason


def test_a_path_of_no_api_in_the_targets_file_is_not_forwarded(tmp_path, mock_url):
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), io.StringIO()) as (proxy, observer):
        elsewhere = httpx.get(proxy + "/__admin/health")
        overit = httpx.get(proxy + BATCH)
    assert elsewhere.status_code == 404 and overit.status_code == 404  # overit is not in the targets file
    assert "no API of the targets file" in overit.text
    assert observer.count == 0


def test_the_recording_and_the_reports_mask_credentials(tmp_path, mock_url, monkeypatch):
    secret = "tesma-secret-key-4711"
    monkeypatch.setenv("PROXY_TEST_KEY", secret)
    record = tmp_path / "out" / "recording.jsonl"
    reports = {"json": tmp_path / "r.json", "junit": tmp_path / "r.xml", "html": tmp_path / "r.html"}
    settings = ProxySettings(
        target=targets(tmp_path, {"tesma": mock_url}, credential="yes"), record=record, reports=reports
    )
    with proxied(settings, io.StringIO()) as (proxy, observer):
        headers = {"X-API-KEY": secret, "CorporateGroup-Name": "ACME"}
        httpx.patch(proxy + TESMA, headers=headers, json=[{"assetId": 111, "serialNumber": secret}])
        httpx.patch(proxy + TESMA, headers=headers, content=b"[{", params={"echo": secret})
    code = finish(observer, settings, "now", 1.0)
    lines = list(read(record))
    assert len(lines) == 2 and lines[0].record["request"]["headers"]["x-api-key"] == "***"
    for path in (record, *reports.values()):
        assert secret not in path.read_text(), path
    assert code == 1  # the malformed body is the client's failure
    report = json.loads(reports["json"].read_text())
    assert report["run"]["mode"] == "proxy" and report["summary"]["failed"] >= 1
    assert 'failures="' in reports["junit"].read_text()


def test_the_proxy_refuses_to_start_without_origins(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["proxy", "--port", "8090"])
    assert exited.value.code == 2
    empty = tmp_path / "targets.yaml"
    empty.write_text("apis: {}\n")
    assert cli.main(["proxy", "--target", str(empty)]) == 2
    assert "names no origin" in capsys.readouterr().err
    not_http = targets(tmp_path, {"tesma": "file:///etc"})
    assert cli.main(["proxy", "--target", str(not_http)]) == 2


def test_a_proxy_that_saw_no_traffic_checked_nothing(tmp_path, mock_url):
    settings = ProxySettings(target=targets(tmp_path, {"tesma": mock_url}))
    with proxied(settings, io.StringIO()) as (_, observer):
        pass
    with pytest.raises(NothingChecked, match="no exchange"):
        finish(observer, settings, "now", 0.1)


def test_the_command_runs_until_sigterm_and_writes_its_reports(tmp_path, mock_url):
    port = free_port()
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "proxy",
            "--target",
            str(targets(tmp_path, {"tesma": mock_url})),
            "--port",
            str(port),
            "--json",
            str(report),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.patch(
                    f"http://127.0.0.1:{port}{TESMA}",
                    json=[{"assetId": 111}],
                    headers={"X-API-KEY": "k-e2e", "CorporateGroup-Name": "ACME"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the proxy did not start"
                time.sleep(0.1)
        assert response.status_code == 202
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "patch_lease_assets 202 PASS" in output
    assert json.loads(report.read_text())["summary"]["passed"] == 1


def test_a_request_without_a_credential_shows_the_rule_and_the_mocks_401_meets_it(tmp_path, mock_url):
    with proxied(ProxySettings(target=targets(tmp_path, {"overit": mock_url})), io.StringIO()) as (proxy, observer):
        response = httpx.patch(proxy + BATCH, json=[{"id": 3101, "value": 1}])
    assert response.status_code == 401
    [client] = by_party(observer, "client")
    assert (client.id, client.outcome) == ("OVERIT-MB-004", Verdict.FAIL) and "no credential" in client.reason
    assert not by_party(observer, "server")


def test_a_server_that_answers_without_a_credential_breaks_that_rule(tmp_path):
    origin = Origin(Answer(200, [(b"content-type", ERROR)], [b'{"payload": [3101]}']))
    with (
        serve(origin) as origin_url,
        proxied(ProxySettings(target=targets(tmp_path, {"tesma": origin_url})), io.StringIO()) as (proxy, observer),
    ):
        httpx.patch(proxy + TESMA, headers={"CorporateGroup-Name": "ACME"}, json=[{"assetId": 111}])
    [server] = [result for result in by_party(observer, "server") if result.kind == "rule"]
    assert (server.id, server.outcome) == ("TESMA-BP-009", Verdict.FAIL)
    assert "expected 401 UNAUTHORIZED, got 200" in server.reason


def test_a_cors_preflight_is_passed_on_and_not_judged(tmp_path, mock_url):
    out = io.StringIO()
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), out) as (proxy, observer):
        response = httpx.options(
            proxy + TESMA, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PATCH"}
        )
    assert response.status_code == 200 and "access-control-allow-origin" in response.headers
    assert observer.count == 1 and observer.results == []
    assert "CORS preflight, not checked" in out.getvalue()

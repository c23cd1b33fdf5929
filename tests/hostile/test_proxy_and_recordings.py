"""Hostile input to the proxy and to parity: recordings (sizes, encodings, bad lines, headers no client can
send), targets files for the proxy, and proxied traffic (bodies past the check limit, gzip bombs, nesting,
huge headers, a stream of credentials). Each is refused with a reason or passed through untouched; none
crashes or grows without bound."""

from __future__ import annotations

import gzip
import io
import json

import httpx
import pytest

from conformance import cli, recording
from conformance.proxy import observer as proxy_observer
from conformance.proxy.serve import ProxySettings
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance.proxy.upstream import Answer, Origin, proxied, targets
from tests.live_server import serve

TESMA = "/v1/leases/assets"
TESMA_HEADERS = {"X-API-KEY": "hostile-key", "CorporateGroup-Name": "ACME"}


def line(**changes: object) -> str:
    record = {
        "recording": 1,
        "time": "2026-01-01T00:00:00.000Z",
        "api": "tesma",
        "operationId": "patch_lease_assets",
        "method": "PATCH",
        "path": TESMA,
        "query": "",
        "status": 202,
        "durationMs": 1.0,
        "request": {
            "headers": {"x-api-key": "***", "corporategroup-name": "ACME", "content-type": "application/json"},
            "body": {"size": 15, "truncated": False, "text": '[{"assetId":111}]'},
        },
        "response": {
            "headers": {"content-type": "application/json"},
            "body": {"size": 2, "truncated": False, "text": "{}"},
        },
    }
    record.update(changes)
    return json.dumps(record)


@pytest.fixture(scope="module")
def mock_url():
    with serve(build_app(Settings())) as url:
        yield url


# -- recordings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"{not json\n", ":1: not a JSON object"),
        (b"\xff\xfe{}\n", ":1: not UTF-8"),
        (b"[1, 2]\n", ":1: the line"),
        (b"[" * 100_000 + b"\n", ":1: not a JSON object"),
        ((line() + "\n").encode() + b'{"recording": 1}\n', ":2: "),
        (b"x" * (recording.MAX_LINE + 10) + b"\n", ":1: a line longer than"),
    ],
    ids=["bad-json", "not-utf8", "not-an-object", "deep-nesting", "second-line-incomplete", "huge-line"],
)
def test_a_bad_recording_is_refused_naming_its_line(tmp_path, content, said):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(recording.RecordingError) as refused:
        list(recording.read(path))
    assert said in str(refused.value)


def test_parity_on_a_bad_recording_exits_2_with_the_reason(tmp_path, mock_url, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n\n{oops\n")
    assert cli.main(["parity", str(path), "--base-url", mock_url]) == 2
    assert "bad.jsonl:3: not a JSON object" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert cli.main(["parity", str(empty), "--base-url", mock_url]) == 2
    assert cli.main(["parity", str(tmp_path / "missing.jsonl"), "--base-url", mock_url]) == 2


def test_lines_no_client_could_send_are_skipped_not_crashed_on(tmp_path, mock_url):
    headers = {"x-api-key": "***", "corporategroup-name": "ACME", "content-type": "application/json"}
    lines = [
        line(
            request={
                "headers": {**headers, "x-evil": "a\r\nInjected: 1"},
                "body": {"size": 2, "truncated": False, "text": "[]"},
            }
        ),
        line(
            request={
                "headers": {**headers, "x-name": "caf\u00e9 \u2603"},
                "body": {"size": 2, "truncated": False, "text": "[]"},
            }
        ),
        line(method="BREW", operationId=None),
        line(path="/v1/leases/assets/../../__admin/reset"),
        line(request={"headers": headers, "body": {"size": 9_000_000, "truncated": True, "text": "[{"}}),
        line(status=None),
        line(),
    ]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = tmp_path / "parity.json"
    code = cli.main(["parity", str(path), "--base-url", mock_url, "--json", str(report)])
    document = json.loads(report.read_text())
    reasons = {entry["line"]: entry["reason"] for entry in document["skipped"]}
    assert {3, 4, 5, 6} <= set(reasons) and "cut when recorded" in reasons[5]
    assert document["replayed"] >= 1 and code in (0, 1)


def test_a_header_table_past_the_bound_is_refused(tmp_path):
    headers = {f"x-{n}": "v" for n in range(20_001)}
    path = tmp_path / "wide.jsonl"
    path.write_text(line(response={"headers": headers, "body": {"size": 0, "truncated": False, "text": ""}}) + "\n")
    with pytest.raises(recording.RecordingError, match="response/headers"):
        list(recording.read(path))


# -- targets files for the proxy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8",
        b"apis:\n  tesma:\n    baseUrl: ftp://files.example\n",
        b"apis:\n  tesma: {}\n",
        b"apis:\n  nowhere: {baseUrl: http://127.0.0.1:9}\n",
        b"a: &a [1]\n" + b"".join(f"b{n}: *a\n".encode() for n in range(60)),
        b"apis: " + b"[" * 50_000,
        b"# padding\n" * 200_000,
    ],
    ids=["not-utf8", "not-http", "no-origin", "unknown-api", "aliases", "deep", "huge"],
)
def test_the_proxy_refuses_a_targets_file_it_cannot_use(tmp_path, content, capsys):
    path = tmp_path / "targets.yaml"
    path.write_bytes(content)
    assert cli.main(["proxy", "--target", str(path), "--port", "1"]) == 2
    assert capsys.readouterr().err.startswith("conformance: ")


# -- proxied traffic -----------------------------------------------------------------------------------


def test_a_body_past_the_check_limit_passes_whole_and_is_not_kept(tmp_path):
    origin = Origin(Answer(202, [(b"content-type", b"application/json")], [b"{}"]))
    big = json.dumps([{"assetId": n, "location": "x" * 200} for n in range(1, 400)]).encode()
    record = tmp_path / "r.jsonl"
    with serve(origin) as url:
        settings = ProxySettings(target=targets(tmp_path, {"tesma": url}), record=record, check_limit=4096)
        with proxied(settings, io.StringIO()) as (proxy, _observer):
            httpx.patch(proxy + TESMA, headers=TESMA_HEADERS, content=big)
    assert origin.seen[0]["body"] == big
    [entry] = recording.read(record)
    assert entry.record["request"]["body"] == {"size": len(big), "truncated": True, "text": ""}


def test_a_gzip_bomb_answer_is_passed_on_and_not_decoded_past_the_limit(tmp_path):
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")
    origin = Origin(Answer(200, [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")], [bomb]))
    bounded = 1024 * 1024
    with (
        serve(origin) as url,
        proxied(ProxySettings(target=targets(tmp_path, {"tesma": url}), check_limit=bounded), io.StringIO()) as (
            proxy,
            observer,
        ),
        httpx.stream("GET", proxy + "/v1/leases/assets/bulkpatches/1", headers=TESMA_HEADERS) as response,
    ):
        raw = b"".join(response.iter_raw())
    assert raw == bomb and observer.count == 1


@pytest.mark.parametrize(
    ("body", "said"),
    [(b"[" * 100_000 + b"]" * 100_000, "nested too deeply"), (b'[{"assetId": 1, "location": "\xff"}]', "UTF-8")],
    ids=["deep-nesting", "not-utf8"],
)
def test_an_unreadable_json_body_is_the_clients_and_the_proxy_carries_on(tmp_path, mock_url, body, said):
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), io.StringIO()) as (proxy, observer):
        refused = httpx.patch(
            proxy + TESMA, headers={**TESMA_HEADERS, "Content-Type": "application/json"}, content=body
        )
        after = httpx.patch(proxy + TESMA, headers=TESMA_HEADERS, json=[{"assetId": 111}])
    assert refused.status_code == 400 and after.status_code == 202
    client = [result for result in observer.results if result.reason.startswith("client:")]
    assert client and said in client[0].reason and client[0].id == "TESMA-BP-003"


def test_a_head_past_64_kib_is_refused_by_the_proxy_and_the_rest_forwarded(tmp_path):
    origin = Origin()
    with (
        serve(origin) as url,
        proxied(ProxySettings(target=targets(tmp_path, {"tesma": url})), io.StringIO()) as (proxy, observer),
    ):
        fits = httpx.get(proxy + "/v1/leases/assets/bulkpatches/1", headers={**TESMA_HEADERS, "X-Big": "b" * 30_000})
        many = httpx.get(
            proxy + "/v1/leases/assets/bulkpatches/1",
            headers=[*TESMA_HEADERS.items(), *((f"x-h{n}", "v") for n in range(500))],
        )
        huge = httpx.get(
            proxy + "/v1/leases/assets/bulkpatches/1", headers={**TESMA_HEADERS, "X-Huge": "h" * 2_000_000}
        )
        alive = httpx.get(proxy + "/v1/leases/assets/bulkpatches/1", headers=TESMA_HEADERS)
    assert fits.status_code == 200 and many.status_code == 200 and alive.status_code == 200
    assert huge.status_code == 431 and huge.headers["content-type"].startswith("text/plain")
    assert len(origin.seen) == 3 and {name for name, _ in origin.seen[0]["headers"]} >= {b"x-big"}
    [refused] = [result for result in observer.results if result.reason.startswith("client:")]
    assert "not forwarded" in refused.reason


def test_a_stream_of_credentials_grows_the_masking_within_a_bound(tmp_path, mock_url, monkeypatch):
    monkeypatch.setattr(proxy_observer, "MAX_CREDENTIALS", 5)
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), io.StringIO()) as (proxy, observer):
        for n in range(12):
            httpx.get(
                proxy + "/v1/leases/assets/bulkpatches/1",
                headers={"X-API-KEY": f"rotating-key-{n:04}", "CorporateGroup-Name": "ACME"},
            )
    assert len(observer._credentials) == 5


def test_what_the_proxy_keeps_is_bounded(tmp_path, mock_url, monkeypatch):
    monkeypatch.setattr(proxy_observer, "KEEP", 3)
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), io.StringIO()) as (proxy, observer):
        for _ in range(10):
            httpx.get(proxy + "/v1/leases/assets/bulkpatches/1", headers=TESMA_HEADERS)
    assert observer.count == 10 and len(observer.results) == 3 and observer.kept.dropped == 7


def test_only_the_first_results_of_a_check_carry_their_exchange(tmp_path, mock_url, monkeypatch):
    monkeypatch.setattr(proxy_observer, "EVIDENCED", 2)
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url})), io.StringIO()) as (proxy, observer):
        for _ in range(5):
            httpx.patch(proxy + TESMA, headers={**TESMA_HEADERS, "Content-Type": "application/json"}, content=b"[{")
    failed = [result for result in observer.results if result.id == "TESMA-BP-003"]
    assert len(failed) == 5 and [bool(result.evidence) for result in failed] == [True, True, False, False, False]


def test_a_header_value_outside_ascii_is_forwarded_reported_and_recorded(tmp_path, mock_url):
    record = tmp_path / "r.jsonl"
    settings = ProxySettings(target=targets(tmp_path, {"tesma": mock_url}), record=record)
    with proxied(settings, io.StringIO()) as (proxy, observer):
        headers = [
            *TESMA_HEADERS.items(),
            ("X-Note", "caf\u00e9".encode("latin-1")),
            ("Content-Type", "application/json"),
        ]
        response = httpx.patch(proxy + TESMA, headers=headers, content=b"[{")
    assert response.status_code == 400
    [client] = [result for result in observer.results if result.reason.startswith("client:")]
    assert client.evidence and "x-note" in client.evidence[0]["curl"].lower()
    [entry] = recording.read(record)
    assert entry.record["request"]["headers"]["x-note"] == "caf\u00e9"

"""A recording is one format with two producers: the proxy's `--record` and the mock's journal export. Both
must validate against `conformance/recording.schema.json` and say the same about the same exchange."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from conformance import recording
from conformance.proxy.serve import ProxySettings
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance.proxy.upstream import proxied, targets
from tests.live_server import serve

TESMA = "/v1/leases/assets"


@pytest.fixture(scope="module")
def mock_url():
    with serve(build_app(Settings())) as url:
        yield url


def test_the_proxy_and_the_mocks_journal_write_the_same_format(tmp_path, mock_url):
    tenant = "recording-format-key"
    headers = {"X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
    record = tmp_path / "proxy.jsonl"
    with proxied(ProxySettings(target=targets(tmp_path, {"tesma": mock_url}), record=record), io.StringIO()) as (
        proxy,
        _,
    ):
        httpx.patch(proxy + TESMA, headers=headers, json=[{"assetId": 111, "serialNumber": "rec-1"}])
        httpx.patch(proxy + TESMA, headers=headers, content=b"not json", params={"x": "1"})
        httpx.get(proxy + "/v1/leases/assets/bulkpatches/1", headers=headers)
    exported = httpx.get(mock_url + "/__admin/requests", params={"format": "recording", "tenant": tenant})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/jsonl")
    journal = tmp_path / "journal.jsonl"
    journal.write_bytes(exported.content)

    from_proxy = [entry.record for entry in recording.read(record)]
    from_mock = [entry.record for entry in recording.read(journal)]  # both validate against the schema
    assert len(from_proxy) == len(from_mock) == 3
    for proxied_line, journal_line in zip(from_proxy, from_mock, strict=True):  # oldest first in both
        for key in ("api", "operationId", "method", "path", "query", "status"):
            assert proxied_line[key] == journal_line[key], key
        assert proxied_line["request"]["body"] == journal_line["request"]["body"]
        assert proxied_line["response"]["body"]["text"] == journal_line["response"]["body"]["text"]
        assert proxied_line["request"]["headers"]["x-api-key"] == journal_line["request"]["headers"]["x-api-key"]
        assert tenant not in json.dumps(proxied_line) and tenant not in json.dumps(journal_line)


def test_the_schema_refuses_a_line_of_another_shape(tmp_path):
    good = {
        "recording": 1, "time": "2026-01-01T00:00:00.000Z", "api": "tesma", "operationId": None, "method": "GET",
        "path": "/v1/x", "query": "", "status": 200, "durationMs": 1.0,
        "request": {"headers": {}, "body": {"size": 0, "truncated": False, "text": ""}},
        "response": {"headers": {}, "body": {"size": 0, "truncated": False, "text": ""}},
    }  # fmt: skip
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(good) + "\n")
    assert len(list(recording.read(path))) == 1
    for change in ({"recording": 2}, {"status": "200"}, {"extra": 1}, {"method": "get"}, {"path": "v1"}):
        path.write_text(json.dumps(good) + "\n" + json.dumps({**good, **change}) + "\n")
        with pytest.raises(recording.RecordingError, match=":2: "):
            list(recording.read(path))

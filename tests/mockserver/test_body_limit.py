"""Bodies above the limit are refused with 413 in the vendor's format before the mock reads them whole."""

import httpx

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.live_server import serve

READINGS = "/api/v3/reading"


def test_a_body_above_the_limit_is_refused_in_the_vendors_format():
    body = b"[" + b",".join([b'{"channelId": 10001, "readings": []}'] * 2000) + b"]"  # about 72 KB
    with serve(build_app(Settings(max_body_bytes=64 * 1024))) as url, httpx.Client(base_url=url) as http:
        key = {"ECI-ApiKey": "limit", "Content-Type": "application/json"}
        announced = http.post(READINGS, content=body, headers=key)
        assert (announced.status_code, announced.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")

        def chunks():  # no Content-Length: the limit counts what streams in
            for start in range(0, len(body), 8192):
                yield body[start : start + 8192]

        streamed = http.post(READINGS, content=chunks(), headers=key)
        assert (streamed.status_code, streamed.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
        small = http.post(READINGS, json=[{"channelId": 10001, "readings": []}], headers=key)
        assert small.status_code == 200, small.text
        journaled = http.get("/__admin/requests", params={"status": 413}).json()["requests"]
        assert len(journaled) == 2


def test_no_limit_when_turned_off():
    body = b"[" + b",".join([b'{"channelId": 10001, "readings": []}'] * 2000) + b"]"
    with serve(build_app(Settings(max_body_bytes=0))) as url, httpx.Client(base_url=url) as http:
        response = http.post(READINGS, content=body, headers={"ECI-ApiKey": "x", "Content-Type": "application/json"})
        assert response.status_code == 200, response.text


def test_a_streamed_body_is_read_with_or_without_a_limit():
    body = b'[{"channelId": 10001, "readings": []}]'
    for limit in (0, 1024):
        with serve(build_app(Settings(max_body_bytes=limit))) as url, httpx.Client(base_url=url) as http:
            response = http.post(
                READINGS,
                content=iter([body[:5], body[5:]]),
                headers={"ECI-ApiKey": "s", "Content-Type": "application/json"},
            )
            assert response.status_code == 200, response.text

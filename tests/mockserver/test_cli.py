"""`mockserver` as a user starts it: a real process on a real port."""

import subprocess
import sys
import time

import httpx
import yaml

from tests.live_server import free_port


def start(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/__admin/health", timeout=1)
            return process, base_url
        except httpx.HTTPError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise AssertionError(process.stderr.read())


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=10)
    return out


def test_the_banner_says_where_every_api_and_its_docs_live():
    process, base_url = start()
    try:
        health = httpx.get(f"{base_url}/__admin/health").json()
    finally:
        out = stop(process)
    assert f"{base_url}/assets/r1/ui/" in out
    assert f"{base_url}/__admin/ui/" in out
    assert health["authMode"] == "open"


def test_a_file_store_keeps_state_across_a_restart_of_the_process(tmp_path):
    store = f"sqlite:///{tmp_path / 'state.db'}"
    batch = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
    process, base_url = start("--store", store)
    try:
        response = httpx.patch(
            f"{base_url}{batch}", json=[{"id": 3101, "note": "kept"}], headers={"Authorization": "Bearer cli"}
        )
        assert response.status_code == 200
    finally:
        stop(process)
    process, base_url = start("--store", store)
    try:
        state = httpx.get(f"{base_url}/__admin/state", params={"tenant": "cli"}).json()
    finally:
        stop(process)
    notes = [m.get("note") for a in state["overit"]["accounts"] for e in a["measuringElements"] for m in e["measures"]]
    assert "kept" in notes


def test_a_dataset_that_cannot_load_stops_the_start_with_a_clear_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    measure = {"id": 1, "status": "TO_VALIDATE"}
    bad.write_text(
        yaml.safe_dump(
            {"overit": {"accounts": [{"id": 1, "measuringElements": [{"id": 2, "measures": [measure, measure]}]}]}}
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "--port", str(free_port()), "--fixtures", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "duplicate" in result.stderr

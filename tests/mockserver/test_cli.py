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


def test_a_non_loopback_host_without_an_admin_token_is_warned_about():
    from mockserver.cli import exposure_warning

    for host in ("0.0.0.0", "::", "192.168.1.20", "mock.example"):
        assert "WARNING" in exposure_warning(host, None)
        assert exposure_warning(host, "t0ken") is None
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert exposure_warning(host, None) is None


def test_the_admin_token_comes_from_the_option_or_the_environment(monkeypatch):
    from mockserver.cli import ADMIN_TOKEN_VARIABLE, parse_args

    monkeypatch.delenv(ADMIN_TOKEN_VARIABLE, raising=False)
    assert parse_args([]).admin_token is None
    assert parse_args(["--admin-token", "opt"]).admin_token == "opt"
    monkeypatch.setenv(ADMIN_TOKEN_VARIABLE, "env")
    assert parse_args([]).admin_token == "env"
    assert parse_args(["--admin-token", "opt"]).admin_token == "opt"


def test_the_process_takes_its_admin_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOCKSERVER_ADMIN_TOKEN", "from-env")
    process, base_url = start()
    try:
        assert httpx.get(f"{base_url}/__admin/requests").status_code == 401
        headers = {"Authorization": "Bearer from-env"}
        assert httpx.get(f"{base_url}/__admin/requests", headers=headers).status_code == 200
    finally:
        out = stop(process)
    assert "admin API: needs 'Authorization: Bearer <admin token>'" in out


def test_main_prints_the_warning_before_it_listens_beyond_loopback(monkeypatch, capsys):
    import gc

    import mockserver.cli

    monkeypatch.delenv("MOCKSERVER_ADMIN_TOKEN", raising=False)
    served = []
    monkeypatch.setattr(mockserver.cli.uvicorn, "run", lambda app, **options: served.append(options["host"]))
    assert mockserver.cli.main(["--host", "0.0.0.0", "--port", "1"]) == 0  # nothing binds: uvicorn.run is stubbed
    gc.unfreeze()  # main froze what it had built, in this test process
    assert served == ["0.0.0.0"]
    assert "WARNING: listening on 0.0.0.0 with no admin token" in capsys.readouterr().err


def test_an_open_journal_stream_does_not_hold_the_process_up_when_it_is_stopped():
    import signal
    import threading

    process, base_url = start()
    opened = threading.Event()

    def watch() -> None:  # a console left open in a browser tab
        try:
            with httpx.stream("GET", f"{base_url}/__admin/requests/stream", timeout=30) as stream:
                opened.set()
                for _ in stream.iter_bytes():
                    pass
        except httpx.HTTPError:
            pass

    threading.Thread(target=watch, daemon=True).start()
    assert opened.wait(5)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=8)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("Ctrl-C left the mock running while a journal stream was open") from None

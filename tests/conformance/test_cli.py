"""`conformance` as a pipeline uses it: exit codes that mean what they say, JUnit that agrees with them, evidence
that replays, a run that describes itself, and option errors that exit 2. The 'real' targets are our mock with
/__admin hidden, some with their answers rewritten the way a real vendor might differ."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import cli
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance.test_real_targets import hidden_admin
from tests.live_server import serve

pytestmark = pytest.mark.slow
KEY = "tesma-cli-key"
Rewrite = Callable[[int, bytes], tuple[int, bytes]]


def rewriting(app: Any, rewrite: Rewrite, content_type: bytes | None = None) -> Any:
    """The app with each tesma answer's status and body (and content type) rewritten, buffered."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body = rewrite(started["status"], b"".join(chunks))
            replaced = {b"content-length"} | ({b"content-type"} if content_type else set())
            headers = [(k, v) for k, v in started.get("headers", []) if k.lower() not in replaced]
            headers.append((b"content-length", str(len(body)).encode()))
            if content_type:
                headers.append((b"content-type", content_type))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return asgi


def renamed_codes(status: int, body: bytes) -> tuple[int, bytes]:
    """A vendor whose error codes differ from the ones we assumed, the statuses kept."""
    return status, re.sub(rb'"code": ?"[A-Z_]+"', b'"code": "VENDOR_SPECIFIC"', body)


def unauthorized_as_bad_request(status: int, body: bytes) -> tuple[int, bytes]:
    """A vendor that answers a missing key with 400: the documented 401 broken."""
    return (400 if status == 401 else status), body


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve(build_app(Settings())) as url:
        yield url


@pytest.fixture(scope="module")
def real_url() -> Iterator[str]:
    with serve(hidden_admin(build_app(Settings()))) as url:
        yield url


def targets(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESMA_CREDENTIAL", KEY)
    path = tmp_path / "targets.yaml"
    entry = {"baseUrl": url, "credential": "${TESMA_CREDENTIAL}", "objects": {"group": "ACME", "assets": [111, 222]}}
    path.write_text(json.dumps({"apis": {"tesma": entry}}))
    return path


def run(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], ET.Element | None]:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    code = cli.main(["run", *args, "--json", str(report), "--junit", str(junit), "--cache-dir", str(tmp_path / "c")])
    document = json.loads(report.read_text()) if report.exists() else {}
    return code, document, ET.parse(junit).getroot() if junit.exists() else None


def rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in document["results"] if row["kind"] == "rule"}


def properties(case: ET.Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in case.iter("property"):
        found.setdefault(element.get("name", ""), []).append(element.get("value", ""))
    return found


SCENARIOS_ONLY = ("--no-schema-checks", "--max-rps", "0")


def test_a_real_target_differing_only_in_assumed_codes_warns_and_the_run_passes(tmp_path, monkeypatch, capsys):
    with serve(rewriting(hidden_admin(build_app(Settings())), renamed_codes)) as url:
        code, document, junit = run(tmp_path, "--target", str(targets(tmp_path, url, monkeypatch)), *SCENARIOS_ONLY,
                                    "--rule", "TESMA-BP-009", "--rule", "TESMA-BP-003")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    warned = rows(document)["TESMA-BP-009"]
    assert warned["outcome"] == "warned"
    assert warned["assumed"] == "code UNAUTHORIZED" and warned["answered"].startswith("401 VENDOR_SPECIFIC")
    assert "assumed: code UNAUTHORIZED; target answered: 401 VENDOR_SPECIFIC" in out
    # JUnit agrees with the exit code: warnings are passing tests that say what the target answered.
    assert junit is not None
    suite = junit.find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert not list(junit.iter("failure"))
    [case] = [case for case in junit.iter("testcase") if case.get("name") == "TESMA-BP-009"]
    found = properties(case)
    assert found["rule"] == ["TESMA-BP-009"] and found["verdict"] == ["warned"]
    assert found["source"] == ["vendor-doc"] and found["expected"] == ["401 UNAUTHORIZED"]
    assert found["target answered"][0].startswith("401 VENDOR_SPECIFIC")
    run_properties = properties(suite.find("properties"))  # type: ignore[arg-type]
    assert run_properties["version"] and run_properties["seed"] and run_properties["mode"] == ["read-only"]


def test_a_real_target_breaking_a_documented_status_fails_with_replayable_evidence(tmp_path, monkeypatch, capsys):
    with serve(rewriting(hidden_admin(build_app(Settings())), unauthorized_as_bad_request)) as url:
        code, document, junit = run(tmp_path, "--target", str(targets(tmp_path, url, monkeypatch)), *SCENARIOS_ONLY,
                                    "--rule", "TESMA-BP-009")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1, out
    failed = rows(document)["TESMA-BP-009"]
    assert failed["outcome"] == "failed"
    assert failed["reason"].startswith("expected 401 UNAUTHORIZED, got 400")
    [exchange, *_] = failed["evidence"]
    assert exchange["curl"].startswith(f"curl -X PATCH {url}/v1/leases/assets")
    assert junit is not None and [case.get("name") for case in junit.iter("testcase") if case.find("failure")
                                  is not None] == ["TESMA-BP-009"]  # fmt: skip
    written = json.dumps(document) + ET.tostring(junit, encoding="unicode") + out
    assert KEY not in written
    # Readable: expected vs got, no traceback frames of the tool itself.
    assert "Traceback" not in out and 'File "' not in out and "ExceptionGroup" not in out


@pytest.mark.parametrize(
    ("rewrite", "content_type"),
    [(lambda status, body: (503, b"Service Unavailable"), b"text/plain"),
     (lambda status, body: (status, b"<html><body>Bad request</body></html>"), b"text/html"),
     (lambda status, body: (status, body.decode().encode("utf-16")), b"application/json")],
    ids=["503", "html-errors", "utf16-json"],
)  # fmt: skip
def test_no_valid_answer_fails_even_a_rule_resting_on_an_assumption(tmp_path, monkeypatch, rewrite, content_type):
    with serve(rewriting(hidden_admin(build_app(Settings())), rewrite, content_type)) as url:
        code, document, _ = run(tmp_path, "--target", str(targets(tmp_path, url, monkeypatch)), *SCENARIOS_ONLY,
                                "--rule", "TESMA-BP-011", "--rule", "TESMA-BP-009")  # fmt: skip
    found = rows(document)
    assert code == 1
    assert found["TESMA-BP-011"]["outcome"] == "failed", "an assumption softens nothing when nothing was answered"
    assert found["TESMA-BP-009"]["outcome"] == "failed"


def test_evidence_on_a_real_target_replays_with_the_credential_variable(tmp_path, monkeypatch):
    with serve(rewriting(hidden_admin(build_app(Settings())), unauthorized_as_bad_request)) as url:
        code, document, _ = run(tmp_path, "--target", str(targets(tmp_path, url, monkeypatch)), *SCENARIOS_ONLY,
                                "--rule", "TESMA-BP-010")  # fmt: skip
    assert code == 1
    curls = [exchange["curl"] for exchange in rows(document)["TESMA-BP-010"]["evidence"]]
    assert curls and all('-H "X-API-KEY: $TESMA_CREDENTIAL"' in curl for curl in curls), curls
    assert all(KEY not in curl for curl in curls)


def test_evidence_on_our_mock_names_the_tenant_so_the_failure_replays(tmp_path, mock_url, monkeypatch):
    from conformance import expect

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise expect.ContractBroken("TESMA-BP-011", "415", "forced", {"outcome"})

    monkeypatch.setattr("conformance.scenario.expect_outcome", refuse)
    code, document, _ = run(tmp_path, "--base-url", mock_url, "--api", "tesma", "--no-schema-checks",
                            "--rule", "TESMA-BP-011")  # fmt: skip
    assert code == 1
    [exchange] = rows(document)["TESMA-BP-011"]["evidence"]
    assert exchange["tenant"].startswith("conformance-")
    assert f"x-api-key: {exchange['tenant']}" in exchange["curl"]


def test_a_run_that_checks_nothing_exits_2_saying_why(tmp_path, real_url, capsys):
    code, document, _ = run(tmp_path, "--base-url", real_url, "--api", "overit", "--max-rps", "0")
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing was checked" in err and "no credential for overit" in err
    assert document["summary"]["passed"] == 0 and document["summary"]["skipped"] > 0


def test_min_checks_demands_coverage(tmp_path, mock_url, capsys):
    code, _, _ = run(tmp_path, "--base-url", mock_url, "--api", "tesma", "--no-schema-checks",
                     "--rule", "TESMA-BP-011", "--min-checks", "5")  # fmt: skip
    assert code == 2 and "at least 5 required" in capsys.readouterr().err


def test_min_score_fails_a_run_below_it(tmp_path, monkeypatch, capsys):
    with serve(rewriting(hidden_admin(build_app(Settings())), unauthorized_as_bad_request)) as url:
        path = targets(tmp_path, url, monkeypatch)
        code, document, _ = run(tmp_path, "--target", str(path), *SCENARIOS_ONLY, "--rule", "TESMA-BP-003")
        assert (code, document["scores"][0]["score"]) == (0, 100.0)
        code, _, _ = run(tmp_path, "--target", str(path), *SCENARIOS_ONLY, "--rule", "TESMA-BP-003",
                         "--rule", "TESMA-BP-009", "--min-score", "60")  # fmt: skip
    assert code == 1
    assert "tesma scores 50%, below --min-score 60" in capsys.readouterr().err


def test_a_base_url_holding_the_base_path_is_refused_with_the_corrected_url(capsys):
    code = cli.main(["run", "--base-url", "http://127.0.0.1:9/assets/r1", "--api", "overit"])
    assert code == 2
    assert "use http://127.0.0.1:9" in capsys.readouterr().err


def test_the_run_describes_itself_and_reports_progress_per_check(tmp_path, mock_url, capsys):
    html = tmp_path / "report.html"
    code, document, _ = run(tmp_path, "--base-url", mock_url, "--api", "tesma", "--no-schema-checks",
                            "--rule", "TESMA-BP-011", "--rule", "TESMA-BP-003", "--html", str(html))  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("conformance ") and "seed " in out and "our mock" in out
    assert re.search(r"^\[1/4\] TESMA-BP-003 PASS \d+\.\d s$", out, re.MULTILINE), out
    assert f"reports: {tmp_path / 'report.json'}" in out
    assert out.count(" passed, ") == 1, "one summary"
    run_info = document["run"]
    assert {"version", "seed", "duration", "max_examples", "targets", "mode"} <= set(run_info)
    assert run_info["targets"] == {"tesma": mock_url}
    page = html.read_text()
    assert "f-result" in page and "f-api" in page and str(run_info["seed"]) in page and "class='bar'" in page


def test_caches_go_under_the_cache_folder_not_the_working_directory(tmp_path, mock_url, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    cache = tmp_path / "cache"
    code = cli.main(["run", "--base-url", mock_url, "--api", "tesma", "--no-scenarios", "--max-examples", "2",
                     "--seed", "3", "--cache-dir", str(cache), "--json", "report.json"])  # fmt: skip
    assert code == 0
    assert sorted(path.name for path in work.iterdir()) == ["report.json"], "only the report asked for"


def test_wait_retries_until_the_target_answers(tmp_path, capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    assert cli.main(["run", "--base-url", url, "--api", "tesma", "--timeout", "1"]) == 2
    assert "--wait SECONDS" in capsys.readouterr().err

    def start_later() -> None:
        import uvicorn

        time.sleep(1.0)
        server = uvicorn.Server(uvicorn.Config(build_app(Settings()), host="127.0.0.1", port=port, log_level="error"))
        later.append(server)
        server.run()

    later: list[Any] = []
    thread = threading.Thread(target=start_later, daemon=True)
    thread.start()
    try:
        code, _, _ = run(tmp_path, "--base-url", url, "--api", "tesma", "--no-schema-checks", "--rule",
                         "TESMA-BP-011", "--wait", "20", "--timeout", "1")  # fmt: skip
        assert code == 0
    finally:
        while not later:
            time.sleep(0.05)
        later[0].should_exit = True
        thread.join(10)


@pytest.mark.parametrize(
    "argv",
    [["run", "--base-url", "http://127.0.0.1:9", "--credential", "foo"],
     ["run", "--base-url", "http://127.0.0.1:9", "--budget", "x"],
     ["list-rules", "--api", "sap"]],
    ids=["credential", "budget", "api"],
)  # fmt: skip
def test_option_errors_exit_2(argv, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    assert code == 2


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-examples", "0"), ("--timeout", "nan"), ("--timeout", "-1"), ("--wait", "inf"), ("--wait", "-5"),
     ("--wait", "1e9"), ("--budget", "nan"), ("--min-checks", "-1"), ("--min-score", "nan"), ("--min-score", "101"),
     ("--min-score", "-0.5"), ("--max-rps", "inf")],
)  # fmt: skip
def test_numbers_that_cannot_mean_anything_are_refused_before_anything_is_sent(option, value, mock_url, capsys):
    code = cli.main(["run", "--base-url", mock_url, "--api", "tesma", "--no-schema-checks", option, value])
    assert code == 2
    assert option in capsys.readouterr().err


def test_init_targets_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "targets.yaml"
    path.write_text("mine\n")
    assert cli.main(["init-targets", str(path)]) == 2
    assert path.read_text() == "mine\n" and "--force" in capsys.readouterr().err
    assert cli.main(["init-targets", str(path), "--force"]) == 0
    assert "${TESMA_CREDENTIAL}" in path.read_text()


def test_api_x_needs_only_x_variables(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ORACLE_CREDENTIAL", raising=False)
    path = tmp_path / "targets.yaml"
    path.write_text(json.dumps({"apis": {
        "tesma": {"baseUrl": "http://127.0.0.1:9", "credential": "${TESMA_CREDENTIAL}"},
        "oracle": {"baseUrl": "http://127.0.0.1:9", "credential": "${ORACLE_CREDENTIAL}"}}}))  # fmt: skip
    monkeypatch.setenv("TESMA_CREDENTIAL", "k")
    assert cli.main(["run", "--target", str(path), "--api", "tesma", "--timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach" in err and "ORACLE_CREDENTIAL" not in err


def test_version_on_both_commands():
    for command in ("conformance", "mockserver"):
        done = subprocess.run([str(Path(sys.executable).parent / command), "--version"], capture_output=True,
                              text=True, timeout=60, check=True)  # fmt: skip
        assert re.fullmatch(rf"{command} \d+\.\d+\.\d+\S*\n", done.stdout), done.stdout


def test_list_rules_is_a_sorted_table_with_a_header_and_safe_in_a_pipe():
    binary = str(Path(sys.executable).parent / "conformance")
    table = subprocess.run([binary, "list-rules"], capture_output=True, text=True, timeout=60, check=True).stdout
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["ID", "API", "STATUS"]
    ids = [line.split()[0] for line in lines[2:] if re.match(r"^[A-Z]+-[A-Z]+-\d{3} ", line)]
    apis = [line.split()[1] for line in lines[2:] if re.match(r"^[A-Z]+-[A-Z]+-\d{3} ", line)]
    assert list(zip(apis, ids, strict=True)) == sorted(zip(apis, ids, strict=True)) and len(ids) > 100
    piped = subprocess.run(f"{binary} list-rules --json | head -1", shell=True, capture_output=True, text=True,
                           timeout=60)  # fmt: skip
    assert piped.stdout == "[\n" and "BrokenPipeError" not in piped.stderr and "Traceback" not in piped.stderr


def lenient_overit(spec: dict[str, Any]) -> Any:
    """An OverIT batch endpoint that accepts every batch its contract allows once the note's bound is dropped
    (200 with the ids) and refuses anything else with the contract's 400: a vendor without our 4,000 limit,
    and with every other bound of ours."""
    import copy

    import jsonschema

    pointer = (
        "#/paths/" + next(p for p in spec["paths"]).replace("/", "~1") + "/patch/requestBody/content/"
        "application~1json/schema"
    )
    lenient = copy.deepcopy(spec)
    next(s for s in lenient["components"]["schemas"].values() if "note" in s.get("properties", {}))["properties"][
        "note"
    ].pop("maxLength")
    validator = jsonschema.Draft4Validator({**lenient, "$ref": pointer})

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        ids = re.fullmatch(r"/assets/r1/accounts/(\d+)/measuring-elements/(\d+)/measures/batch", scope["path"])
        try:
            batch = json.loads(body)
        except ValueError:
            batch = None
        accepted = scope["method"] == "PATCH" and ids and all(1 <= int(n) < 2**63 for n in ids.groups())
        if accepted and isinstance(batch, list) and batch and validator.is_valid(batch):
            status, answer = 200, {"payload": [item["id"] for item in batch]}
        else:
            status, answer = 400, {"code": "BASE_0001", "message": "invalid", "errors": []}
        content = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app


# Runs the command with one contract replaced, in a process of its own: what earlier runs left in this process
# (schemathesis and hypothesis keep state between runs) must not decide which cases get generated.
_WITH_CONTRACT = """
import sys
from pathlib import Path

import yaml

from conformance import cli, plugin
from conformance.contracts import Contract, load_contracts

spec_path = Path(sys.argv[1])
overit = load_contracts()["overit"]
replaced = Contract("overit", spec_path, yaml.safe_load(spec_path.read_text()), overit.base_path, overit.rules)
contracts = {**load_contracts(), "overit": replaced}
plugin.load_contracts = lambda: contracts
sys.exit(cli.main(sys.argv[2:]))
"""


def run_with_contract(tmp_path: Path, spec_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    argv = ["run", *args, "--json", str(report), "--cache-dir", str(tmp_path / "c")]
    done = subprocess.run([sys.executable, "-c", _WITH_CONTRACT, str(spec_path), *argv], capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    return done.returncode, json.loads(report.read_text()) if report.exists() else {"results": [], "out": done.stderr}


def test_a_schema_bound_the_vendor_never_published_warns_end_to_end(tmp_path, monkeypatch):
    """OverIT's note <= 4,000 is our assumption: a target accepting longer notes warns (exit 0) once the contract
    marks the bound `x-assumed`, and fails without the marking or with --strict."""
    import copy

    import yaml

    from conformance.contracts import load_contracts

    overit = load_contracts()["overit"]

    def measure(spec: dict[str, Any]) -> dict[str, Any]:
        return next(s for s in spec["components"]["schemas"].values() if "note" in s.get("properties", {}))

    def spec_with(note_marking: list[str]) -> Path:
        spec = copy.deepcopy(overit.spec)
        measure(spec)["properties"]["note"]["x-assumed"] = note_marking
        spec_path = tmp_path / f"overit-{len(note_marking)}.yaml"
        spec_path.write_text(yaml.safe_dump(spec))
        return spec_path

    unmarked_spec, marked_spec = spec_with([]), spec_with(["maxLength"])
    monkeypatch.setenv("OVERIT_CREDENTIAL", "overit-real")
    args = ["--api", "overit", "--no-scenarios", "--max-rps", "0", "--max-examples", "10", "--seed", "2"]
    with serve(lenient_overit(yaml.safe_load(marked_spec.read_text()))) as url:
        targets_path = tmp_path / "targets.yaml"
        entry = {"baseUrl": url, "credential": "${OVERIT_CREDENTIAL}"}
        targets_path.write_text(json.dumps({"apis": {"overit": entry}}))
        unmarked_code, unmarked = run_with_contract(tmp_path, unmarked_spec, "--target", str(targets_path), *args)
        code, document = run_with_contract(tmp_path, marked_spec, "--target", str(targets_path), *args)
        strict_code, _ = run_with_contract(tmp_path, marked_spec, "--target", str(targets_path), *args, "--strict")
    batch = "PATCH /accounts/{accountId}/measuring-elements/{measuringElementId}/measures/batch"
    rows_by_id = {row["id"]: row for row in document["results"] if row["kind"] == "schema"}
    assert unmarked_code == 1, unmarked
    assert code == 0, [(r["id"], r["reason"]) for r in document["results"] if r["outcome"] == "failed"]
    assert rows_by_id[batch]["outcome"] == "warned" and "maxLength" in rows_by_id[batch]["assumed"]
    assert strict_code == 1


def test_a_contract_that_cannot_be_read_stops_the_run_with_2(tmp_path, capsys):
    (tmp_path / "no-id.yaml").write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: /x}]\n")
    for contract, says in ((tmp_path / "missing.yaml", "missing.yaml"), (tmp_path / "no-id.yaml", "x-api-id")):
        assert cli.main(["run", "--base-url", "http://127.0.0.1:9", "--contract", str(contract)]) == 2
        assert says in capsys.readouterr().err

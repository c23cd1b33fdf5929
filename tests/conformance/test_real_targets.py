"""Conformance against an implementation that is not our mock: targets files, read-only safety, rate limits,
warnings for assumptions, evidence and reports. The 'real' target here is our mock with /__admin hidden, so
the tests can still look inside it (its journal and store) in-process."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance import cli
from conformance.target import ApiClient, RateLimit
from mockserver.app import build_app
from mockserver.qa.journal import Filter
from mockserver.settings import Settings
from tests.conformance.demo_objects import DEMO_OBJECTS
from tests.live_server import serve

pytestmark = pytest.mark.slow
KEY = "tesma-real-key"
TESMA_OBJECTS = DEMO_OBJECTS["tesma"]


def hidden_admin(app: Any) -> Any:
    """The mock as a real target looks: no /__admin."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__admin"):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return asgi


def targets_file(tmp_path: Path, base_url: str, objects: dict[str, Any] | None = TESMA_OBJECTS) -> Path:
    path = tmp_path / "targets.yaml"
    entry = {"baseUrl": base_url, "credential": "${TESMA_KEY}", **({"objects": objects} if objects else {})}
    path.write_text(json.dumps({"apis": {"tesma": entry}}))
    return path


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TESMA_KEY", KEY)
    app = build_app(Settings())
    with serve(hidden_admin(app)) as url:
        yield app, url


def run_cli(*args: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = cli.main(["run", *args, "--json", str(report)])
    return code, json.loads(report.read_text()) if report.exists() else {}


def by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in report["results"] if row["kind"] == "rule"}


def test_a_real_target_is_only_read_and_sent_what_must_be_refused(real, tmp_path, capsys):
    app, url = real
    before = app.runtime.tenants.dump(KEY)
    code, report = run_cli("--target", str(targets_file(tmp_path, url)), "--max-examples", "5", "--max-rps", "0",
                           tmp_path=tmp_path)  # fmt: skip
    assert "read-only" in capsys.readouterr().out
    rows = by_rule(report)
    assert code == 0, report["summary"]
    assert rows["TESMA-BP-012"]["outcome"] == "skipped" and "--allow-writes" in rows["TESMA-BP-012"]["reason"]
    assert all(rows[f"TESMA-BP-00{n}"]["outcome"] == "passed" for n in (3, 4, 6, 7, 8, 9)), rows
    sent = app.runtime.journal.entries(Filter(tenant=KEY))
    writes = [e for e in sent if e["method"] != "GET"]
    assert writes, "the refusal scenarios and negative schema checks send writes that must be refused"
    assert all(e["status"] >= 400 for e in writes), [(e["method"], e["path"], e["status"]) for e in writes]
    assert app.runtime.tenants.dump(KEY) == before, "a read-only run changed the target's state"


def test_with_allow_writes_the_writing_scenarios_run(real, tmp_path, capsys):
    _, url = real
    code, report = run_cli("--target", str(targets_file(tmp_path, url)), "--allow-writes", "--no-schema-checks",
                           "--max-rps", "0", tmp_path=tmp_path)  # fmt: skip
    assert "will change the target's state" in capsys.readouterr().out
    rows = by_rule(report)
    assert code == 0, report["summary"]
    assert rows["TESMA-BP-012"]["outcome"] == "passed" and rows["TESMA-BP-014"]["outcome"] == "passed"
    assert rows["TESMA-BP-013"]["outcome"] == "skipped", "reading assets back needs /__admin"


def test_a_scenario_whose_objects_are_not_named_is_skipped_saying_which(real, tmp_path):
    _, url = real
    code, report = run_cli("--target", str(targets_file(tmp_path, url, objects=None)), "--no-schema-checks",
                           "--max-rps", "0", "--rule", "TESMA-BP-009", tmp_path=tmp_path)  # fmt: skip
    [row] = report["results"]
    # Nothing was checked: never green (exit 2), and the reason is named.
    assert (code, row["outcome"], row["reason"]) == (2, "skipped", "missing targets key apis.tesma.objects.group")
    assert report["skipped"] == [{"reason": "missing targets key apis.tesma.objects.group", "count": 1}]


def test_failures_carry_replayable_evidence_with_credentials_masked(real, tmp_path):
    app, url = real
    app.runtime.faults.replace([{"operationId": "patch_lease_assets", "status": 400}])
    html = tmp_path / "report.html"
    code, report = run_cli("--target", str(targets_file(tmp_path, url)), "--no-schema-checks", "--max-rps", "0",
                           "--rule", "TESMA-BP-010", "--html", str(html), tmp_path=tmp_path)  # fmt: skip
    [row] = report["results"]
    assert (code, row["outcome"]) == (1, "failed")
    [exchange, *_] = row["evidence"]
    assert exchange["curl"].startswith(f"curl -X PATCH {url}/v1/leases/assets")
    assert exchange["response"]["status"] == 400 and "Injected" in exchange["response"]["body"]
    assert exchange["request"]["headers"]["x-api-key"] == "***"
    written = html.read_text() + json.dumps(report)
    assert KEY not in written
    assert "TESMA-BP-010" in written and "FAIL" in written and "curl -X PATCH" in written


def test_a_failed_assumption_warns_against_a_real_target_and_fails_when_strict(real, tmp_path):
    app, url = real
    app.runtime.faults.replace([{"operationId": "patch_lease_assets", "status": 400}])
    args = ["--target", str(targets_file(tmp_path, url)), "--no-schema-checks", "--max-rps", "0",
            "--rule", "TESMA-BP-011"]  # fmt: skip
    code, report = run_cli(*args, tmp_path=tmp_path)
    assert (code, report["results"][0]["outcome"]) == (0, "warned")
    code, report = run_cli(*args, "--strict", tmp_path=tmp_path)
    assert (code, report["results"][0]["outcome"]) == (1, "failed")


def test_the_rate_limit_spaces_requests(real, tmp_path):
    app, url = real
    code, _ = run_cli("--target", str(targets_file(tmp_path, url)), "--no-schema-checks", "--max-rps", "10",
                      "--rule", "TESMA-BP-003", tmp_path=tmp_path)  # fmt: skip
    assert code == 0
    times = sorted(datetime.fromisoformat(e["time"]) for e in app.runtime.journal.entries(Filter(tenant=KEY)))
    assert len(times) == 3
    # Spaced 0.1 s apart when sent; the server stamps them when it gets to them, which on a loaded machine can
    # bring two closer, so the span of all three is what is held (unlimited, they come milliseconds apart).
    assert (times[-1] - times[0]).total_seconds() >= 0.15, times


def test_rate_limit_and_retry_after_on_their_own():
    limit = RateLimit(20)
    began = time.monotonic()
    for _ in range(5):
        limit.on_request(httpx.Request("GET", "http://x"))
    assert time.monotonic() - began >= 0.19
    answers = iter([httpx.Response(429, headers={"Retry-After": "0.2"}), httpx.Response(200)])
    http = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)), base_url="http://x")
    client = ApiClient(http, type("C", (), {"base_path": "", "security_schemes": {}})(), None)
    began = time.monotonic()
    assert client.request("GET", "/").status_code == 200
    assert time.monotonic() - began >= 0.2


@pytest.mark.parametrize(
    ("content", "environment", "message"),
    [("apis: [", {}, "not valid YAML"), ("apis:\n  tesma: {baseUrl: http://x, credential: plain}", {}, "${NAME}"),
     ("apis:\n  tesma: {baseUrl: http://x, credential: '${NOPE}'}", {}, "NOPE is not set"),
     ("apis:\n  sap: {baseUrl: http://x}", {}, "unknown API"), ("- 1", {}, "expected a mapping")],
    ids=["yaml", "literal-secret", "missing-variable", "unknown-api", "shape"],
)  # fmt: skip
def test_a_bad_targets_file_stops_the_run_with_exit_2(tmp_path, capsys, monkeypatch, content, environment, message):
    monkeypatch.delenv("NOPE", raising=False)
    path = tmp_path / "targets.yaml"
    path.write_text(content)
    assert cli.main(["run", "--target", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_environment_variables_fill_the_targets_file(tmp_path, monkeypatch):
    from conformance.targets import load_targets

    monkeypatch.setenv("HOST", "tesma.example")
    monkeypatch.setenv("KEY", "k")
    path = tmp_path / "targets.yaml"
    path.write_text("apis:\n  tesma:\n    baseUrl: https://${HOST}/\n    credential: ${KEY}\n"
                    "    objects: {group: ACME, assets: [1, 2, 3]}\n")  # fmt: skip
    [(api, entry)] = load_targets(path, ["tesma"]).items()
    assert (api, entry.base_url, entry.credential, entry.objects["assets"]) == (
        "tesma", "https://tesma.example", "k", [1, 2, 3]
    )  # fmt: skip


def test_init_targets_lists_every_object_a_scenario_can_use(tmp_path):
    path = tmp_path / "targets.yaml"
    assert cli.main(["init-targets", str(path)]) == 0
    text = path.read_text()
    for key in TESMA_OBJECTS:
        assert f"# {key}:" in text
    assert "${TESMA_CREDENTIAL}" in text and "oracle:" in text


def test_a_time_budget_stops_starting_checks_and_reports_what_ran(real, tmp_path):
    _, url = real
    code, report = run_cli("--target", str(targets_file(tmp_path, url)), "--no-schema-checks", "--max-rps", "0",
                           "--budget", "0.001", tmp_path=tmp_path)  # fmt: skip
    assert code == 2, "a run that checked nothing is not a pass"
    assert {row["outcome"] for row in report["results"]} == {"skipped"}
    assert report["skipped"][0]["reason"].startswith("not run: time budget of 0.001 s used up")


def scenarios_on_named_objects(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api: str, objects: dict[str, Any], *options: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """One API's scenarios (no schema checks) against a fresh mock with /__admin hidden, its credential from the
    environment: the rows by rule, and the API's state in the store before and after."""
    credential = f"{api}-real-credential"
    monkeypatch.setenv("REAL_CREDENTIAL", credential)
    app = build_app(Settings())
    with serve(hidden_admin(app)) as url:
        targets = tmp_path / "targets.yaml"
        entry = {"baseUrl": url, "credential": "${REAL_CREDENTIAL}", "objects": objects}
        targets.write_text(json.dumps({"apis": {api: entry}}))
        before = app.runtime.tenants.dump(credential)[api]
        code, report = run_cli("--target", str(targets), "--no-schema-checks", "--max-rps", "0", *options,
                               tmp_path=tmp_path)  # fmt: skip
        after = app.runtime.tenants.dump(credential)[api]
    rows = by_rule(report)
    assert code == 0, [(r["id"], r["reason"]) for r in rows.values() if r["outcome"] == "failed"]
    return rows, before, after


def passed(rows: dict[str, dict[str, Any]]) -> set[str]:
    return {rule for rule, row in rows.items() if row["outcome"] == "passed"}


def test_energycap_scenarios_run_on_named_objects_and_put_the_channel_back(monkeypatch, tmp_path):
    rows, before, after = scenarios_on_named_objects(
        monkeypatch, tmp_path, "energycap", DEMO_OBJECTS["energycap"], "--allow-writes"
    )
    assert {"ECAP-CV-001", "ECAP-CV-010", "ECAP-CV-014", "ECAP-CV-015", "ECAP-CH-002"} <= passed(rows)
    assert {f"ECAP-RD-{n:03d}" for n in range(1, 18)} <= passed(rows), sorted(set(rows) - passed(rows))
    assert rows["ECAP-CH-001"]["outcome"] == "skipped", "it checks its own seeded data"
    assert after["channels"] == before["channels"], "the writing scenarios must leave the channel as they found it"


def test_oracle_refusals_run_read_only_on_named_meters(monkeypatch, tmp_path):
    # The demo data has no ascending meter without rollover: the scenarios needing one must say so.
    objects = {key: value for key, value in DEMO_OBJECTS["oracle"].items() if key != "ascendingMeter"}
    rows, before, after = scenarios_on_named_objects(monkeypatch, tmp_path, "oracle", objects)
    assert {"ORA-MR-006", "ORA-MR-008", "ORA-MR-010", "ORA-MR-014", "ORA-MR-023", "ORA-MR-024", "ORA-MR-026",
            "ORA-MR-030", "ORA-MR-031", "ORA-MR-034", "ORA-MR-035"} <= passed(rows), sorted(passed(rows))  # fmt: skip
    assert rows["ORA-MR-029"]["reason"] == "changeMeter needs two readings or more to show an order"
    assert rows["ORA-MR-007"]["reason"] == "missing targets key apis.oracle.objects.ascendingMeter"
    assert rows["ORA-MR-011"]["outcome"] == "skipped"
    assert after == before, "a read-only run changed the target's state"


def test_overit_refusals_run_read_only_on_named_measures(monkeypatch, tmp_path):
    objects = {**DEMO_OBJECTS["overit"], "toValidate": [3101]}  # the demo element has one measure To Validate
    rows, before, after = scenarios_on_named_objects(monkeypatch, tmp_path, "overit", objects)
    expected = {f"OVERIT-MB-{n:03d}" for n in range(1, 26)} - {"OVERIT-MB-016", "OVERIT-MB-018", "OVERIT-MB-022",
                                                                 "OVERIT-MB-023"}  # fmt: skip
    assert expected <= passed(rows), sorted(expected - passed(rows))
    assert rows["OVERIT-MB-016"]["reason"] == "toValidate needs two measures"
    assert after == before, "a read-only run changed the target's state"

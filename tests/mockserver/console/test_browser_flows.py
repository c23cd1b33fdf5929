"""The issue's five flows, driven in a real Chromium against one mock served as `mockserver` serves it. Each test
creates its own tenant through the page and asserts what the page shows; vendor requests come from the test,
as a client under test would send them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.app import build_app
from mockserver.job_pace import JobPace
from mockserver.settings import Settings
from tests.live_server import serve

pytestmark = pytest.mark.browser

OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
ORACLE_READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ORACLE_JSON = {"Content-Type": "application/vnd.oracle.adf.resourceitem+json"}
ENERGYCAP_VERSION = "/api/v202101/meter/501/channel/10001/version/2"
# Slow enough to watch a bulk patch move, quick enough to wait for.
PACE = JobPace(per_second=2, start_delay=timedelta(seconds=0.5))


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve(build_app(Settings(job_pace=PACE))) as url:
        yield url


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def open_console(page: Any, mock_url: str, section: str = "overview") -> None:
    page.goto(mock_url + "/")
    expect(page.locator("[data-testid=rule-catalogue] tbody tr").first).to_be_visible()
    page.click(f"nav a[data-tab={section}]")


def create_tenant(page: Any, label: str) -> tuple[str, str]:
    """Creates a tenant from the Tenants page; returns its credential (shown once) and fingerprint."""
    page.click("nav a[data-tab=tenants]")
    page.fill("input[aria-label=label]", label)
    page.click("[data-testid=create-tenant] button[type=submit]")
    credential = page.locator("[data-testid=created-credential]")
    expect(credential).to_contain_text("qa-")
    row = page.locator("[data-testid=tenant-list] tbody tr", has_text=label)
    expect(row).to_be_visible()
    return credential.inner_text(), row.get_attribute("data-tenant")


def basic(user: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:any".encode()).decode()}


def show_data(page: Any, fingerprint: str, api: str) -> None:
    page.locator(f"[data-testid=tenant-list] tr[data-tenant={fingerprint}] >> text=Data").click()
    page.click(f"button[data-api={api}]")


def test_flow_1_a_batch_appears_in_the_journal_and_copies_as_curl(page, mock_url):
    open_console(page, mock_url)
    credential, fingerprint = create_tenant(page, "flow one")
    page.click("nav a[data-tab=journal]")
    expect(page.locator("[data-testid=stream-state]")).to_have_text("live")
    sent = httpx.patch(mock_url + OVERIT_BATCH, headers={"Authorization": f"Bearer {credential}"},
                       json=[{"id": 3101, "value": 4.2, "note": "from flow one"}])  # fmt: skip
    assert sent.status_code == 200
    row = page.locator("[data-testid=journal] tbody tr", has_text="flow one")
    expect(row).to_be_visible(timeout=1000)  # within a second, no reload
    expect(row).to_contain_text("patch_measures_batch")
    expect(row).to_contain_text("200")
    page.select_option("select[aria-label='filter by API']", "oracle")
    expect(row).to_have_count(0)
    page.select_option("select[aria-label='filter by API']", "overit")
    page.fill("input[aria-label='filter by status']", "200")
    page.select_option("select[aria-label='filter by tenant']", fingerprint)
    expect(page.locator("[data-testid=journal] tbody tr")).to_have_count(1)
    row.click()
    expect(page.locator("[data-testid=request-body]")).to_contain_text("from flow one")
    page.click("text=Copy as curl")
    curl = page.locator("[data-testid=curl]")
    expect(curl).to_contain_text("curl -X PATCH")
    expect(curl).to_contain_text(OVERIT_BATCH)
    expect(curl).to_contain_text("Authorization: Bearer $TOKEN")
    assert credential not in curl.inner_text()
    page.click("text=Send again")
    expect(page.locator("[data-testid=replayed]")).to_have_text("sent again: 200")
    expect(page.locator("[data-testid=journal] tbody tr", has_text="flow one")).to_have_count(2)
    assert fingerprint in page.locator("[data-testid=journal] tbody tr").first.inner_text()
    page.fill("input[aria-label='filter by status']", "400")
    expect(page.locator("[data-testid=journal] tbody tr")).to_have_count(0)


def test_flow_2_a_fault_rule_from_the_form_fails_the_next_post_once(page, mock_url):
    open_console(page, mock_url)
    credential, _ = create_tenant(page, "flow two")
    page.click("nav a[data-tab=faults]")
    page.select_option("select[aria-label='fault API']", "oracle")
    page.select_option("select[aria-label='fault operation']", "create_meter_reading")
    documented = page.locator("select[aria-label='fault status'] option").all_inner_texts()
    assert "400 (documented)" in documented and not any(text.startswith("503") for text in documented)
    page.select_option("select[aria-label='fault status']", "other")
    page.fill("input[aria-label='undocumented status']", "503")
    page.fill("input[aria-label=times]", "1")
    page.click("[data-testid=fault-form] button[type=submit]")
    rule = page.locator("[data-testid=fault-rules] tbody tr").first
    expect(rule).to_contain_text("answers 503 (undocumented)")
    expect(rule.locator("td.hits")).to_have_text("0")
    reading = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingDate": "2026-03-14T16:27:00-07:00",
               "ReadingTypeCode": "ORA_ABSOLUTE", "MeterUsageCode": "ORA_ASSET", "ReadingValue": 1108.12}  # fmt: skip
    first = httpx.post(mock_url + ORACLE_READINGS, headers={**basic(credential), **ORACLE_JSON}, json=reading)
    assert first.status_code == 503
    expect(rule.locator("td.hits")).to_have_text("1", timeout=3000)
    expect(rule).to_contain_text("0")  # none left
    second = httpx.post(mock_url + ORACLE_READINGS, headers={**basic(credential), **ORACLE_JSON}, json=reading)
    assert second.status_code == 201
    page.click("text=Remove all")
    expect(page.locator("[data-testid=fault-rules] tbody tr")).to_have_count(0)


def test_flow_3_a_job_progresses_to_its_end_and_a_pending_one_follows_the_clock(page, mock_url):
    open_console(page, mock_url)
    credential, fingerprint = create_tenant(page, "flow three")
    tesma = {"X-API-KEY": credential, "CorporateGroup-Name": "ACME"}
    patches = [{"assetId": asset, "serialNumber": f"SN-{asset}-NEW"} for asset in (111, 222, 444)]
    assert httpx.patch(mock_url + "/v1/leases/assets", headers=tesma, json=patches).status_code == 202
    show_data(page, fingerprint, "tesma")
    job = page.locator("[data-job='1']")
    expect(job.locator(".job-progress")).to_have_text("3 / 3", timeout=8000)
    expect(job.locator("[data-testid=job-status]")).to_have_text("successful")
    page.click("nav a[data-tab=clock]")
    page.click("button:text-is('Freeze')")
    expect(page.locator("[data-testid=clock-mode]")).to_have_text("frozen")
    try:
        assert httpx.patch(mock_url + "/v1/leases/assets", headers=tesma, json=patches[:2]).status_code == 202
        page.click("nav a[data-tab=data]")
        pending = page.locator("[data-job='2']")
        expect(pending.locator("[data-testid=job-status]")).to_have_text("notStarted")
        page.wait_for_timeout(1200)  # real time passes; the frozen clock holds the job
        expect(pending.locator(".job-progress")).to_have_text("0 / 2")
        page.click("nav a[data-tab=clock]")
        page.fill("input[aria-label='advance amount']", "1")
        page.select_option("select[aria-label='advance unit']", "60")
        page.click("[data-testid=clock-advance] button[type=submit]")
        page.click("nav a[data-tab=data]")
        expect(pending.locator(".job-progress")).to_have_text("2 / 2")
        expect(pending.locator("[data-testid=job-status]")).to_have_text("successful")
    finally:
        httpx.put(mock_url + "/__admin/clock", json={"mode": "real"})


def test_flow_4_an_oracle_chart_marks_a_rollover_and_a_reset_and_a_version_edit_shows(page, mock_url):
    open_console(page, mock_url)
    credential, fingerprint = create_tenant(page, "flow four")
    headers = {**basic(credential), **ORACLE_JSON}
    meter = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "MeterUsageCode": "ORA_ASSET"}
    rolled = {**meter, "ReadingDate": "2026-04-10T08:00:00Z", "ReadingTypeCode": "ORA_ABSOLUTE",
              "ReadingValue": 50, "RolloverFlag": True}  # fmt: skip
    assert httpx.post(mock_url + ORACLE_READINGS, headers=headers, json=rolled).status_code == 201
    reset = {**meter, "ReadingDate": "2026-05-10T08:00:00Z", "ReadingTypeCode": "ORA_RESET"}
    assert httpx.post(mock_url + ORACLE_READINGS, headers=headers, json=reset).status_code == 201
    show_data(page, fingerprint, "oracle")
    chart = page.locator("[data-testid=oracle-charts] figure", has_text="5 readings")
    expect(chart.locator("[data-testid=chart-summary]")).to_have_text("1 reset, 1 rollover, 0 disabled")
    assert chart.locator("path.marks.reset").get_attribute("d")
    assert chart.locator("path.marks.rollover").get_attribute("d")
    # NetValue is drawn as its own series, one point per active reading, from what the Oracle API answers.
    net = chart.locator("polyline.line.net")
    expect(net).to_have_attribute("data-count", "5")
    assert len(net.get_attribute("points").split()) == 5
    assert net.get_attribute("points") != chart.locator("polyline.line.value").get_attribute("points")
    answered = httpx.get(mock_url + ORACLE_READINGS, headers=basic(credential),
                         params={"q": "AssetNumber=F0554-02;MeterCode='0554 HOURS'", "orderBy": "ReadingDate:desc",
                                 "limit": 1, "onlyData": "true"}).json()["items"][0]  # fmt: skip
    latest = f"latest active: ReadingValue {answered['ReadingValue']:g}, NetValue {answered['NetValue']:g}"  # as JS
    expect(chart.locator("[data-testid=chart-latest]")).to_have_text(latest)
    expect(page.locator("[data-testid=oracle-charts] .legend")).to_contain_text("NetValue")

    version = {"beginDate": "2024-07-01", "maximumReading": 9999999, "multiplier": 2, "observationRule": "Odometer",
               "unitCode": "kWh", "udfs": [{"udfId": 1, "value": "Roof"}]}  # fmt: skip
    edited = httpx.put(mock_url + ENERGYCAP_VERSION, headers={"ECI-ApiKey": credential}, json=version)
    assert edited.status_code == 200, edited.text
    page.click("button[data-api=energycap]")
    timeline = page.locator("[data-channel='10001'] .version")
    expect(timeline.nth(0)).to_contain_text("→ 2024-07-01")
    expect(timeline.nth(1)).to_contain_text("2024-07-01 → open")
    expect(timeline.nth(1)).to_contain_text("Location: Roof")


def test_an_energycap_version_is_edited_from_the_page_and_the_timeline_follows(page, mock_url):
    open_console(page, mock_url)
    _, fingerprint = create_tenant(page, "version edit")
    show_data(page, fingerprint, "energycap")
    timeline = page.locator("[data-channel='10001'] .version")
    expect(timeline.nth(1)).to_contain_text("Location: Rooftop")
    page.click("button[aria-label='edit version 2 of channel 10001']")
    form = page.locator("[data-channel='10001'] [data-testid=version-edit]")
    form.locator("input[aria-label=multiplier]").fill("5")
    form.locator("input[aria-label='UDF Location']").fill("Attic")
    form.locator("input[aria-label='begin date']").fill("2024-07-01")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-testid=version-edit-answer]")).to_have_text("EnergyCAP answered 200")
    expect(timeline.nth(1)).to_contain_text("2024-07-01 → open")
    expect(timeline.nth(1)).to_contain_text("kWh \u00d75")  # multiplication sign, as the page writes it
    expect(timeline.nth(1)).to_contain_text("Location: Attic")
    expect(timeline.nth(0)).to_contain_text("→ 2024-07-01")  # the previous version ends where this one begins

    # A change the vendor's rules refuse comes back as EnergyCAP answered it, and the timeline stays.
    form.locator("input[aria-label='begin date']").fill("2019-01-01")  # before version 1 begins
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-testid=version-edit-answer]")).to_contain_text("EnergyCAP answered 4")
    expect(timeline.nth(1)).to_contain_text("2024-07-01 → open")
    journal = httpx.get(mock_url + "/__admin/requests", params={"api": "energycap"}).json()["requests"]
    assert [entry["method"] for entry in journal if entry["tenant"] == fingerprint] == ["PUT", "PUT"]  # as the tenant


def test_flow_5_a_downloaded_snapshot_restores_the_same_data(page, mock_url, tmp_path: Path):
    open_console(page, mock_url)
    credential, fingerprint = create_tenant(page, "flow five")
    changed = httpx.patch(mock_url + OVERIT_BATCH, headers={"Authorization": f"Bearer {credential}"},
                          json=[{"id": 3101, "value": 77.5}])  # fmt: skip
    assert changed.status_code == 200
    row = page.locator(f"[data-testid=tenant-list] tr[data-tenant={fingerprint}]")
    with page.expect_download() as download:
        row.locator("text=Download snapshot").click()
    saved = tmp_path / "snapshot.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["overit"]

    show_data(page, fingerprint, "overit")
    measure = page.locator("[data-table='overit.measures'] tbody tr", has_text="3101")
    expect(measure).to_contain_text("77.5")
    page.click("nav a[data-tab=tenants]")
    row.locator("text=Reset").click()
    expect(page.locator(".flash")).to_contain_text("back to the dataset")
    page.click("nav a[data-tab=data]")
    expect(measure).not_to_contain_text("77.5")
    page.click("nav a[data-tab=tenants]")
    row.locator("input[type=file]").set_input_files(str(saved))
    expect(page.locator(".flash")).to_contain_text("restored from snapshot.json")
    page.click("nav a[data-tab=data]")
    expect(measure).to_contain_text("77.5")


def test_trying_a_rule_runs_its_scenario_and_shows_the_verdict(page, mock_url):
    open_console(page, mock_url)
    page.fill("[data-testid=rule-search]", "ORA-MR-001")
    expect(page.locator("[data-testid=rule-catalogue] tbody tr")).to_have_count(1)
    page.click("button[data-try='ORA-MR-001']")
    expect(page.locator("[data-testid=tried]")).to_contain_text("Running the conformance scenario of ORA-MR-001")
    expect(page.locator("[data-testid=verdict]")).to_have_text("passed", timeout=60_000)
    expect(page.locator("[data-testid=tried]")).to_contain_text("expected 400 ORA_CSE_METER_NOT_IDENTIFIED")

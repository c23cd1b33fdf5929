"""Many processes, one truth: real workers and replicas on one SQLite file or one PostgreSQL database,
hammered concurrently over loopback (bounded counts), and every invariant checked afterwards."""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import httpx

from mockserver.store.scratch import scratch_database
from tests.scale.processes import fleet, hammer

ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ORACLE_ITEM = {"Content-Type": "application/vnd.oracle.adf.resourceitem+json"}
SEEDED_READING = 300100141425001  # in the demo dataset
METER = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingTypeCode": "ORA_ABSOLUTE",
         "MeterUsageCode": "ORA_ASSET"}  # fmt: skip
METER_ID = 300100141395129  # F0554-02's 0554 HOURS
TESMA_JOBS = "/v1/leases/assets"


def readings_of_meter(base_url: str, tenant: str) -> int:
    query = {"q": f"MeterId={METER_ID}", "limit": 1, "totalResults": True}
    return httpx.get(base_url + ORACLE, auth=(tenant, "x"), params=query, timeout=30).json()["totalResults"]


def fresh_tenant() -> str:
    return f"scale-{uuid.uuid4().hex}"


def check_concurrent_posts_to_one_meter_get_unique_ids_in_reading_order(servers: list[str], tenant: str) -> None:
    count = 120
    before = readings_of_meter(servers[0], tenant)
    # Dates in submission order, but the posts race: a reading may only follow the meter's last one.
    posts = [
        {"method": "POST", "url": ORACLE, "auth": (tenant, "x"), "headers": ORACLE_ITEM,
         "json": {**METER, "ReadingDate": f"2026-04-01T{index // 60:02d}:{index % 60:02d}:00Z",
                  "ReadingValue": 2000 + index}}
        for index in range(count)
    ]  # fmt: skip
    answers = hammer(servers, posts, threads=12)
    assert sorted({answer.status_code for answer in answers}) <= [201, 400], [a.text for a in answers if a.is_error]
    created = sorted((a.json()["MeterReadingId"], a.json()["ReadingDate"]) for a in answers if a.status_code == 201)
    assert created, "no reading was accepted"
    ids = [reading_id for reading_id, _date in created]
    assert len(set(ids)) == len(ids)
    dates = [date for _id, date in created]
    assert dates == sorted(dates) and len(set(dates)) == len(dates), "a later id carries an earlier reading"
    assert readings_of_meter(servers[1], tenant) == before + len(created)


def check_concurrent_disables_of_one_reading_disable_it_once(servers: list[str], tenant: str) -> None:
    before = readings_of_meter(servers[0], tenant)  # the seeded reading and the two after it
    disable = {"method": "PATCH", "url": f"{ORACLE}/{SEEDED_READING}", "auth": (tenant, "x"),
               "headers": ORACLE_ITEM, "json": {"DisabledFlag": True}}  # fmt: skip
    answers = hammer(servers, [disable] * 10, threads=10)
    assert sorted(a.status_code for a in answers) == [200] + [400] * 9, [a.text for a in answers if a.is_error]
    refused = {a.json()["o:errorDetails"][0]["o:errorCode"] for a in answers if a.status_code == 400}
    assert len(refused) == 1  # already disabled, each time
    assert readings_of_meter(servers[1], tenant) == before  # the later ones canceled and re-created once


def check_tesma_jobs_advance_exactly_once_while_every_process_polls(servers: list[str], tenant: str) -> None:
    headers = {"X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
    jobs = []
    for round_ in range(6):
        batch = [{"assetId": asset, "serialNumber": f"R{round_}"} for asset in (111, 222, 444)]
        created = httpx.patch(servers[round_ % 2] + TESMA_JOBS, json=batch, headers=headers, timeout=30)
        assert created.status_code == 202, created.text
        jobs.append(created.json()["id"])
    assert jobs == list(range(1, 7))
    polls = [{"method": "GET", "url": f"{TESMA_JOBS}/bulkpatches/{jobs[i % 6]}", "headers": headers} for i in range(90)]
    answers = hammer(servers, polls, threads=12)
    assert {answer.status_code for answer in answers} == {200}, [a.text for a in answers if a.status_code != 200]
    for answer in answers:
        assert answer.json().get("assetsSuccessfullyUpdated", 0) <= 3
    assert httpx.post(f"{servers[0]}/__admin/jobs/run", params={"tenant": tenant}, timeout=30).status_code == 200
    for job in jobs:
        final = httpx.get(f"{servers[1]}{TESMA_JOBS}/bulkpatches/{job}", headers=headers, timeout=30).json()
        assert (final["status"], final["assetsSuccessfullyUpdated"], final["errors"]) == ("successful", 3, [])
    state = httpx.get(f"{servers[0]}/__admin/state", params={"tenant": tenant}, timeout=30).json()
    serials = {asset["assetId"]: asset.get("serialNumber") for asset in state["tesma"]["assets"]}
    assert [serials[asset] for asset in (111, 222, 444)] == ["R5"] * 3  # applied in creation order


def check_a_reset_through_one_process_is_seen_by_every_process(servers: list[str], tenant: str) -> None:
    seeded = {"method": "GET", "url": f"{ORACLE}/{SEEDED_READING}", "auth": (tenant, "x")}
    assert {a.status_code for a in hammer(servers, [seeded] * 12)} == {200}  # every process has met the tenant
    for scope in ({"tenant": tenant}, {}):
        assert httpx.post(f"{servers[0]}/__admin/reset", params=scope, timeout=30).status_code == 200
        answers = hammer(servers, [seeded] * 12)
        assert [a.status_code for a in answers] == [200] * 12, "a process served the tenant empty after a reset"


def check_a_fixture_load_for_a_tenant_is_seen_by_every_process(servers: list[str], tenant: str) -> None:
    assert {a.status_code for a in hammer(servers, [{"method": "GET", "url": f"{ORACLE}/{SEEDED_READING}",
                                                     "auth": (tenant, "x")}] * 8)} == {200}  # fmt: skip
    state = httpx.get(f"{servers[0]}/__admin/state", params={"tenant": tenant}, timeout=30).json()
    state["oracle"]["readings"] = [r for r in state["oracle"]["readings"] if r["meterReadingId"] != SEEDED_READING]
    loaded = httpx.post(f"{servers[1]}/__admin/fixtures", params={"tenant": tenant}, json=state, timeout=30)
    assert loaded.status_code == 200, loaded.text
    answers = hammer(servers, [{"method": "GET", "url": f"{ORACLE}/{SEEDED_READING}", "auth": (tenant, "x")}] * 12)
    assert [a.status_code for a in answers] == [404] * 12


def check_concurrent_first_requests_of_a_new_tenant_seed_it_once(servers: list[str], tenant: str) -> None:
    batch = [{"id": 3101, "value": 4.2}]
    url = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
    requests = [{"method": "PATCH", "url": url, "json": batch, "headers": {"Authorization": f"Bearer {tenant}"}}] * 24
    answers = hammer(servers, requests, threads=12)
    assert [a.status_code for a in answers] == [200] * 24, [a.text for a in answers if a.status_code != 200]


def check_the_journal_says_which_process_kept_it(servers: list[str]) -> None:
    kept_by = {httpx.get(f"{url}/__admin/requests", timeout=30).headers["Mock-Journal"] for url in servers}
    assert len(kept_by) == 2 and all(name.startswith("process ") for name in kept_by)


# One test per store, so the processes start once per store even when pytest-xdist spreads the tests.
def test_every_invariant_holds_across_workers_and_replicas(shared_store_url: str) -> None:
    # The fleet resets everyone: on PostgreSQL it gets a database of its own, not the session's.
    with ExitStack() as stack:
        if shared_store_url.startswith("postgresql"):
            shared_store_url = stack.enter_context(scratch_database(shared_store_url, "amc_scale"))
        # tesma jobs move at 40 items a second, so they are still running while the processes poll them.
        servers = stack.enter_context(fleet(shared_store_url, "--job-pace", "40", "--job-start-delay", "0"))
        check_concurrent_posts_to_one_meter_get_unique_ids_in_reading_order(servers, fresh_tenant())
        check_concurrent_disables_of_one_reading_disable_it_once(servers, fresh_tenant())
        check_tesma_jobs_advance_exactly_once_while_every_process_polls(servers, fresh_tenant())
        check_a_reset_through_one_process_is_seen_by_every_process(servers, fresh_tenant())
        check_a_fixture_load_for_a_tenant_is_seen_by_every_process(servers, fresh_tenant())
        check_concurrent_first_requests_of_a_new_tenant_seed_it_once(servers, fresh_tenant())
        check_the_journal_says_which_process_kept_it(servers)

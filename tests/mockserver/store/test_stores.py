"""Every store the mock opens (SQLite in memory, in a file, PostgreSQL) runs the same APIs with the same
answers; two mocks on one shared store agree on which tenants exist."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.store import Store, StoreError, locks

OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
SEEDED_READING = 300100141425001
KEY_OF_TENANT_A = -65793480465591569


@pytest.fixture(params=["memory", "sqlite-file", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return "sqlite://" if request.param == "memory" else f"sqlite:///{tmp_path / 'store.db'}"


@contextmanager
def mock_on(settings: Settings) -> Iterator[TestClient]:
    """A mock on ``settings``' store, its connections closed after (the PostgreSQL server is shared)."""
    app = build_app(settings)
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.runtime.store.dispose()


@pytest.fixture
def tenant() -> str:
    return f"store-{uuid.uuid4().hex}"


def test_every_api_and_the_admin_api_answer_alike_on_every_store(store_url, tenant):
    with mock_on(Settings(store_url=store_url)) as client:
        patched = client.patch(
            OVERIT_BATCH, json=[{"id": 3101, "value": 4.2}], headers={"Authorization": f"Bearer {tenant}"}
        )
        assert (patched.status_code, patched.json()) == (200, {"payload": [3101]})
        created = client.post(
            ORACLE,
            auth=(tenant, "x"),
            headers={"Content-Type": "application/vnd.oracle.adf.resourceitem+json"},
            json={"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingDate": "2026-03-14T16:27:00Z",
                  "ReadingTypeCode": "ORA_ABSOLUTE", "MeterUsageCode": "ORA_ASSET", "ReadingValue": 1108.12},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["ReadingValue"] == 1108.12
        imported = client.post(
            "/api/v3/reading",
            json=[{"channelId": 10002, "readings": [{"time": "2026-04-01", "value": 3}]}],
            headers={"ECI-ApiKey": tenant},
        )
        assert imported.json()["importedReadingsCount"] == 1
        tesma = {"X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
        job = client.patch("/v1/leases/assets", json=[{"assetId": 111, "serialNumber": "S"}], headers=tesma)
        assert job.status_code == 202
        assert client.post("/__admin/jobs/run", params={"tenant": tenant}).json()["jobs"]["tesma"] == 1
        snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
        copy = f"copy-{tenant}"
        assert client.post("/__admin/fixtures", params={"tenant": copy}, json=snapshot).status_code == 200
        assert client.get("/__admin/state", params={"tenant": copy}).json() == snapshot
        assert client.post("/__admin/reset", params={"tenant": tenant}).status_code == 200
        assert client.get(f"{ORACLE}/{created.json()['MeterReadingId']}", auth=(tenant, "x")).status_code == 404
        assert client.get(f"{ORACLE}/{created.json()['MeterReadingId']}", auth=(copy, "x")).status_code == 200


@pytest.mark.parametrize("scope", [{}, {"tenant": "named"}])
def test_a_reset_through_one_mock_is_seen_by_another_on_the_same_store(shared_store_url, scope, tenant):
    scope = {"tenant": tenant} if scope else {}
    with (
        mock_on(Settings(store_url=shared_store_url)) as first,
        mock_on(Settings(store_url=shared_store_url)) as second,
    ):
        reading = f"{ORACLE}/{SEEDED_READING}"
        for _ in range(2):  # the second seeds the tenant, then knows it
            assert second.get(reading, auth=(tenant, "x")).status_code == 200
        assert first.post("/__admin/reset", params=scope).status_code == 200
        assert second.get(reading, auth=(tenant, "x")).status_code == 200, "served the tenant empty"


@pytest.mark.parametrize("note", ["nul \x00 inside", "\x00", "é\x00\U0001f600"])
def test_a_nul_character_in_a_text_field_is_stored_not_a_500(store_url, tenant, note):
    with mock_on(Settings(store_url=store_url)) as client:
        answer = client.patch(OVERIT_BATCH, json=[{"id": 3101, "value": 1, "note": note}],
                              headers={"Authorization": f"Bearer {tenant}"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        account = client.get("/__admin/state", params={"tenant": tenant}).json()["overit"]["accounts"][0]
        element = next(element for element in account["measuringElements"] if element["id"] == 2101)
        kept = next(measure["note"] for measure in element["measures"] if measure["id"] == 3101)
        assert kept.replace("\ufffd", "\x00") == note  # PostgreSQL text cannot hold NUL: U+FFFD stands in


@pytest.mark.parametrize(
    "url", ["mysql://localhost/db", "sqlite", "", "postgresql+psycopg2://x/y", "postgresql+psycopg://[::1/x"]
)
def test_an_unsupported_or_malformed_store_url_is_refused_with_the_choices(url):
    with pytest.raises(StoreError, match="store URL"):
        Store(url)


def test_an_unreachable_postgresql_is_a_clear_error_not_a_traceback():
    with pytest.raises(StoreError, match="cannot open the store"):
        Store("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")


def test_lock_keys_are_stable_64_bit_and_tell_names_apart():
    names = [locks.TENANCY, locks.tenant("a"), locks.tenant("b"), locks.tenant_seeding("a"), ("oracle meter", "a", 1)]
    keys = [locks.key_of(name) for name in names]
    assert len(set(keys)) == len(keys)
    assert all(-(2**63) <= key < 2**63 for key in keys)
    # Workers of different releases may share a database: the key of a name never changes.
    assert locks.key_of(locks.tenant("a")) == KEY_OF_TENANT_A


def test_a_credential_loaded_through_one_mock_is_accepted_by_another_in_strict_mode(shared_store_url, tenant):
    strict = Settings(store_url=shared_store_url, auth_mode="strict")
    with mock_on(strict) as first, mock_on(strict) as second:
        reading = f"{ORACLE}/{SEEDED_READING}"
        assert second.get(reading, auth=(tenant, "x")).status_code == 401  # not listed yet, and remembered so
        snapshot = first.get("/__admin/state", params={"tenant": "demo-oracle-user"}).json()
        document = {"oracle": {**snapshot["oracle"], "credentials": [tenant]}}
        assert first.post("/__admin/fixtures", params={"tenant": tenant}, json=document).status_code == 200
        assert second.get(reading, auth=(tenant, "x")).status_code == 200


def test_a_dataset_posted_for_everyone_through_one_mock_seeds_new_tenants_on_another(shared_store_url, tenant):
    with (
        mock_on(Settings(store_url=shared_store_url)) as first,
        mock_on(Settings(store_url=shared_store_url)) as second,
    ):
        original = first.get("/__admin/state", params={"tenant": "template"}).json()
        dataset = copy.deepcopy(original)
        dataset["oracle"]["readings"] = [
            r for r in dataset["oracle"]["readings"] if r["meterReadingId"] != SEEDED_READING
        ]
        assert first.post("/__admin/fixtures", json=dataset).status_code == 200
        assert second.get(f"{ORACLE}/{SEEDED_READING}", auth=(tenant, "x")).status_code == 404
        assert first.post("/__admin/reset").status_code == 200  # back to the posted dataset, not the demo
        assert second.get(f"{ORACLE}/{SEEDED_READING}", auth=(f"again-{tenant}", "x")).status_code == 404
        assert first.post("/__admin/fixtures", json=original).status_code == 200  # the session's store as it was

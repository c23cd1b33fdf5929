"""OverIT's statements on the raw cursor: the same measures, with the same types, on every store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.overit import repository
from mockserver.apis.overit.rules import Measure
from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.store import Store, read_cache

FIXTURE = {
    "overit": {
        "characteristics": [{"id": 1, "kind": "plain"}],
        "accounts": [
            {
                "id": 1,
                "measuringElements": [
                    {
                        "id": 10,
                        "characteristicId": 1,
                        "measures": [
                            {"id": 99, "status": "TO_VALIDATE"},
                            {"id": 100, "status": "TO_VALIDATE"},
                            {"id": 101, "status": "VALIDATED", "measuringUserId": 7,
                             "measuringDate": "2026-11-01T01:00:00+01:00", "value": 4, "deltaValue": 1.5,
                             "rotations": 2, "catalogCodeId": 70, "note": "Höhe", "unfeasible": True,
                             "externalCode": "X-1"},
                        ],
                    },
                    {"id": 11, "measures": [{"id": 110, "status": "REJECTED"}]},
                ],
            }
        ],
    }
}  # fmt: skip


@pytest.fixture(params=["sqlite-file", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


def measures_read(store_url: str, element_id: int, ids: list[int] | None = None) -> dict[int, Measure]:
    tenant = f"test-{uuid.uuid4().hex}"
    app = build_app(Settings(store_url=store_url))
    try:
        with TestClient(app) as client:
            assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=FIXTURE).status_code == 200
            with app.runtime.unit_of_work(tenant) as connection:
                return repository.measures_of(connection, tenant, element_id, ids)
    finally:
        app.runtime.store.dispose()


def test_the_measures_of_an_element_are_read_whole_and_typed(store_url):
    read = measures_read(store_url, 10)
    # repr: 4.0 is not 4, False is not 0
    assert repr(read) == repr(
        {
            99: Measure(99, 10, "TO_VALIDATE"),
            100: Measure(100, 10, "TO_VALIDATE"),
            101: Measure(101, 10, "VALIDATED", 7, "2026-11-01T00:00:00Z", 4.0, 1.5, 2, 70, "Höhe", True, "X-1"),
        }
    )


def test_the_measures_a_batch_names_are_read_as_a_range_of_ids(store_url):
    assert list(measures_read(store_url, 10, [101, 101])) == [101]
    assert list(measures_read(store_url, 10, [101, 100])) == [100, 101]
    assert list(measures_read(store_url, 10, [110])) == []


# -- the store's read cache (store/read_cache.py): what a batch finds kept is what the store holds -------------------

CACHED = {
    "overit": {
        "characteristics": [
            {"id": 1, "kind": "plain"},
            {"id": 2, "kind": "meter", "direction": "FORWARD", "maxReading": 999},
        ],
        "catalogGroups": [{"id": 5, "codes": [{"id": 70, "code": "OK"}, {"id": 71, "code": "LEAK"}]}],
        "accounts": [
            {
                "id": 1,
                "measuringElements": [
                    {"id": 10, "characteristicId": 1, "catalogGroupId": 5, "measures": [
                        {"id": 10 + n, "status": "TO_VALIDATE", "measuringDate": f"2026-11-0{n}T00:00:00Z"}
                        for n in range(1, 5)
                    ]},
                    {"id": 20, "characteristicId": 2, "measures": [
                        {"id": 21, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z", "value": 990},
                        {"id": 22, "status": "TO_VALIDATE", "measuringDate": "2026-11-02T00:00:00Z"},
                        {"id": 23, "status": "TO_VALIDATE", "measuringDate": "2026-11-03T00:00:00Z"},
                    ]},
                ],
            }
        ],
    }
}  # fmt: skip

BATCHES = [
    (10, [{"id": 11, "value": 5, "measuringUserId": 7, "note": "Höhe"}, {"id": 12, "value": 2.5}]),
    (10, [{"id": 11, "value": 5, "measuringUserId": 7, "note": "Höhe"}]),  # changes nothing
    (10, [{"id": 13, "catalogCodeId": 71, "externalCode": "X-1"}, {"id": 14, "unfeasible": True}]),
    (10, [{"id": 12, "measuringDate": "2026-11-02T01:00:00+01:00", "note": "again"}]),
    (20, [{"id": 22, "deltaValue": 25}, {"id": 23, "value": 7, "rotations": 1}]),
    (20, [{"id": 23, "deltaValue": 3.5, "rotations": 4}]),
]


@dataclass
class CachedMock:
    """The mock on a SQLite file with CACHED loaded for ``tenant``; ``fresh``: another store on the file, which keeps
    nothing between units of work of its own, to read back what the mock stored."""

    app: Any
    client: TestClient
    fresh: Store
    tenant: str
    url: str

    def batch(self, element: int, items: list[dict[str, Any]], client: TestClient | None = None) -> Any:
        path = f"/assets/r1/accounts/1/measuring-elements/{element}/measures/batch"
        return (client or self.client).patch(path, json=items, headers={"Authorization": f"Bearer {self.tenant}"})

    def stored(self, element: int, ids: list[int] | None) -> dict[int, Measure]:
        with self.fresh.transaction() as connection:
            return repository.measures_of(connection, self.tenant, element, ids)


@pytest.fixture
def cached_mock(tmp_path) -> Iterator[CachedMock]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    tenant = f"test-{uuid.uuid4().hex}"
    app = build_app(Settings(store_url=url))
    fresh = Store(url)
    try:
        with TestClient(app) as client:
            assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=CACHED).status_code == 200
            yield CachedMock(app, client, fresh, tenant, url)
    finally:
        fresh.dispose()
        app.runtime.store.dispose()


def test_what_batches_leave_in_the_read_cache_is_what_the_store_holds(cached_mock):
    """Every batch revises what the cache keeps of its element; read back through another store (no cache), each
    measure is the same, to the type of every field (5 and 5.0, 0 and False)."""
    mock = cached_mock
    for element, batch in BATCHES:
        answer = mock.batch(element, batch)
        assert answer.status_code == 200, answer.text
        ids = [item["id"] for item in batch]
        # The batch read its named range, or the whole history (unfeasible looks back): whichever it kept.
        spans = {(min(ids), max(ids)): ids, None: None}
        with mock.app.runtime.unit_of_work(mock.tenant) as connection:
            cache = read_cache.of(connection)
            assert cache is not None
            kept = {span: cache.get(("overit measures", mock.tenant, element), span) for span in spans}
        kept = {span: measures for span, measures in kept.items() if measures is not None}
        assert kept, f"nothing kept after {batch}"
        for span, measures in kept.items():
            stored = mock.stored(element, spans[span])
            assert repr(measures) == repr(stored)
            assert [type(field) for measure in measures.values() for field in measure] == [
                type(field) for measure in stored.values() for field in measure
            ]


def test_a_batch_is_judged_on_what_another_worker_wrote_since(cached_mock):
    """Two workers on one file: the first keeps the measures it read; the second changes one; the first, sent its
    earlier batch again, must find the change (and write), not its own stale copy (and skip the write)."""
    mock = cached_mock
    second = build_app(Settings(store_url=mock.url))
    try:
        with TestClient(second) as other:
            assert mock.batch(10, [{"id": 11, "value": 1}]).status_code == 200
            assert mock.batch(10, [{"id": 11, "value": 2}], client=other).status_code == 200
            assert mock.batch(10, [{"id": 11, "value": 1}]).status_code == 200
        assert mock.stored(10, [11])[11].value == 1.0
    finally:
        second.runtime.store.dispose()


def test_a_measure_saved_is_kept_as_the_columns_store_it(cached_mock):
    """Whatever a rule computes, what the cache keeps after a save is what reading it back gives: an integral float
    in an integer column comes back an int, an int in a real column a float."""
    mock = cached_mock
    with mock.app.runtime.unit_of_work(mock.tenant) as connection:
        (measure,) = repository.measures_of(connection, mock.tenant, 20, [23]).values()
        computed = measure._replace(measuring_user_id=7.0, value=5, delta_value=2, rotations=3.0, note="ü")
        repository.save(connection, mock.tenant, [computed])
    with mock.app.runtime.unit_of_work(mock.tenant) as connection:
        cache = read_cache.of(connection)
        assert cache is not None
        kept = cache.get(("overit measures", mock.tenant, 20), (23, 23))
    assert repr(kept) == repr(mock.stored(20, [23]))


def test_a_fixture_load_is_seen_by_the_next_batch_at_once(cached_mock):
    """The element, its characteristic and the tenant's permissions are kept between batches: a load that changes
    them drops what was kept, so the next batch is judged on the new ones."""
    mock = cached_mock
    as_meter = {"overit": {**CACHED["overit"], "accounts": [{"id": 1, "measuringElements": [
        {**CACHED["overit"]["accounts"][0]["measuringElements"][0], "characteristicId": 2}
    ]}]}}  # fmt: skip
    plain = mock.batch(10, [{"id": 11, "deltaValue": 1}])
    assert plain.status_code == 400, plain.text  # deltaValue: meters only; refused, so nothing is kept
    assert mock.batch(10, [{"id": 11, "value": 1}]).status_code == 200  # kept: element 10 is plain
    loaded = mock.client.post("/__admin/fixtures", params={"tenant": mock.tenant}, json=as_meter)
    assert loaded.status_code == 200
    meter = mock.batch(10, [{"id": 11, "deltaValue": 1}])
    assert meter.status_code == 200, meter.text

"""OverIT's statements on the raw cursor: the same measures, with the same types, on every store."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.overit import repository
from mockserver.apis.overit.rules import Measure
from mockserver.app import build_app
from mockserver.settings import Settings

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

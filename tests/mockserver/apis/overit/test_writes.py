"""A batch writes only the measures it changes: clients retry and repeat batches, and rewriting 50 unchanged
rows was a quarter of a repeated batch's time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from mockserver.apis.overit import repository
from mockserver.apis.overit.handlers import OveritHandlers
from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.vendor_api import discover_apis
from tests.mockserver.apis.overit.test_http import measures, patch


@pytest.fixture
def written() -> Iterator[tuple[TestClient, list[list[int]], list[list[int]]]]:
    """The whole mock, and the ids of the measures each batch read (``repository.measures_of``) and handed to
    ``repository.save``."""
    reads: list[list[int]] = []
    saves: list[list[int]] = []

    def measures_of(*args):  # type: ignore[no-untyped-def]
        read = repository.measures_of(*args)
        reads.append(list(read))
        return read

    def save(connection, tenant, changed):  # type: ignore[no-untyped-def]
        saves.append([measure.id for measure in changed])
        repository.save(connection, tenant, changed)

    recording = SimpleNamespace(**{**vars(repository), "measures_of": measures_of, "save": save})
    apis = [
        replace(api, make_handlers=lambda runtime: OveritHandlers(runtime, repository=recording))  # type: ignore[arg-type]
        if api.id == "overit"
        else api
        for api in discover_apis()
    ]
    app = build_app(Settings(), apis=apis)
    with TestClient(app) as client:
        yield client, reads, saves
    app.runtime.store.dispose()


def test_a_repeated_batch_writes_nothing_and_still_answers_every_id(written, tenant):
    client, _reads, saves = written
    body = [{"id": 3101, "value": 5.5, "note": "after repair", "measuringDate": "2026-11-20T09:30:00+01:00"}]
    assert patch(client, tenant, body).json() == {"payload": [3101]}
    saves.clear()
    response = patch(client, tenant, body)
    assert (response.status_code, response.json()) == (200, {"payload": [3101]})
    assert saves == [[]]


def test_a_measure_the_batch_changes_is_written(written, tenant):
    client, _reads, saves = written
    body = [{"id": 3101, "value": 5.5}]
    patch(client, tenant, body)
    saves.clear()
    body[0]["value"] = 7.0
    assert patch(client, tenant, body).json() == {"payload": [3101]}
    assert saves == [[3101]]
    assert measures(client, tenant, 2101)[3101]["value"] == 7.0


def test_a_batch_judged_on_the_measures_it_names_reads_no_others(written, tenant):
    client, reads, _saves = written
    patch(client, tenant, [{"id": 3101, "value": 5.5}])  # element 2101 holds 3100, 3101 and 3103
    patch(client, tenant, [{"id": 3101, "unfeasible": True}])  # takes the values of 3100
    assert reads == [[3101], [3100, 3101, 3103]]

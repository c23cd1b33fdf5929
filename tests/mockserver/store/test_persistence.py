"""A file store keeps tenants and their data across a restart."""

from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings

BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


def test_state_survives_a_restart_with_a_file_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    first = build_app(Settings(store_url=url))
    with TestClient(first.asgi) as client:
        response = client.patch(BATCH, json=[{"id": 3101, "note": "persisted"}], headers={"Authorization": "Bearer p"})
        assert response.status_code == 200
    first.runtime.store.dispose()

    second = build_app(Settings(store_url=url))
    with TestClient(second.asgi) as client:
        state = client.get("/__admin/state", params={"tenant": "p"}).json()
        notes = {
            m["id"]: m.get("note")
            for a in state["overit"]["accounts"]
            for e in a["measuringElements"]
            for m in e["measures"]
        }
    assert notes[3101] == "persisted"
    second.runtime.store.dispose()


def test_a_memory_store_starts_empty_each_time():
    for _ in range(2):
        with TestClient(build_app().asgi) as client:
            state = client.get("/__admin/state", params={"tenant": "m"}).json()
            notes = [
                m.get("note")
                for a in state["overit"]["accounts"]
                for e in a["measuringElements"]
                for m in e["measures"]
            ]
            assert "persisted" not in notes
            client.patch(BATCH, json=[{"id": 3101, "note": "persisted"}], headers={"Authorization": "Bearer m"})


def test_statistics_refresh_after_a_bulk_load_keeps_working_on_memory_and_file_stores(tmp_path):
    from mockserver.store import Store

    for url in ("sqlite://", f"sqlite:///{tmp_path / 'stats.db'}"):
        store = Store(url)
        store.refresh_statistics()
        with store.transaction() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        store.dispose()

"""The store's read cache: what a unit of work kept is found by the next ones only while no row can have changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.store import Store, read_cache
from mockserver.store.read_cache import KEPT_GROUPS, KEPT_KEYS, KEPT_ROWS, KEPT_ROWS_IN_ALL

GROUP = ("things", "tenant-a")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE things (id INTEGER PRIMARY KEY, value TEXT)")
        connection.exec_driver_sql("INSERT INTO things VALUES (1, 'one')")
    yield store
    store.dispose()


def keep(store: Store, value: object = "one", key: object = 1, group: object = GROUP) -> None:
    with store.transaction() as connection:
        cache = read_cache.of(connection)
        assert cache is not None
        cache.put(group, key, value, rows=1)


def kept(store: Store, key: object = 1, group: object = GROUP) -> object:
    with store.transaction() as connection:
        cache = read_cache.of(connection)
        assert cache is not None
        return cache.get(group, key)


def test_what_a_unit_of_work_kept_is_found_by_the_next_one(store: Store) -> None:
    keep(store)
    assert kept(store) == "one"
    assert kept(store) == "one"  # a unit of work that only reads keeps it too


def test_a_commit_by_another_connection_drops_it(store: Store, tmp_path: Path) -> None:
    keep(store)
    other = Store(f"sqlite:///{tmp_path / 'store.db'}")  # another worker on the same file
    try:
        with other.transaction() as connection:
            connection.exec_driver_sql("UPDATE things SET value = 'uno' WHERE id = 1")
    finally:
        other.dispose()
    assert kept(store) is None


def test_a_write_nobody_accounted_for_drops_it(store: Store) -> None:
    keep(store)
    with store.transaction() as connection:
        connection.exec_driver_sql("UPDATE things SET value = 'uno' WHERE id = 1")  # a reset, a fixture load
    assert kept(store) is None


def test_an_accounted_write_revises_what_was_kept(store: Store) -> None:
    keep(store)
    with store.transaction() as connection:
        connection.exec_driver_sql("UPDATE things SET value = 'uno' WHERE id = 1")
        cache = read_cache.of(connection)
        assert cache is not None
        cache.changed(GROUP, 1, lambda _key, _value: "uno")
    assert kept(store) == "uno"


def test_a_write_of_more_rows_than_accounted_for_drops_it(store: Store) -> None:
    keep(store)
    with store.transaction() as connection:
        connection.exec_driver_sql("INSERT INTO things VALUES (2, 'two')")
        connection.exec_driver_sql("UPDATE things SET value = 'uno' WHERE id = 1")
        cache = read_cache.of(connection)
        assert cache is not None
        cache.changed(GROUP, 1, lambda _key, _value: "uno")
    assert kept(store) is None


def test_a_unit_of_work_rolled_back_drops_what_it_revised(store: Store) -> None:
    keep(store)
    with pytest.raises(RuntimeError), store.transaction() as connection:
        connection.exec_driver_sql("UPDATE things SET value = 'uno' WHERE id = 1")
        cache = read_cache.of(connection)
        assert cache is not None
        cache.changed(GROUP, 1, lambda _key, _value: "uno")
        raise RuntimeError("the rules refused the batch")
    assert kept(store) is None
    with store.snapshot() as connection:
        assert connection.exec_driver_sql("SELECT value FROM things").scalar_one() == "one"


def test_a_new_writer_connection_starts_with_nothing_kept(store: Store) -> None:
    keep(store)
    assert store._kept_writer is not None
    store._kept_writer.invalidate()  # as after a failed BEGIN: the next unit of work opens another connection
    assert kept(store) is None


def test_reads_that_only_read_have_no_cache(store: Store) -> None:
    with store.snapshot() as connection:
        assert read_cache.of(connection) is None


def test_a_large_read_is_not_kept(store: Store) -> None:
    with store.transaction() as connection:
        cache = read_cache.of(connection)
        assert cache is not None
        cache.put(GROUP, "at the bound", "kept", rows=KEPT_ROWS)
        cache.put(GROUP, "past the bound", "not kept", rows=KEPT_ROWS + 1)
    assert kept(store, key="at the bound") == "kept"
    assert kept(store, key="past the bound") is None


def test_the_least_recently_used_group_goes_first(store: Store) -> None:
    keep(store, group="first")
    keep(store, group="second")
    assert kept(store, group="first") == "one"  # used: now the most recent
    for number in range(KEPT_GROUPS - 1):
        keep(store, group=("more", number))
    assert kept(store, group="first") == "one"
    assert kept(store, group="second") is None


def test_postgresql_keeps_nothing(postgres_url: str) -> None:
    store = Store(postgres_url)
    try:
        with store.transaction() as connection:
            assert read_cache.of(connection) is None
    finally:
        store.dispose()


def test_remembered_reads_once_while_nothing_changed_none_included(store: Store) -> None:
    reads: list[str] = []

    def read() -> None:
        reads.append("read")
        return None

    for _ in range(3):
        with store.transaction() as connection:
            assert read_cache.remembered(connection, GROUP, "absent", read) is None
    assert reads == ["read"]
    with store.transaction() as connection:
        connection.exec_driver_sql("DELETE FROM things")
    with store.transaction() as connection:
        read_cache.remembered(connection, GROUP, "absent", read)
    assert reads == ["read", "read"]


def test_a_group_keeps_its_latest_values_only(store: Store) -> None:
    for number in range(KEPT_KEYS + 1):
        keep(store, value=number, key=number)
    assert kept(store, key=0) is None
    assert kept(store, key=1) == 1
    assert kept(store, key=KEPT_KEYS) == KEPT_KEYS


def test_rows_kept_in_all_stay_bounded_the_least_recently_used_group_going_first(store: Store) -> None:
    with store.transaction() as connection:
        cache = read_cache.of(connection)
        assert cache is not None
        cache.put("first", 1, "a", rows=KEPT_ROWS)
        for number in range(KEPT_ROWS_IN_ALL // KEPT_ROWS - 1):
            cache.put(("more", number), 1, "b", rows=KEPT_ROWS)
        assert cache.get("first", 1) == "a"  # at the bound; now the most recently used
        cache.put("last", 1, "c", rows=1)
        assert cache.get("first", 1) == "a"
        assert cache.get(("more", 0), 1) is None
        cache.put("first", 1, "again", rows=KEPT_ROWS)  # a value read again replaces the one kept: counted once
        assert cache.get(("more", 1), 1) == "b"

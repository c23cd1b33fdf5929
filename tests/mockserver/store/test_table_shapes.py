"""A store whose tables another version of the mock wrote is refused at start-up with what to do; a store this
version wrote opens again, and a table new in this version (an API added) is created beside the others."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.store import Store, StoreError, metadata
from mockserver.vendor_api import discover_apis

discover_apis()  # every API's tables registered, as the mock has them when it opens its store


def _opened_and_closed(url: str) -> None:
    Store(url).dispose()


def test_a_store_this_version_wrote_opens_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _opened_and_closed(url)
    _opened_and_closed(url)


def test_a_table_of_another_shape_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    _opened_and_closed(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE store_table_shapes SET shape = 'older' WHERE table_name = 'tesma_jobs'")
    with pytest.raises(StoreError, match=r"another version of the mock: its tables tesma_jobs have another shape"):
        Store(f"sqlite:///{path}")


def test_a_store_written_before_shapes_were_kept_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    _opened_and_closed(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE store_table_shapes")
    with pytest.raises(StoreError) as refused:
        Store(f"sqlite:///{path}")
    assert all(name in str(refused.value) for name in ("tenants", "oracle_readings", "overit_measures"))


def test_a_table_new_in_this_version_is_created_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    _opened_and_closed(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:  # as a version without tesma wrote it
        for name in [name for name in metadata.tables if name.startswith("tesma_")]:
            raw.execute(f"DROP TABLE {name}")
            raw.execute("DELETE FROM store_table_shapes WHERE table_name = ?", (name,))
    _opened_and_closed(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        kept = {name for (name,) in raw.execute("SELECT table_name FROM store_table_shapes")}
        created = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(metadata.tables) <= kept and set(metadata.tables) <= created


def test_the_mock_says_so_and_exits_2_on_such_a_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    _opened_and_closed(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE store_table_shapes SET shape = 'older' WHERE table_name = 'oracle_readings'")
    started = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "--port", "0", "--store", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2, started.stderr
    assert "cannot start" in started.stderr and "oracle_readings" in started.stderr
    assert "Traceback" not in started.stderr

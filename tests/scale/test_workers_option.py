"""`mockserver --workers N`: refused where the workers could not share the store, before anything starts."""

from __future__ import annotations

import pytest

from mockserver.cli import main


@pytest.mark.parametrize("store", [[], ["--store", "sqlite://"], ["--store", "sqlite:///:memory:"]])
def test_the_in_memory_store_refuses_several_workers(store, capsys):
    assert main(["--workers", "2", *store]) == 2
    error = capsys.readouterr().err
    assert "default store is private to one process" in error
    assert "--store sqlite:///FILE" in error


@pytest.mark.parametrize("count", ["0", "-3"])
def test_a_worker_count_below_one_is_refused(count, capsys, tmp_path):
    assert main(["--workers", count, "--store", f"sqlite:///{tmp_path / 's.db'}"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"])
def test_a_store_that_cannot_be_opened_exits_2_with_a_message(url, capsys):
    assert main(["--store", url]) == 2
    assert "mockserver: cannot start:" in capsys.readouterr().err

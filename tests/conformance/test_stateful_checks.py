"""The stateful run against our mock starts every example from the same state: its tenant reset to the dataset."""

import pytest

from conformance.cli import main
from mockserver.app import build_app
from tests.live_server import serve

pytestmark = pytest.mark.slow


def test_each_example_of_a_stateful_run_on_our_mock_starts_from_a_reset_tenant(tmp_path, capsys) -> None:
    app = build_app()
    resets: list[str | None] = []
    reset = app.runtime.tenants.reset

    def counting(tenant: str | None) -> None:
        resets.append(tenant)
        reset(tenant)

    app.runtime.tenants.reset = counting
    with serve(app) as base_url:
        code = main(
            ["run", "--base-url", base_url, "--api", "oracle", "--no-scenarios", "--seed", "1",
             "--cache-dir", str(tmp_path)]
        )  # fmt: skip
    assert code == 0, capsys.readouterr().out
    assert len(resets) > 1, resets  # one per example
    assert len(set(resets)) == 1 and str(resets[0]).startswith("conformance-"), set(resets)

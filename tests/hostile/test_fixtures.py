"""Fixture documents an outsider posts (or names with --fixtures) are read within bounds: a 'billion laughs',
a document nested past any snapshot, ids the store cannot hold or a job that counts more items than it has are
refused with 400 and a message; unquoted YAML timestamps are the strings they look like."""

from __future__ import annotations

import pytest

from mockserver.cli import main
from tests.hostile.conftest import assert_vendor_error

YAML = {"Content-Type": "application/yaml"}


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "overit:\n" + "\n".join("  " + line for line in lines) + "\n"


HOSTILE_DOCUMENTS = {
    "billion-laughs": billion_laughs(),
    "100000-deep": "overit: " + "[" * 100_000,
    "5000-levels-indented": "overit:\n" + "".join(" " * (n + 1) + "a:\n" for n in range(5000)),
}


@pytest.mark.parametrize("name", HOSTILE_DOCUMENTS)
def test_hostile_yaml_is_refused_at_once(http, tenant, healthy, name):
    response = http.post("/__admin/fixtures", params={"tenant": tenant}, content=HOSTILE_DOCUMENTS[name],
                         headers=YAML, timeout=10)  # fmt: skip
    assert_vendor_error("admin", response, 400)


def test_hostile_yaml_for_everyone_is_refused_and_changes_nothing(http, tenant, healthy):
    response = http.post("/__admin/fixtures", content=billion_laughs(), headers=YAML, timeout=10)
    assert_vendor_error("admin", response, 400)
    state = http.get("/__admin/state", params={"tenant": tenant}).json()
    assert state["overit"]["accounts"], "the configured dataset is still the demo one"


def test_a_hostile_fixtures_file_stops_the_start_with_a_message(tmp_path, capsys):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    assert main(["--fixtures", str(path), "--port", "1"]) == 2
    assert "aliases" in capsys.readouterr().err


MEASURE = "{id: 3, status: TO_VALIDATE, measuringUserId: 1, measuringDate: 2026-01-01T00:00:00Z}"
UNQUOTED_TIMESTAMPS = f"""
overit:
  accounts:
    - id: 1
      code: A
      measuringElements:
        - {{id: 2, name: x, statusId: 1, measures: [{MEASURE}]}}
"""


def test_unquoted_yaml_timestamps_are_read_as_the_date_times_they_spell(http, tenant, healthy):
    response = http.post("/__admin/fixtures", params={"tenant": tenant}, content=UNQUOTED_TIMESTAMPS, headers=YAML)
    assert response.status_code == 200, response.text
    measure = http.get("/__admin/state", params={"tenant": tenant}).json()["overit"]["accounts"][0]
    assert measure["measuringElements"][0]["measures"][0]["measuringDate"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("document", [
    {"overit": {"accounts": [{"id": 2**63, "code": "A"}]}},
    {"oracle": {"assets": [{"assetId": 2**64, "assetNumber": "A"}]}},
    {"tesma": {"corporateGroups": [{"name": "ACME"}], "assets": [{"assetId": 2**63, "corporateGroup": "ACME"}]}},
], ids=["overit", "oracle", "tesma"])  # fmt: skip
def test_ids_the_store_cannot_hold_are_refused(http, tenant, healthy, document):
    response = http.post("/__admin/fixtures", params={"tenant": tenant}, json=document)
    assert_vendor_error("admin", response, 400)


def test_a_tesma_job_cannot_have_processed_more_items_than_it_has(http, tenant, healthy):
    job = {"id": 1, "corporateGroup": "ACME", "createDate": "2026-01-01T00:00:00Z", "status": "inProgress",
           "processed": 5, "items": [{"patch": {"assetId": 1}}]}  # fmt: skip
    document = {"tesma": {"corporateGroups": [{"name": "ACME"}], "assets": [{"assetId": 1, "corporateGroup": "ACME"}],
                          "jobs": [job]}}  # fmt: skip
    response = http.post("/__admin/fixtures", params={"tenant": tenant}, json=document)
    assert_vendor_error("admin", response, 400)
    assert "processed" in response.json()["detail"]

"""The seam's facts have one source each: the id is the contract's, jobs are declared, handlers are checked."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from mockserver.app import build_app
from mockserver.contracts import ContractError, parsed_spec
from mockserver.vendor_api import VendorApi, discover_apis


def test_an_api_has_no_id_but_its_contracts():
    assert "id" not in {field.name for field in dataclasses.fields(VendorApi)}
    for api in discover_apis():
        assert api.id == parsed_spec(api.spec_file)["info"]["x-api-id"]


def test_jobs_run_only_for_apis_that_declare_them():
    apis = discover_apis()
    app = build_app(apis=apis)
    assert set(app.runtime.job_runners) == {api.id for api in apis if api.jobs is not None} == {"tesma"}
    # A handlers object with a method spelled like a job runner is not a declaration.
    undeclared = build_app(apis=[replace(api, jobs=None) for api in apis])
    assert undeclared.runtime.job_runners == {}


def test_a_missing_handler_is_named_at_start_up():
    apis = [replace(api, make_handlers=lambda runtime: object()) if api.id == "overit" else api for api in
            discover_apis()]  # fmt: skip
    with pytest.raises(ContractError, match="overit: no handler for operationId patch_measures_batch"):
        build_app(apis=apis)

"""Bulk patch rules on plain data: repeats refused up front, one asset's patch applied or failed."""

import pytest

from mockserver.apis.tesma.rules import Asset, final_status, patch_asset, refuse_repeated_assets
from mockserver.errors import RulesBroken

ASSET = Asset(1, "ACME", serial_number="SN-1", location="Berlin", customer_specific_fields={"A": "1", "B": "2"})


def test_every_repeat_is_named():
    with pytest.raises(RulesBroken) as caught:
        refuse_repeated_assets([{"assetId": 1}, {"assetId": 2}, {"assetId": 1}, {"assetId": 1}])
    assert [(v.index, v.code) for v in caught.value.violations] == [
        (2, "DUPLICATE_ASSET_ID"),
        (3, "DUPLICATE_ASSET_ID"),
    ]
    refuse_repeated_assets([{"assetId": 1}, {"assetId": 2}])


def test_values_replace_null_clears_and_customer_fields_merge():
    patched = patch_asset(ASSET, "ACME", {"A", "B"}, {"assetId": 1, "serialNumber": "X", "location": None,
                                                        "customerSpecificFields": {"A": "9", "B": None}})  # fmt: skip
    assert patched == Asset(1, "ACME", serial_number="X", location=None, customer_specific_fields={"A": "9"})


@pytest.mark.parametrize(
    ("asset", "group", "patch", "fragment"),
    [(None, "ACME", {"assetId": 7}, "'7' does not exist"), (ASSET, "GLOBEX", {"assetId": 1}, "not accessible"),
     (ASSET, "ACME", {"assetId": 1, "customerSpecificFields": {"C": "x"}}, "'C' does not exist")],
)  # fmt: skip
def test_an_asset_that_cannot_be_patched_fails_with_why(asset, group, patch, fragment):
    [message] = patch_asset(asset, group, {"A", "B"}, patch)
    assert fragment in message


def test_a_finished_job_ends_by_how_many_assets_were_updated():
    assert [final_status(3, 3), final_status(3, 1), final_status(3, 0), final_status(0, 0)] == [
        "successful", "partiallySuccessful", "failed", "successful"
    ]  # fmt: skip

"""tesma lease asset bulk patch: one scenario per x-rules entry of specs/tesma-lease-assets.yaml.

Jobs are polled to their end with a bounded wait, so a real implementation can be checked too. Against a
real target the objects below come from the targets file; scenarios marked `writes` patch real assets."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import describe, expect_status, rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

API = "tesma"
GROUP, OTHER_GROUP = "ALPHA", "BETA"
writes = pytest.mark.writes
END_STATES = ("successful", "partiallySuccessful", "failed")
ORDER = ("notStarted", "inProgress", *END_STATES)
WAIT_SECONDS = 60.0
MISSING = 987654321

LEASE_A = {"leaseCompany": 47, "leaseScheduleId": 1001}

# ALPHA owns assets 1..3 and defines two customer-specific fields; BETA owns asset 9.
SECTION: dict[str, Any] = {
    "corporateGroups": [{"name": GROUP, "customerSpecificFields": ["Employee name", "Cost owner"]},
                        {"name": OTHER_GROUP, "customerSpecificFields": ["Department"]}],
    "assets": [
        {"assetId": 1, "corporateGroup": GROUP, "serialNumber": "SN-1", "location": "Berlin",
         "customerSpecificFields": {"Employee name": "Erika", "Cost owner": "Finance"}, **LEASE_A},
        {"assetId": 2, "corporateGroup": GROUP, "serialNumber": "SN-2", "costCenter": "70100", **LEASE_A},
        {"assetId": 3, "corporateGroup": GROUP, "serialNumber": "SN-3", "leaseCompany": 47, "leaseScheduleId": 1002},
        {"assetId": 9, "corporateGroup": OTHER_GROUP, "serialNumber": "SN-9", "leaseCompany": 52,
         "leaseScheduleId": 2001},
    ],
}  # fmt: skip


OBJECTS = {
    "group": "the corporate group the credential belongs to (sent as CorporateGroup-Name)",
    "otherGroup": "a corporate group the credential does not belong to",
    "assets": "a list of three asset ids of `group` whose serialNumber, orderNumber and location may be patched",
    "otherGroupAsset": "an asset id of `otherGroup`",
    "missingAsset": "an asset id that exists in no corporate group",
    "leases": "{assetId: [leaseCompanyNumber, leaseScheduleId]} for the ids of `assets`, so that they read back "
    "through the vendor's asset read",
}
DEFAULTS = {"group": GROUP, "otherGroup": OTHER_GROUP, "assets": [1, 2, 3], "otherGroupAsset": 9,
            "missingAsset": MISSING, "leases": {1: [47, 1001], 2: [47, 1001], 3: [47, 1002]}}  # fmt: skip


class Tesma(ScenarioApi):
    @property
    def group(self) -> str:
        return self.objects["group"]

    def asset(self, n: int) -> int:
        """The n-th (1..3) asset of the credential's group."""
        return self.objects["assets"][n - 1]

    def patch(self, body: Any, group: str | bool | None = True, **options: Any) -> httpx.Response:
        name = self.group if group is True else group
        headers = {**options.pop("headers", {}), **({"CorporateGroup-Name": name} if name else {})}
        if "content" not in options:
            options["json"] = body
        return self.client.request("PATCH", "/leases/assets", headers=headers, **options)

    def get_job(self, job_id: int, group: str | None = None) -> httpx.Response:
        headers = {"CorporateGroup-Name": group or self.group}
        return self.client.request("GET", f"/leases/assets/bulkpatches/{job_id}", headers=headers)

    def accepted(self, body: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.patch(body)
        expect_status(response, 202, "a structurally valid patch is accepted")
        return response.json()

    def finished(self, job_id: int) -> tuple[dict[str, Any], list[str]]:
        """The job once it has ended, and every status seen on the way (bounded wait)."""
        deadline, seen = time.monotonic() + WAIT_SECONDS, []
        while True:
            response = self.get_job(job_id)
            expect_status(response, 200, f"polling job {job_id}")
            job = response.json()
            if not seen or seen[-1] != job["status"]:
                seen.append(job["status"])
            if job["status"] in END_STATES:
                return job, seen
            if time.monotonic() > deadline:
                pytest.fail(f"job {job_id} did not end within {WAIT_SECONDS:.0f} s: {job}")
            time.sleep(0.05)

    def run(self, body: list[dict[str, Any]]) -> dict[str, Any]:
        return self.finished(self.accepted(body)["id"])[0]

    def read_asset(self, asset_id: int, lease: tuple[int, int] | None = None) -> httpx.Response:
        """The vendor's read of one lease asset, on the lease the `leases` object names for it."""
        company, schedule = lease or self.leases()[asset_id]
        return self.client.request(
            "GET", f"/leases/{company}/{schedule}/assets/{asset_id}", headers={"CorporateGroup-Name": self.group}
        )

    def leases(self) -> dict[int, tuple[int, int]]:
        """The `leases` object by asset id (a JSON targets file spells its keys as strings)."""
        return {int(asset_id): (int(lease[0]), int(lease[1])) for asset_id, lease in self.objects["leases"].items()}

    def assets(self) -> dict[int, dict[str, Any]]:
        """The credential's assets (those `leases` names) as the vendor's asset read answers them."""
        found = {}
        for asset_id in self.leases():
            response = self.read_asset(asset_id)
            expect_status(response, 200, f"reading asset {asset_id} back")
            found[asset_id] = response.json()
        return found

    def read_if_leased(self, asset_id: int) -> dict[str, Any] | None:
        """The asset as the vendor reads it, when the target names its lease; else None (nothing to compare)."""
        if "leases" not in self.objects.values or asset_id not in self.leases():
            return None
        response = self.read_asset(asset_id)
        expect_status(response, 200, f"reading asset {asset_id} back")
        return response.json()

    def unchanged(self, asset_id: int, before: dict[str, Any] | None) -> None:
        """The asset reads back as it did before (``before`` None: its lease is not named, nothing to compare)."""
        if before is not None:
            after = self.read_asset(asset_id).json()
            assert after == before, f"asset {asset_id} must not change: {before} -> {after}"

    def stored(self, asset_id: int) -> dict[str, Any]:
        """An asset as our mock stores it, whatever its group (another group's cannot be read with this key)."""
        assert self.client.credential is not None
        return {a["assetId"]: a for a in self.target.state(API, self.client.credential)["assets"]}[asset_id]


def _errors_of(job: dict[str, Any]) -> dict[int, list[str]]:
    return {entry["assetId"]: entry["errors"] for entry in job["errors"]}


@pytest.fixture
def tesma(target: Target, contracts: dict[str, Contract]) -> Tesma:
    return Tesma(target, contracts[API], SECTION, DEFAULTS)


@rule("TESMA-BP-001")
@writes
def test_a_valid_patch_is_accepted_as_a_job_not_yet_started(tesma: Tesma) -> None:
    response = tesma.patch([{"assetId": tesma.asset(1), "orderNumber": "CONFORMANCE"},
                            {"assetId": tesma.asset(2), "location": "Hamburg"}])  # fmt: skip
    tesma.expect(response, "TESMA-BP-001")
    job = response.json()
    assert (job["assetsTotal"], job["status"], job["errors"]) == (2, "notStarted", []), job
    assert isinstance(job["id"], int) and job["createDate"], job
    assert "endDate" not in job or job["endDate"] is None, job


@rule("TESMA-BP-002")
@writes
def test_the_location_header_names_the_job(tesma: Tesma) -> None:
    response = tesma.patch([{"assetId": tesma.asset(1), "orderNumber": "CONFORMANCE"}])
    tesma.expect(response, "TESMA-BP-002")
    location = response.headers.get("Location")
    assert location, f"no Location header: {describe(response)}"
    path = httpx.URL(location).path
    base = tesma.contract.base_path
    assert path.startswith(base), f"Location {location} is outside {base}"
    job = tesma.client.request("GET", path[len(base) :], headers={"CorporateGroup-Name": tesma.group})
    expect_status(job, 200, "the Location reads back")
    assert job.json()["id"] == response.json()["id"], job.json()


@rule("TESMA-BP-003")
@pytest.mark.parametrize(
    "content", [b'[{"assetId": 1,', b"not json", b"[{'assetId': 1}]"], ids=["cut", "text", "quotes"]
)
def test_invalid_json_is_refused(tesma: Tesma, content: bytes) -> None:
    response = tesma.patch(None, content=content, headers={"Content-Type": "application/json"})
    tesma.expect(response, "TESMA-BP-003")


@rule("TESMA-BP-004")
@pytest.mark.parametrize(
    "item",
    [{"assetId": 2, "colour": "red"}, {"assetId": 2, "assetStatusId": 3}, {"assetId": 2, "contractStatus": "x"}],
    ids=["unknown", "asset-status", "not-patchable"],
)  # fmt: skip
def test_a_property_that_cannot_be_patched_refuses_the_request(tesma: Tesma, item: dict[str, Any]) -> None:
    before = tesma.read_if_leased(tesma.asset(1))
    tesma.expect(tesma.patch([{"assetId": tesma.asset(1), "serialNumber": "NEW-1"}, item]), "TESMA-BP-004")
    tesma.unchanged(tesma.asset(1), before)


@rule("TESMA-BP-005")
def test_more_than_ten_thousand_assets_refuse_the_request(tesma: Tesma) -> None:
    tesma.expect(tesma.patch([{"assetId": n} for n in range(1, 10_002)]), "TESMA-BP-005")
    if tesma.on_mock:  # the edge creates a job: only where nothing real is written
        expect_status(tesma.patch([{"assetId": n} for n in range(1, 10_001)]), 202, "10,000 assets are accepted")


@rule("TESMA-BP-020")
def test_an_empty_list_refuses_the_request(tesma: Tesma) -> None:
    tesma.expect(tesma.patch([]), "TESMA-BP-020")


@rule("TESMA-BP-006")
def test_the_same_asset_twice_refuses_the_request(tesma: Tesma) -> None:
    before = tesma.read_if_leased(tesma.asset(1))
    first, second = tesma.asset(1), tesma.asset(2)
    body = [{"assetId": first, "serialNumber": "A"}, {"assetId": second}, {"assetId": first, "serialNumber": "B"}]
    tesma.expect(tesma.patch(body), "TESMA-BP-006")
    tesma.unchanged(tesma.asset(1), before)


@rule("TESMA-BP-007")
@pytest.mark.parametrize(
    "item",
    [{"assetId": 1, "serialNumber": "x" * 31}, {"assetId": 1, "costCenter": "x" * 257}, {"serialNumber": "A"},
     {"assetId": "1"}, {"assetId": 1, "location": 7}, {"assetId": 1, "customerSpecificFields": ["Employee name"]}],
    ids=["serial-31", "cost-center-257", "no-asset-id", "asset-id-text", "location-number", "fields-list"],
)  # fmt: skip
def test_values_off_their_type_or_length_refuse_the_request(tesma: Tesma, item: dict[str, Any]) -> None:
    tesma.expect(tesma.patch([item]), "TESMA-BP-007")


@rule("TESMA-BP-008")
@pytest.mark.parametrize(
    "item",
    [{"assetId": 1, "location": "<script>alert(1)</script>"}, {"assetId": 1, "orderNumber": "a <ScRiPt src=x>"},
     {"assetId": 1, "costCenter": "[% x"}, {"assetId": 1, "customerSpecificFields": {"Employee name": "x %]"}}],
    ids=["script", "mixed-case", "open-template", "in-customer-field"],
)  # fmt: skip
def test_strings_matching_the_anti_script_pattern_refuse_the_request(tesma: Tesma, item: dict[str, Any]) -> None:
    tesma.expect(tesma.patch([item]), "TESMA-BP-008")


@rule("TESMA-BP-009")
@pytest.mark.parametrize("headers", [{}, {"X-API-KEY": ""}], ids=["none", "empty"])
def test_a_request_without_an_api_key_is_refused(tesma: Tesma, headers: dict[str, str]) -> None:
    response = tesma.client.request(
        "PATCH", "/leases/assets", json=[{"assetId": 1}], authenticated=False,
        headers={**headers, "CorporateGroup-Name": tesma.group},
    )  # fmt: skip
    tesma.expect(response, "TESMA-BP-009")


@rule("TESMA-BP-010")
@pytest.mark.parametrize("group", [None, "NO-SUCH-GROUP"], ids=["missing", "unknown"])
def test_a_key_without_its_corporate_group_is_refused(tesma: Tesma, group: str | None) -> None:
    tesma.expect(tesma.patch([{"assetId": 1}], group=group), "TESMA-BP-010")


@rule("TESMA-BP-011")
def test_a_body_that_is_not_json_is_refused(tesma: Tesma) -> None:
    response = tesma.patch(None, content=b"assetId=1", headers={"Content-Type": "text/plain"})
    tesma.expect(response, "TESMA-BP-011")


@rule("TESMA-BP-012")
@writes
def test_the_job_runs_to_success(tesma: Tesma) -> None:
    accepted = tesma.accepted([{"assetId": tesma.asset(n), "orderNumber": f"PO-{n}"} for n in (1, 2, 3)])
    job, seen = tesma.finished(accepted["id"])
    tesma.expect(tesma.get_job(accepted["id"]), "TESMA-BP-012")
    assert [ORDER.index(status) for status in seen] == sorted(ORDER.index(status) for status in seen), (
        f"statuses went backwards: {seen}"
    )
    assert (job["status"], job["assetsSuccessfullyUpdated"], job["errors"]) == ("successful", 3, []), job
    assert job["createDate"] <= job["startDate"] <= job["endDate"], job


@rule("TESMA-BP-013")
@writes
@pytest.mark.seeded
def test_accepted_values_are_applied(tesma: Tesma) -> None:
    job = tesma.run([
        {"assetId": 1, "serialNumber": "NEW-1", "location": None, "customerSpecificFields": {"Cost owner": "IT"}},
        {"assetId": 2, "costCenter": "70998", "customerSpecificFields": {"Employee name": "Hans Peter"}},
    ])  # fmt: skip
    assert job["status"] == "successful", job
    stored = tesma.assets()
    assert (stored[1]["serialNumber"], stored[1].get("location")) == ("NEW-1", None), stored[1]
    assert stored[1]["customerSpecificFields"] == {"Employee name": "Erika", "Cost owner": "IT"}, stored[1]
    assert (stored[2]["costCenter"], stored[2]["customerSpecificFields"]) == ("70998", {"Employee name": "Hans Peter"})
    assert stored[3]["serialNumber"] == "SN-3", "an asset not in the request must not change"


@rule("TESMA-BP-014")
@writes
def test_an_asset_that_does_not_exist_fails_alone(tesma: Tesma) -> None:
    missing = tesma.objects["missingAsset"]
    job = tesma.run([{"assetId": tesma.asset(1), "orderNumber": "NEW-1"}, {"assetId": missing, "orderNumber": "X"}])
    assert (job["status"], job["assetsSuccessfullyUpdated"]) == ("partiallySuccessful", 1), job
    expected = f"Either an asset with the id '{missing}' does not exist or it is not accessible to you."
    assert _errors_of(job) == {missing: [expected]}, job


@rule("TESMA-BP-015")
@writes
def test_an_asset_of_another_corporate_group_fails_alone(tesma: Tesma) -> None:
    foreign = tesma.objects["otherGroupAsset"]
    job = tesma.run([{"assetId": foreign, "serialNumber": "STOLEN"}, {"assetId": tesma.asset(2), "orderNumber": "N"}])
    assert (job["status"], job["assetsSuccessfullyUpdated"]) == ("partiallySuccessful", 1), job
    [message] = _errors_of(job)[foreign]
    assert f"'{foreign}'" in message and "not accessible" in message, job
    if tesma.on_mock:  # another group's asset cannot be read with this key: our mock's state
        assert tesma.stored(foreign)["serialNumber"] == "SN-9", "another group's asset must not change"


@rule("TESMA-BP-016")
@writes
def test_an_unknown_customer_specific_field_fails_that_asset(tesma: Tesma) -> None:
    before = tesma.read_if_leased(tesma.asset(1))
    job = tesma.run([
        {"assetId": tesma.asset(1), "serialNumber": "NEW-1", "customerSpecificFields": {"No such field 7f3a": "42"}},
        {"assetId": tesma.asset(2), "orderNumber": "NEW-2"},
    ])  # fmt: skip
    assert (job["status"], list(_errors_of(job))) == ("partiallySuccessful", [tesma.asset(1)]), job
    tesma.unchanged(tesma.asset(1), before)


@rule("TESMA-BP-017")
@writes
def test_a_job_where_nothing_could_be_updated_fails(tesma: Tesma) -> None:
    missing, foreign = tesma.objects["missingAsset"], tesma.objects["otherGroupAsset"]
    job = tesma.run([{"assetId": missing}, {"assetId": foreign, "serialNumber": "STOLEN"}])
    assert (job["status"], job["assetsSuccessfullyUpdated"]) == ("failed", 0), job
    assert sorted(_errors_of(job)) == sorted([missing, foreign]), job


@rule("TESMA-BP-018")
@writes
def test_jobs_run_in_the_order_they_were_created(tesma: Tesma) -> None:
    # On our mock both jobs are created at one instant of its clock: however slow the machine, the first cannot
    # have started, let alone ended, before the second exists.
    with tesma.target.clock_frozen() if tesma.on_mock else contextlib.nullcontext():
        first = tesma.accepted([{"assetId": tesma.asset(n), "orderNumber": "FIRST"} for n in (1, 2, 3)])
        second = tesma.accepted([{"assetId": tesma.asset(1), "orderNumber": "SECOND"}])
    assert second["id"] != first["id"], second
    later, _ = tesma.finished(second["id"])
    earlier, _ = tesma.finished(first["id"])
    assert later["startDate"] >= earlier["endDate"], f"the second job started before the first ended: {earlier} {later}"
    stored = tesma.read_if_leased(tesma.asset(1))  # through the vendor's read, where the asset's lease is named
    if stored is not None:
        assert stored["orderNumber"] == "SECOND", "the later job's value must win"


@rule("TESMA-BP-019")
@writes
def test_an_unknown_or_foreign_job_is_not_found(tesma: Tesma) -> None:
    tesma.expect(tesma.get_job(MISSING), "TESMA-BP-019")
    job_id = tesma.accepted([{"assetId": tesma.asset(1)}])["id"]
    tesma.expect(tesma.get_job(job_id, group=tesma.objects["otherGroup"]), "TESMA-BP-019")


@rule("TESMA-BP-021")
def test_a_lease_asset_reads_back(tesma: Tesma) -> None:
    asset_id = tesma.asset(1)
    response = tesma.read_asset(asset_id)
    tesma.expect(response, "TESMA-BP-021")
    body = response.json()
    company, schedule = tesma.leases()[asset_id]
    assert (body["assetId"], body["leaseScheduleId"], body["customerContext"]["leaseCompany"]) == (
        asset_id, schedule, company), body  # fmt: skip
    if tesma.on_mock:  # our mock's own asset, exactly
        assert (body["serialNumber"], body["location"], body["customerSpecificFields"]) == (
            "SN-1", "Berlin", {"Employee name": "Erika", "Cost owner": "Finance"}), body  # fmt: skip


@rule("TESMA-BP-022")
def test_an_asset_not_on_that_lease_is_not_found(tesma: Tesma) -> None:
    asset_id = tesma.asset(1)
    company, schedule = tesma.leases()[asset_id]
    tesma.expect(tesma.read_asset(tesma.objects["missingAsset"], (company, schedule)), "TESMA-BP-022")
    tesma.expect(tesma.read_asset(asset_id, (company, schedule + 1)), "TESMA-BP-022")
    tesma.expect(tesma.read_asset(tesma.objects["otherGroupAsset"], (company, schedule)), "TESMA-BP-022")
    if tesma.on_mock:  # our mock's BETA asset on its own lease, still not readable with ALPHA's group
        tesma.expect(tesma.read_asset(9, (52, 2001)), "TESMA-BP-022")

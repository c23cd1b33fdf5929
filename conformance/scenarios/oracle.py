"""Oracle Fusion meter readings: one scenario per x-rules entry of specs/oracle-meter-readings.yaml."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_status, rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

API = "oracle"
READINGS = "/meterReadings"
ITEM = "application/vnd.oracle.adf.resourceitem+json"


# Meters: 100 ascending, rollover at 9999, resets to 0 (last 9500); 101 ascending 0..500, no rollover or reset
# (last 100); 102 descending 0..500 (last 400); 103 change meter (5, 7, 3: NetValue 15); 104 inactive since
# 2022; 105 contract line; 106 like 100, with 50, a reset, then 20.
def _template(definition: int, code: str, reading_type: str = "ORA_ABSOLUTE", **rules: Any) -> dict[str, Any]:
    return {"meterDefinitionId": definition, "meterCode": code, "readingType": reading_type, **rules}


def _meter(meter_id: int, definition: int, asset: int | None, **extra: Any) -> dict[str, Any]:
    usage = {"usageCode": "ORA_ASSET", "assetId": asset} if asset else {"usageCode": "ORA_CONTRACT_LINE"}
    return {
        "meterId": meter_id,
        "meterDefinitionId": definition,
        "activeStartDate": "2020-01-01T00:00:00Z",
        **usage,
        **extra,
    }


def _reading(reading_id: int, meter: int, date: str, value: float | None, kind: str = "ORA_ABSOLUTE") -> dict[str, Any]:
    entry = {"meterReadingId": reading_id, "meterId": meter, "readingDate": date, "readingTypeCode": kind}
    return entry if value is None else {**entry, "readingValue": value}


SECTION: dict[str, Any] = {
    "assets": [{"assetId": 1, "assetNumber": "A-1"}, {"assetId": 2, "assetNumber": "A-2"}],
    "meterTemplates": [
        _template(10, "ASC-ROLL", direction="ASCENDING", rolloverAllowed=True, rolloverMaxValue=9999,
                  rolloverResetValue=0, resetAllowed=True, resetValue=0),
        _template(11, "ASC-PLAIN", direction="ASCENDING", minValue=0, maxValue=500),
        _template(12, "DESC", direction="DESCENDING", minValue=0, maxValue=500),
        _template(13, "CHANGE", "ORA_CHANGE"),
        _template(14, "SUB"),
        _template(15, "BOTH-WAYS", direction="BOTH"),
    ],
    "meters": [
        _meter(100, 10, 1),
        _meter(101, 11, 1),
        _meter(102, 12, 2),
        _meter(103, 13, 2),
        _meter(104, 11, 2, activeEndDate="2021-12-31T23:59:59Z"),
        _meter(105, 14, None),
        _meter(106, 10, 1),
        _meter(107, 15, 2),
    ],
    "readings": [
        _reading(500001, 100, "2024-01-01T00:00:00Z", 9000),
        _reading(500002, 100, "2024-02-01T00:00:00Z", 9500),
        _reading(500003, 101, "2024-01-01T00:00:00Z", 100),
        _reading(500004, 102, "2024-01-01T00:00:00Z", 400),
        _reading(500005, 103, "2024-01-01T00:00:00Z", 5, "ORA_CHANGE"),
        _reading(500006, 105, "2024-01-01T00:00:00Z", 10),
        _reading(500007, 103, "2024-02-01T00:00:00Z", 7, "ORA_CHANGE"),
        _reading(500008, 103, "2024-03-01T00:00:00Z", 3, "ORA_CHANGE"),
        _reading(500009, 106, "2024-01-01T00:00:00Z", 50),
        _reading(500010, 106, "2024-02-01T00:00:00Z", None, "ORA_RESET"),
        _reading(500011, 106, "2024-03-01T00:00:00Z", 20),
    ],
}  # fmt: skip

DATE = "2025-06-01T10:00:00+00:00"  # after every seeded reading, before today


def reading(meter: int, asset: int | None = 1, value: float | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"MeterId": meter, "ReadingDate": DATE, "ReadingTypeCode": "ORA_ABSOLUTE", **extra}
    if asset is not None:
        body["AssetId"] = asset
    if value is not None:
        body["ReadingValue"] = value
    return body


seeded = pytest.mark.seeded
OBJECTS = {
    "reading": "the MeterReadingId of an existing meter reading (read, and sent changes that must be refused)",
    "ascendingMeter": "{AssetId, MeterId, maxValue}: an asset meter with readings whose template is absolute and "
    "ascending, with a maximum value and neither rollover nor reset",
    "descendingMeter": "{AssetId, MeterId}: an absolute descending asset meter with readings, on another asset "
    "than ascendingMeter",
    "rolloverMeter": "{AssetId, MeterId, rolloverMaxValue}: an ascending asset meter whose template allows rollover",
    "changeMeter": "{AssetId, MeterId}: an asset meter whose template reads changes (ORA_CHANGE)",
    "inactiveMeter": "{AssetId, MeterId}: an asset meter whose active dates have ended",
    "codeNotOnAsset": "{AssetNumber, MeterCode}: an asset and the code of a meter template it has no meter of",
}
DEFAULTS = {
    "reading": 500002,
    "ascendingMeter": {"AssetId": 1, "MeterId": 101, "maxValue": 500},
    "descendingMeter": {"AssetId": 2, "MeterId": 102},
    "rolloverMeter": {"AssetId": 1, "MeterId": 100, "rolloverMaxValue": 9999},
    "changeMeter": {"AssetId": 2, "MeterId": 103},
    "inactiveMeter": {"AssetId": 2, "MeterId": 104},
    "codeNotOnAsset": {"AssetNumber": "A-1", "MeterCode": "DESC"},
}
UNKNOWN_ID = 987654321


def _parsed(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Oracle(ScenarioApi):
    @staticmethod
    def error_code(body: Any) -> str | None:
        return body.get("o:errorCode") if isinstance(body, dict) else None

    def last(self, meter: str) -> dict[str, Any] | None:
        """The named meter's latest active reading, as the collection lists it."""
        meter_id = self.objects[meter]["MeterId"]
        found = self.items(q=f"MeterId={meter_id}", orderBy="ReadingDate:desc", limit=1)
        return found[0] if found else None

    def after_last(self, meter: str) -> str:
        """A reading date the named meter accepts: after its latest reading, and not in the future."""
        latest = self.last(meter)
        moment = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        if latest is not None:
            moment = max(moment, _parsed(latest["ReadingDate"]) + timedelta(seconds=1))
        return moment.isoformat()

    def reading_on(self, meter: str, value: float | None = None, **extra: Any) -> dict[str, Any]:
        """An absolute reading for a named meter, dated just after its latest one unless told otherwise."""
        named = self.objects[meter]
        body: dict[str, Any] = {"AssetId": named["AssetId"], "MeterId": named["MeterId"],
                                "ReadingTypeCode": "ORA_ABSOLUTE", **extra}  # fmt: skip
        body.setdefault("ReadingDate", self.after_last(meter))
        if value is not None:
            body["ReadingValue"] = value
        return body

    def post(self, body: Any, **kwargs: Any) -> httpx.Response:
        headers = {"Content-Type": ITEM, **kwargs.pop("headers", {})}
        return self.client.request("POST", READINGS, json=body, headers=headers, **kwargs)

    def send(self, content: bytes, content_type: str) -> httpx.Response:
        return self.client.request("POST", READINGS, content=content, headers={"Content-Type": content_type})

    def get(self, reading_id: int, **kwargs: Any) -> httpx.Response:
        return self.client.request("GET", f"{READINGS}/{reading_id}", **kwargs)

    def list(self, **params: Any) -> httpx.Response:
        return self.client.request("GET", READINGS, params=params)

    def items(self, **params: Any) -> list[dict[str, Any]]:
        response = self.list(**params)
        expect_status(response, 200, f"the collection with {params}")
        return response.json()["items"]

    def disable(self, reading_id: int, body: Any = None, **headers: str) -> httpx.Response:
        return self.client.request(
            "PATCH", f"{READINGS}/{reading_id}", json={"DisabledFlag": True} if body is None else body,
            headers={"Content-Type": ITEM, **headers},
        )  # fmt: skip


@pytest.fixture
def oracle(target: Target, contracts: dict[str, Contract]) -> Oracle:
    return Oracle(target, contracts[API], SECTION, DEFAULTS)


@rule("ORA-MR-001")
def test_a_reading_must_name_its_meter(oracle: Oracle) -> None:
    oracle.expect(
        oracle.post({"ReadingDate": DATE, "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 1}), "ORA-MR-001"
    )


@rule("ORA-MR-002")
@pytest.mark.parametrize(
    "names",
    [{"AssetId": 1}, {"MeterCode": "ASC-PLAIN"}, {"AssetNumber": "A-1", "MeterId": 101}],
    ids=["asset-id-alone", "meter-code-alone", "mixed-pair"],
)
def test_half_a_pair_is_refused(oracle: Oracle, names: dict[str, Any]) -> None:
    body = {"ReadingDate": DATE, "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 150, **names}
    oracle.expect(oracle.post(body), "ORA-MR-002")


@rule("ORA-MR-003")
@pytest.mark.parametrize("case", ["meter-of-another-asset", "template-not-on-asset", "unknown-meter"])
def test_a_pair_that_names_no_meter_is_refused(oracle: Oracle, case: str) -> None:
    asset = oracle.objects["ascendingMeter"]["AssetId"]
    names = {
        "meter-of-another-asset": lambda: {"AssetId": asset, "MeterId": oracle.objects["descendingMeter"]["MeterId"]},
        "template-not-on-asset": lambda: dict(oracle.objects["codeNotOnAsset"]),
        "unknown-meter": lambda: {"AssetId": asset, "MeterId": UNKNOWN_ID},
    }[case]()
    body = {"ReadingDate": DATE, "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 150, **names}
    oracle.expect(oracle.post(body), "ORA-MR-003")


@rule("ORA-MR-004")
def test_a_reading_from_the_future_is_refused(oracle: Oracle, target: Target) -> None:
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    last = oracle.last("ascendingMeter")
    value = last["ReadingValue"] if last else 0
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", value, ReadingDate=soon)), "ORA-MR-004")
    if target.has_admin:  # our mock: "now" is its clock, so once the clock has moved the same date is fine
        with target.clock_moved(3 * 86400):
            expect_status(oracle.post(reading(101, value=150, ReadingDate=soon)), 201, "the date is no longer ahead")


@rule("ORA-MR-005")
@pytest.mark.parametrize("when", ["earlier", "same-time"])
def test_a_reading_must_follow_the_last_one(oracle: Oracle, when: str) -> None:
    last = oracle.last("ascendingMeter")
    if last is None:
        pytest.skip("ascendingMeter needs readings")
    moment = _parsed(last["ReadingDate"]) - (timedelta(days=1) if when == "earlier" else timedelta())
    body = oracle.reading_on("ascendingMeter", last["ReadingValue"], ReadingDate=moment.isoformat())
    oracle.expect(oracle.post(body), "ORA-MR-005")


@rule("ORA-MR-006")
def test_a_reading_outside_the_meters_active_dates_is_refused(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("inactiveMeter", 150)), "ORA-MR-006")


@rule("ORA-MR-007")
def test_an_ascending_meter_cannot_go_down(oracle: Oracle) -> None:
    last = oracle.last("ascendingMeter")
    if last is None or last["ReadingValue"] <= 0:
        pytest.skip("ascendingMeter needs a latest reading above 0 to go down from")
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", last["ReadingValue"] / 2)), "ORA-MR-007")


@rule("ORA-MR-008")
def test_a_descending_meter_cannot_go_up(oracle: Oracle) -> None:
    last = oracle.last("descendingMeter")
    if last is None:
        pytest.skip("descendingMeter needs readings")
    oracle.expect(oracle.post(oracle.reading_on("descendingMeter", last["ReadingValue"] + 1)), "ORA-MR-008")
    if oracle.on_mock:  # the other direction is a write: our mock's own meter only
        expect_status(oracle.post(reading(102, asset=2, value=350)), 201, "a descending meter going down")


@rule("ORA-MR-009")
def test_rollover_needs_a_template_that_allows_it(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", 0, RolloverFlag=True)), "ORA-MR-009")


@rule("ORA-MR-010")
def test_a_change_reading_cannot_be_negative(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("changeMeter", -1, ReadingTypeCode="ORA_CHANGE")), "ORA-MR-010")


@rule("ORA-MR-011")
@seeded
def test_a_reset_takes_the_templates_reset_value(oracle: Oracle) -> None:
    response = oracle.post(reading(100, ReadingTypeCode="ORA_RESET"))
    oracle.expect(response, "ORA-MR-011")
    body = response.json()
    assert body.get("ResetFlag") is True, body
    assert body.get("ReadingValue") == 0, f"the template's reset value 0 was expected: {body}"
    assert body.get("NetValue") == 9500, f"a reset adds nothing to NetValue (9500): {body}"


@rule("ORA-MR-012")
def test_a_reset_needs_a_template_that_allows_it(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", ReadingTypeCode="ORA_RESET")), "ORA-MR-012")


@rule("ORA-MR-013")
def test_a_value_outside_the_template_range_is_refused(oracle: Oracle) -> None:
    above = oracle.objects["ascendingMeter"]["maxValue"] + 100
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", above)), "ORA-MR-013")


@rule("ORA-MR-014")
def test_a_value_above_the_rollover_maximum_is_refused(oracle: Oracle) -> None:
    above = oracle.objects["rolloverMeter"]["rolloverMaxValue"] + 2001
    oracle.expect(oracle.post(oracle.reading_on("rolloverMeter", above)), "ORA-MR-014")


@rule("ORA-MR-015")
def test_an_absolute_reading_needs_a_value(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter")), "ORA-MR-015")


@rule("ORA-MR-016")
def test_the_reading_type_must_match_the_template(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", 5, ReadingTypeCode="ORA_CHANGE")), "ORA-MR-016")


@rule("ORA-MR-017")
@pytest.mark.parametrize(
    "extra",
    [{"NetValue": 1}, {"MeterReadingId": 7}, {"ResetFlag": True}, {"Colour": "red"}, {"Comments": "x" * 241}],
    ids=["net-value", "reading-id", "reset-flag", "unknown", "comments-too-long"],
)
def test_read_only_and_unknown_attributes_are_refused(oracle: Oracle, extra: dict[str, Any]) -> None:
    oracle.expect(oracle.post(reading(101, value=150, **extra)), "ORA-MR-017")


@rule("ORA-MR-018")
@seeded
def test_net_value_accumulates_through_a_rollover(oracle: Oracle) -> None:
    first = oracle.post(reading(100, value=9800))
    oracle.expect(first, "ORA-MR-018")
    assert first.json().get("NetValue") == 9800, first.text
    rolled = oracle.post(reading(100, value=200, RolloverFlag=True, ReadingDate="2025-06-02T10:00:00Z"))
    oracle.expect(rolled, "ORA-MR-018")
    body = rolled.json()
    assert body.get("NetValue") == 9800 + (9999 - 9800) + 200, f"NetValue must count through the rollover: {body}"
    assert body.get("RolloverFlag") is True, body
    self_links = [link["href"] for link in body.get("links", []) if link.get("rel") == "self"]
    assert self_links and self_links[0].endswith(f"/meterReadings/{body['MeterReadingId']}"), body
    fetched = oracle.get(body["MeterReadingId"])
    expect_status(fetched, 200, "the created reading reads back")
    assert fetched.json().get("NetValue") == body["NetValue"], fetched.text


@rule("ORA-MR-019")
@pytest.mark.parametrize("authorization", [None, "Bearer abc", "Basic !!!"], ids=["missing", "bearer", "malformed"])
def test_a_request_without_basic_credentials_is_refused(oracle: Oracle, authorization: str | None) -> None:
    headers = {"Content-Type": ITEM} | ({} if authorization is None else {"Authorization": authorization})
    response = oracle.client.request(
        "POST", READINGS, json=reading(101, value=150), authenticated=False, headers=headers
    )
    oracle.expect(response, "ORA-MR-019")


@rule("ORA-MR-020")
def test_a_body_that_is_not_json_is_refused(oracle: Oracle) -> None:
    oracle.expect(oracle.send(b"MeterId=101", "text/plain"), "ORA-MR-020")


@rule("ORA-MR-021")
@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{}", b'{"MeterId": 101', b'{"AssetId": 1, "MeterId": 101, "ReadingDate": "' + DATE.encode()
     + b'", "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": "lots"}'],
    ids=["not-utf8", "truncated", "value-not-a-number"],
)  # fmt: skip
def test_malformed_json_is_refused(oracle: Oracle, content: bytes) -> None:
    oracle.expect(oracle.send(content, ITEM), "ORA-MR-021")


@rule("ORA-MR-022")
def test_an_unknown_reading_is_not_found(oracle: Oracle) -> None:
    oracle.expect(oracle.get(987654321), "ORA-MR-022")


@rule("ORA-MR-023")
def test_fields_and_only_data_shape_the_answer(oracle: Oracle) -> None:
    reading_id = oracle.objects["reading"]
    response = oracle.get(reading_id, params={"fields": "NetValue,ReadingValue", "onlyData": "true"})
    oracle.expect(response, "ORA-MR-023")
    full = oracle.get(reading_id)
    expect_status(full, 200, "the whole reading")
    whole = full.json()
    assert response.json() == {"NetValue": whole.get("NetValue"), "ReadingValue": whole.get("ReadingValue")}, (
        response.text
    )
    assert any(link.get("rel") == "self" for link in whole.get("links", [])), full.text


@rule("ORA-MR-024")
def test_a_client_accepting_neither_media_type_is_refused(oracle: Oracle) -> None:
    reading_id = oracle.objects["reading"]
    oracle.expect(oracle.get(reading_id, headers={"Accept": "text/html"}), "ORA-MR-024")
    expect_status(oracle.get(reading_id, headers={"Accept": "application/json"}), 200, "plain JSON is accepted")


@rule("ORA-MR-025")
def test_fields_naming_an_unknown_attribute_are_refused(oracle: Oracle) -> None:
    oracle.expect(oracle.get(oracle.objects["reading"], params={"fields": "NetValue,Colour"}), "ORA-MR-025")


@rule("ORA-MR-026")
def test_the_collection_answers_pages(oracle: Oracle) -> None:
    response = oracle.list(limit=2)
    oracle.expect(response, "ORA-MR-026")
    page = response.json()
    assert (page["count"], page["limit"], page["offset"]) == (len(page["items"]), 2, 0) and page["count"] <= 2, page
    assert [link["rel"] for link in page["links"]] == ["self"], page
    assert oracle.list().json()["limit"] == 25, "the default page size is 25"
    assert oracle.list(limit=100000).json()["limit"] == 500, "a larger limit is capped at 500"
    if oracle.on_mock:  # our mock's own eleven readings
        assert page["hasMore"] is True, page
        rest = oracle.list(limit=2, offset=10).json()
        assert rest["offset"] == 10 and rest["hasMore"] is False, rest


@rule("ORA-MR-027")
def test_q_filters_the_collection(oracle: Oracle) -> None:
    meter = oracle.objects["changeMeter"]["MeterId"]
    response = oracle.list(q=f"MeterId={meter}", limit=500)
    oracle.expect(response, "ORA-MR-027")
    of_meter = response.json()["items"]
    assert of_meter and all(item["MeterId"] == meter for item in of_meter), of_meter
    since = min(_parsed(item["ReadingDate"]) for item in of_meter)
    later = oracle.items(q=f"MeterId={meter};ReadingDate>{since.isoformat()}", limit=500)
    assert later == [item for item in of_meter if _parsed(item["ReadingDate"]) > since], later
    named = oracle.objects["codeNotOnAsset"]
    by_code = oracle.items(q=f"MeterCode={named['MeterCode']}", limit=500)
    assert all(item["MeterCode"] == named["MeterCode"] for item in by_code), by_code
    expression = oracle.items(q=f"AssetNumber = '{named['AssetNumber']}' and ReadingDate >= '2024-02-01'", limit=500)
    assert all(item["AssetNumber"] == named["AssetNumber"] and _parsed(item["ReadingDate"]) >= datetime(
        2024, 2, 1, tzinfo=UTC) for item in expression), expression  # fmt: skip
    assert all(item["DisabledFlag"] for item in oracle.items(q="DisabledFlag=true", limit=500))
    if oracle.on_mock:  # our mock's own readings, exactly
        assert sorted(item["MeterReadingId"] for item in of_meter) == [500005, 500007, 500008], of_meter
        assert [item["MeterReadingId"] for item in by_code] == [500004], by_code
        assert sorted(item["MeterReadingId"] for item in expression) == [500002, 500010, 500011], expression
        assert oracle.items(q="DisabledFlag=true") == [], "nothing is disabled yet"


@rule("ORA-MR-028")
@pytest.mark.parametrize("q", ["Colour=red", "MeterId=abc", "MeterId ~ 100", "DisabledFlag=maybe"])
def test_a_bad_query_is_refused(oracle: Oracle, q: str) -> None:
    oracle.expect(oracle.list(q=q), "ORA-MR-028")


@rule("ORA-MR-029")
def test_order_by_sorts_and_refuses_unknown_attributes(oracle: Oracle) -> None:
    meter = oracle.objects["changeMeter"]["MeterId"]
    newest_first = oracle.items(q=f"MeterId={meter}", orderBy="ReadingDate:desc", limit=500)
    dates = [item["ReadingDate"] for item in newest_first]
    if len(dates) < 2:
        pytest.skip("changeMeter needs two readings or more to show an order")
    assert [_parsed(d) for d in dates] == sorted((_parsed(d) for d in dates), reverse=True), dates
    oldest_first = oracle.items(q=f"MeterId={meter}", orderBy="ReadingDate", limit=500)
    assert oldest_first == newest_first[::-1], oldest_first
    oracle.expect(oracle.list(orderBy="Colour:desc"), "ORA-MR-029")


@rule("ORA-MR-030")
def test_total_results_counts_the_matches(oracle: Oracle) -> None:
    meter = oracle.objects["changeMeter"]["MeterId"]
    response = oracle.list(q=f"MeterId={meter}", limit=1, totalResults="true")
    oracle.expect(response, "ORA-MR-030")
    every = oracle.items(q=f"MeterId={meter}", limit=500)
    assert response.json().get("totalResults") == len(every), response.text
    assert "totalResults" not in oracle.list(q=f"MeterId={meter}").json()


@rule("ORA-MR-031")
@pytest.mark.parametrize(
    "body",
    [{"DisabledFlag": True, "ReadingValue": 3}, {"DisabledFlag": True, "ReadingDate": DATE}, {"Comments": "x"}],
    ids=["value", "date", "comments"],
)
def test_only_disabled_flag_can_change(oracle: Oracle, body: dict[str, Any]) -> None:
    oracle.expect(oracle.disable(oracle.objects["reading"], body), "ORA-MR-031")


@rule("ORA-MR-032")
@seeded
def test_disabling_recreates_the_later_history(oracle: Oracle) -> None:
    response = oracle.disable(500007)
    oracle.expect(response, "ORA-MR-032")
    assert response.json().get("DisabledFlag") is True, response.text
    later = [item for item in oracle.items(q="MeterId=103") if item["ReadingValue"] == 3]
    assert len(later) == 1, f"one active reading of 3 after the disabled one: {later}"
    recreated = later[0]
    assert recreated["MeterReadingId"] != 500008, "the later reading is canceled and re-created with a new id"
    assert recreated["NetValue"] == 5 + 3, f"NetValue recomputed without the disabled 7: {recreated}"
    assert recreated.get("ModifiedFlag") is True, recreated
    expect_status(oracle.get(500008), 404, "the canceled reading is gone")


@rule("ORA-MR-033")
@seeded
def test_a_reset_can_be_disabled_only_while_last(oracle: Oracle) -> None:
    oracle.expect(oracle.disable(500010), "ORA-MR-033")
    expect_status(oracle.disable(500011), 200, "disabling the reading after the reset")
    expect_status(oracle.disable(500010), 200, "the reset is now the last active reading")


@rule("ORA-MR-034")
def test_a_stale_change_indicator_is_refused(oracle: Oracle) -> None:
    reading_id = oracle.objects["reading"]
    current = oracle.get(reading_id).json()["links"][0]["properties"]["changeIndicator"]
    oracle.expect(oracle.disable(reading_id, **{"If-Match": current + "0"}), "ORA-MR-034")
    if oracle.on_mock:  # disabling with the current indicator is a write: our mock's own reading only
        current = oracle.get(500007).json()["links"][0]["properties"]["changeIndicator"]
        expect_status(oracle.disable(500007, **{"If-Match": current}), 200, "the current change indicator")


@rule("ORA-MR-035")
def test_updating_a_missing_reading_is_not_found(oracle: Oracle) -> None:
    oracle.expect(oracle.disable(UNKNOWN_ID), "ORA-MR-035")
    if oracle.on_mock:  # a canceled reading is gone too; canceling one is a write: our mock only
        expect_status(oracle.disable(500007), 200, "disable 500007, which cancels 500008")
        oracle.expect(oracle.disable(500008), "ORA-MR-035")


@rule("ORA-MR-036")
@seeded
def test_a_disabled_reading_cannot_be_disabled_again(oracle: Oracle) -> None:
    expect_status(oracle.disable(500008), 200, "the first time")
    oracle.expect(oracle.disable(500008), "ORA-MR-036")


@rule("ORA-MR-037")
def test_a_reading_needs_its_date(oracle: Oracle) -> None:
    body = oracle.reading_on("ascendingMeter", 150)
    del body["ReadingDate"]
    oracle.expect(oracle.post(body), "ORA-MR-037")


@rule("ORA-MR-038")
def test_a_reading_needs_its_type(oracle: Oracle) -> None:
    body = oracle.reading_on("ascendingMeter", 150)
    del body["ReadingTypeCode"]
    oracle.expect(oracle.post(body), "ORA-MR-038")


@rule("ORA-MR-039")
def test_a_reading_cannot_be_created_disabled(oracle: Oracle) -> None:
    oracle.expect(oracle.post(oracle.reading_on("ascendingMeter", 150, DisabledFlag=True)), "ORA-MR-039")


@rule("ORA-MR-040")
@pytest.mark.writes
def test_the_create_answer_leaves_the_meter_references_null(oracle: Oracle) -> None:
    last = oracle.last("ascendingMeter")
    response = oracle.post(oracle.reading_on("ascendingMeter", last["ReadingValue"] if last else 0))
    oracle.expect(response, "ORA-MR-040")
    body = response.json()
    named = ("AssetId", "AssetNumber", "MeterCode", "MeterDefinitionId", "ModifiedFlag", "InitialFlag", "DisabledFlag")
    assert {name: body.get(name, "absent") for name in named} == dict.fromkeys(named), body


@rule("ORA-MR-041")
def test_finders_find_by_primary_key_and_by_asset_meter(oracle: Oracle) -> None:
    reading_id = oracle.objects["reading"]
    response = oracle.list(finder=f"PrimaryKey;MeterReadingId={reading_id}")
    oracle.expect(response, "ORA-MR-041")
    assert [item["MeterReadingId"] for item in response.json()["items"]] == [reading_id], response.text
    assert oracle.items(finder=f"PrimaryKey;MeterReadingId={UNKNOWN_ID}") == []
    if oracle.on_mock:  # our mock's asset A-1 and its ASC-PLAIN meter (101), with one reading
        found = oracle.items(finder="MetersByAssetMeterUserKey;AssetNumber=A-1,MeterCode=ASC-PLAIN")
        assert [item["MeterReadingId"] for item in found] == [500003], found


@rule("ORA-MR-042")
@pytest.mark.parametrize(
    "finder",
    ["NoSuchFinder;MeterReadingId=1", "PrimaryKey;Colour=red", "PrimaryKey;MeterReadingId=abc", "PrimaryKey"],
    ids=["unknown-finder", "unknown-variable", "unreadable-value", "no-value"],
)
def test_a_bad_finder_is_refused(oracle: Oracle, finder: str) -> None:
    oracle.expect(oracle.list(finder=finder), "ORA-MR-042")


@rule("ORA-MR-043")
def test_expanding_a_child_of_the_collection_is_refused(oracle: Oracle) -> None:
    oracle.expect(oracle.list(expand="Readings"), "ORA-MR-043")
    expect_status(oracle.list(expand="all", limit=1), 200, "expand=all, with nothing to expand")


@rule("ORA-MR-044")
@pytest.mark.parametrize(
    "params", [{"dependency": "ReadingValue=3"}, {"expand": "Readings"}], ids=["dependency", "expand"]
)
def test_a_reading_refuses_what_it_cannot_honour(oracle: Oracle, params: dict[str, str]) -> None:
    oracle.expect(oracle.get(oracle.objects["reading"], params=params), "ORA-MR-044")


@rule("ORA-MR-045")
@pytest.mark.writes
def test_upsert_mode_creates_a_reading(oracle: Oracle) -> None:
    last = oracle.last("ascendingMeter")
    body = oracle.reading_on("ascendingMeter", last["ReadingValue"] if last else 0)
    response = oracle.post(body, headers={"Upsert-Mode": "true"})
    oracle.expect(response, "ORA-MR-045")
    assert oracle.get(response.json()["MeterReadingId"]).status_code == 200, "the created reading reads back"


@rule("ORA-MR-046")
@seeded
def test_a_reset_with_another_value_is_refused(oracle: Oracle) -> None:
    oracle.expect(oracle.post(reading(100, value=77, ReadingTypeCode="ORA_RESET")), "ORA-MR-046")
    expect_status(oracle.post(reading(100, value=0, ReadingTypeCode="ORA_RESET")), 201, "the template's reset value 0")


@rule("ORA-MR-047")
def test_a_rollover_reading_must_lie_past_the_rollover_point(oracle: Oracle) -> None:
    last = oracle.last("rolloverMeter")
    top = oracle.objects["rolloverMeter"]["rolloverMaxValue"]
    if last is None or last["ReadingValue"] >= top:
        pytest.skip("rolloverMeter needs a latest reading below its rollover maximum")
    higher = (last["ReadingValue"] + top) / 2
    oracle.expect(oracle.post(oracle.reading_on("rolloverMeter", higher, RolloverFlag=True)), "ORA-MR-047")


def _restricted(oracle: Oracle, privileges: list[str]) -> Oracle:
    """The same helper for a fresh tenant of our mock whose credential holds only ``privileges``."""
    if not oracle.on_mock:
        pytest.skip("needs a credential without the privilege, which only our mock can make")
    return Oracle(oracle.target, oracle.contract, {**SECTION, "privileges": privileges}, DEFAULTS)


@rule("ORA-MR-048")
def test_creating_needs_a_manage_privilege(oracle: Oracle) -> None:
    viewer = _restricted(oracle, ["CSE_VIEW_ENTERPRISE_ASSETS_PRIV"])
    viewer.expect(viewer.post(reading(101, value=150)), "ORA-MR-048")
    viewer.expect(viewer.disable(500003), "ORA-MR-048")
    expect_status(viewer.get(500003), 200, "a viewer reads")
    manager = _restricted(oracle, ["CSI_MANAGE_CUSTOMER_ASSETS_PRIV"])
    expect_status(manager.post(reading(101, value=150)), 201, "a manager creates")


@rule("ORA-MR-049")
def test_reading_needs_a_view_privilege(oracle: Oracle) -> None:
    nobody = _restricted(oracle, [])
    nobody.expect(nobody.list(), "ORA-MR-049")
    nobody.expect(nobody.get(500003), "ORA-MR-049")


@rule("ORA-MR-050")
@seeded
def test_a_meter_read_in_both_directions_goes_up_and_down(oracle: Oracle) -> None:
    first = oracle.post(reading(107, asset=2, value=100))
    oracle.expect(first, "ORA-MR-050")
    lower = oracle.post(reading(107, asset=2, value=60, ReadingDate="2025-06-02T10:00:00Z"))
    oracle.expect(lower, "ORA-MR-050")
    assert lower.json().get("NetValue") == 60, f"NetValue moves by the signed difference: {lower.text}"
    higher = oracle.post(reading(107, asset=2, value=90, ReadingDate="2025-06-03T10:00:00Z"))
    assert higher.status_code == 201 and higher.json().get("NetValue") == 90, higher.text

"""The gauge log's scenarios: one per x-rules entry of its contract. The file name does not say the API;
`API` does (and the id holds a `_`)."""

from __future__ import annotations

import pytest

from conformance.contracts import Contract
from conformance.expect import rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

API = "gauge_log"
SECTION = {"gauges": [{"gaugeId": 7, "lastReading": 100.0}]}
OBJECTS = {"gauge": "a gauge with a last reading of 100", "missingGauge": "a gauge id the tenant does not have"}
DEFAULTS = {"gauge": 7, "missingGauge": 999}


@pytest.fixture
def gauge_log(target: Target, contracts: dict[str, Contract]) -> ScenarioApi:
    return ScenarioApi(target, contracts[API], SECTION, DEFAULTS)


@rule("GAUGE-LOG-001")
def test_a_gauge_the_tenant_does_not_have_is_not_found(gauge_log):
    gauge_log.expect(gauge_log.client.request("GET", f"/gauges/{gauge_log['missingGauge']}"), "GAUGE-LOG-001")


@rule("GAUGE-LOG-002")
@pytest.mark.writes
def test_a_reading_below_the_last_is_refused(gauge_log):
    response = gauge_log.client.request("POST", f"/gauges/{gauge_log['gauge']}/readings", json={"value": 99.5})
    gauge_log.expect(response, "GAUGE-LOG-002")

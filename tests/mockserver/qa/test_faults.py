"""Fault rules on their own: checked against the contracts, counted, and drawn from a seed."""

import pytest

from mockserver.app import build_app
from mockserver.qa.faults import FaultRefused, preferred_fault


@pytest.fixture(scope="module")
def faults():
    return build_app().runtime.faults


def test_a_status_the_operation_does_not_document_is_refused_with_the_documented_ones(faults):
    with pytest.raises(FaultRefused) as refused:
        faults.replace([{"api": "oracle", "operationId": "create_meter_reading", "status": 503}])
    assert "201, 400, 401, 403, 406, 415" in str(refused.value) and "undocumented" in str(refused.value)
    assert faults.replace([{"operationId": "create_meter_reading", "status": 503, "undocumented": True}])


def test_a_rule_must_match_something_and_do_something(faults):
    for spec in ({"status": 400}, {"api": "oracle"}, {"api": "nosuch", "status": 400}):
        with pytest.raises(FaultRefused):
            faults.replace([spec])


def test_refused_rules_leave_the_rules_in_force(faults):
    faults.replace([{"api": "energycap", "latencyMs": 5}])
    with pytest.raises(FaultRefused):
        faults.replace([{"api": "energycap", "latencyMs": 1}, {"api": "energycap", "status": 418}])
    assert [rule["latencyMs"] for rule in faults.shown()] == [5]


def test_times_counts_down_and_stops(faults):
    faults.replace([{"api": "overit", "status": 404, "times": 2}])
    index = faults.index
    operation = index.operations("overit")[0]
    fired = [faults.fault_for(operation.method, operation.path, operation, "t") is not None for _ in range(4)]
    assert fired == [True, True, False, False]
    assert faults.shown()[0]["remaining"] == 0 and faults.shown()[0]["hits"] == 2


def test_a_seeded_probability_repeats_exactly(faults):
    operation = faults.index.operations("tesma", "get_bulk_patch")[0]

    def sequence():
        faults.replace([{"operationId": "get_bulk_patch", "status": 404, "probability": 0.3, "seed": 42}])
        return [faults.fault_for("GET", operation.path, operation, None) is not None for _ in range(200)]

    first, second = sequence(), sequence()
    assert first == second
    assert 30 < sum(first) < 90, sum(first)  # about 30% fire


def test_prefer_asks_for_documented_errors_and_latency(faults):
    operation = faults.index.operations("energycap", "get_channel_readings")[0]
    assert preferred_fault("code=404", operation).status == 404
    assert preferred_fault("latency=250", operation).latency_ms == 250
    assert preferred_fault("respond-async", operation) is None
    with pytest.raises(FaultRefused, match="400, 401, 404"):
        preferred_fault("code=503", operation)

"""The OverIT rules on plain data: no app, no store."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.apis.overit import rules
from mockserver.apis.overit.rules import (
    BACKWARD,
    FORWARD,
    REJECTED,
    TO_VALIDATE,
    VALIDATED,
    Characteristic,
    Measure,
    MeasuringElement,
    _field_rule_keys,
    _field_violations,
    _meter,
    _update_each,
    judged_on_named,
    previous_measure,
    require_target,
    update_measures,
)
from mockserver.errors import RulesBroken

PLAIN = Characteristic(601, "plain")
FORWARD_METER = Characteristic(602, "meter", FORWARD, 999)
BACKWARD_METER = Characteristic(603, "meter", BACKWARD, 99999)


def element(characteristic=None, group=None, codes=()):
    return MeasuringElement(10, 1, characteristic, group, frozenset(codes))


def measure(id, status=TO_VALIDATE, date="2026-11-15T07:00:00Z", **values):
    return Measure(id=id, measuring_element_id=10, status=status, measuring_date=date, **values)


def history(*measures):
    return {m.id: m for m in measures}


def rule_ids(error: RulesBroken) -> list[str]:
    return [violation.rule_id for violation in error.violations]


def refused(target, existing, items) -> list[str]:
    with pytest.raises(RulesBroken) as caught:
        update_measures(target, existing, items)
    return rule_ids(caught.value)


def test_a_missing_account_is_not_found():
    with pytest.raises(RulesBroken) as caught:
        require_target(1, False, 10, None)
    assert rule_ids(caught.value) == ["OVERIT-MB-005"]
    assert caught.value.status == 404


def test_an_element_of_another_account_is_not_found():
    with pytest.raises(RulesBroken) as caught:
        require_target(2, True, 10, element())
    assert rule_ids(caught.value) == ["OVERIT-MB-006"]


def test_a_measure_of_another_element_is_not_found():
    assert refused(element(PLAIN), history(measure(1)), [{"id": 2}]) == ["OVERIT-MB-007"]


@pytest.mark.parametrize("status", [VALIDATED, REJECTED])
def test_only_a_measure_to_validate_may_change(status):
    assert refused(element(PLAIN), history(measure(1, status)), [{"id": 1, "value": 1}]) == ["OVERIT-MB-008"]


def test_value_needs_a_characteristic():
    assert refused(element(), history(measure(1)), [{"id": 1, "value": 1}]) == ["OVERIT-MB-009"]


def test_delta_value_and_rotations_need_a_meter():
    assert refused(element(PLAIN), history(measure(1)), [{"id": 1, "deltaValue": 1, "rotations": 0}]) == [
        "OVERIT-MB-010",
        "OVERIT-MB-011",
    ]


def test_value_and_delta_value_are_exclusive():
    assert refused(element(FORWARD_METER), history(measure(1)), [{"id": 1, "value": 1, "deltaValue": 1}]) == [
        "OVERIT-MB-012"
    ]


def test_catalog_code_needs_a_group_and_must_belong_to_it():
    assert refused(element(), history(measure(1)), [{"id": 1, "catalogCodeId": 5}]) == ["OVERIT-MB-013"]
    assert refused(element(None, 50, {5}), history(measure(1)), [{"id": 1, "catalogCodeId": 6}]) == ["OVERIT-MB-014"]
    updated = update_measures(element(None, 50, {5}), history(measure(1)), [{"id": 1, "catalogCodeId": 5}])
    assert updated[0].catalog_code_id == 5


def test_external_code_is_unique_on_the_element_and_in_the_batch():
    existing = history(measure(1), measure(2), measure(3, VALIDATED, external_code="X"))
    assert refused(element(), existing, [{"id": 1, "externalCode": "X"}]) == ["OVERIT-MB-015"]
    assert refused(element(), existing, [{"id": 1, "externalCode": "Y"}, {"id": 2, "externalCode": "Y"}]) == [
        "OVERIT-MB-016"
    ]


def test_an_external_code_freed_in_the_same_batch_may_be_taken():
    existing = history(measure(1, external_code="A"), measure(2))
    updated = update_measures(element(), existing, [{"id": 1, "externalCode": "B"}, {"id": 2, "externalCode": "A"}])
    assert [m.external_code for m in updated] == ["B", "A"]


def test_the_same_measure_twice_is_refused():
    assert refused(element(PLAIN), history(measure(1)), [{"id": 1}, {"id": 1}]) == ["OVERIT-MB-017"]


def test_unfeasible_takes_the_values_of_the_previous_measure():
    existing = history(
        measure(1, VALIDATED, "2026-11-01T00:00:00Z", value=995.0, catalog_code_id=5),
        measure(2, REJECTED, "2026-11-10T00:00:00Z", value=1.0),
        measure(3, date="2026-11-15T00:00:00Z"),
    )
    [updated] = update_measures(
        element(FORWARD_METER, 50, {5}),
        existing,
        [{"id": 3, "unfeasible": True, "value": 7, "note": "locked", "measuringUserId": 9}],
    )
    assert (updated.value, updated.catalog_code_id, updated.unfeasible) == (995.0, 5, True)
    assert (updated.note, updated.measuring_user_id) == ("locked", 9)


def test_unfeasible_needs_a_previous_measure():
    assert refused(element(PLAIN), history(measure(1)), [{"id": 1, "unfeasible": True}]) == ["OVERIT-MB-019"]


def test_a_forward_meter_going_down_needs_rotations():
    existing = history(measure(1, VALIDATED, "2026-11-01T00:00:00Z", value=995.0), measure(2))
    assert refused(element(FORWARD_METER), existing, [{"id": 2, "value": 2}]) == ["OVERIT-MB-020"]
    [updated] = update_measures(element(FORWARD_METER), existing, [{"id": 2, "value": 2, "rotations": 1}])
    assert (updated.value, updated.rotations) == (2.0, 1)


def test_a_backward_meter_going_up_needs_rotations():
    existing = history(measure(1, VALIDATED, "2026-11-01T00:00:00Z", value=5000.0), measure(2))
    assert refused(element(BACKWARD_METER), existing, [{"id": 2, "value": 6000}]) == ["OVERIT-MB-021"]
    assert update_measures(element(BACKWARD_METER), existing, [{"id": 2, "value": 4000}])[0].value == 4000.0


def test_a_delta_value_wraps_the_counter_and_counts_rotations():
    existing = history(measure(1, VALIDATED, "2026-11-01T00:00:00Z", value=995.0), measure(2))
    [updated] = update_measures(element(FORWARD_METER), existing, [{"id": 2, "deltaValue": 7}])
    assert (updated.value, updated.delta_value, updated.rotations) == (2.0, 7.0, 1)


def test_every_violation_of_a_batch_is_reported():
    existing = history(measure(1, VALIDATED), measure(2))
    assert refused(element(), existing, [{"id": 1}, {"id": 2, "value": 1}, {"id": 9}]) == [
        "OVERIT-MB-008",
        "OVERIT-MB-009",
        "OVERIT-MB-007",
    ]


def test_the_previous_measure_is_the_latest_earlier_one_not_rejected():
    existing = history(
        measure(1, VALIDATED, "2026-11-01T00:00:00Z"),
        measure(2, VALIDATED, "2026-11-05T00:00:00+02:00"),
        measure(3, REJECTED, "2026-11-06T00:00:00Z"),
        measure(4, date="2026-11-20T00:00:00Z"),
    )
    assert previous_measure(existing, 4, "2026-11-20T00:00:00Z").id == 2
    assert previous_measure(existing, 4, "2026-11-01T00:00:00Z") is None


@pytest.mark.parametrize(
    "target",
    [element(), element(PLAIN), element(FORWARD_METER), element(PLAIN, group=7, codes=[70]), element(group=7)],
    ids=["bare", "plain", "meter", "plain-with-codes", "group-only"],
)
def test_an_item_without_the_field_rule_keys_of_its_element_breaks_no_field_rule(target):
    # update_measures skips the field rules for such an item: the keys must cover every rule that could fire.
    keys = _field_rule_keys(target, _meter(target))
    sample = {"value": 1.5, "deltaValue": 2.0, "rotations": 1, "catalogCodeId": 71, "note": "n",
              "measuringUserId": 5, "externalCode": "X", "unfeasible": False}  # fmt: skip
    for size in range(len(sample) + 1):
        for names in itertools.combinations(sample, size):
            item = {"id": 1, **{name: sample[name] for name in names}}
            if keys.isdisjoint(item):
                assert _field_violations(target, item, 0) == [], item


# -- The whole batch at once and item by item ---------------------------------------------------------------------

_ITEM_VALUES = {
    "measuringUserId": st.integers(1, 9),
    "measuringDate": st.sampled_from(
        ["2026-11-01T00:00:00Z", "2026-11-12T08:30:00+01:00", "2026-11-20T08:30:00.5Z", "2026-10-01t00:00:00z"]
    ),
    "value": st.one_of(st.integers(-5, 1500), st.floats(-5, 1500)),
    "deltaValue": st.integers(0, 2000),
    "rotations": st.integers(0, 3),
    "catalogCodeId": st.sampled_from([70, 71]),
    "note": st.sampled_from(["n", "after repair"]),
    "externalCode": st.sampled_from(["A", "B"]),
    "unfeasible": st.booleans(),
}
_ELEMENTS = [
    element(),
    element(PLAIN),
    element(PLAIN, group=7, codes=[70]),
    element(group=7, codes=[70]),
    element(FORWARD_METER),
    element(BACKWARD_METER),
    *[element(PLAIN)] * 3,  # where a batch of plain fields is merged at once
]
_PLAIN_KEYS = ["measuringUserId", "measuringDate", "value", "note"]


@st.composite
def _batches(draw):
    existing = history(
        *(
            measure(
                id,
                draw(st.sampled_from([TO_VALIDATE] * 12 + [VALIDATED, REJECTED])),
                draw(st.sampled_from(["2026-11-05T00:00:00Z", "2026-11-15T07:00:00Z", None])),
                value=draw(st.none() | st.floats(0, 1000)),
                delta_value=draw(st.none() | st.floats(0, 10)),
                rotations=draw(st.none() | st.integers(0, 2)),
                catalog_code_id=draw(st.none() | st.just(70)),
                note=draw(st.none() | st.just("old")),
                unfeasible=draw(st.sampled_from([False, True, 0, 1])),  # SQLite's 0/1 as well
                external_code=draw(st.none() | st.sampled_from(["A", "C"])),
            )
            for id in range(1, draw(st.integers(1, 6)) + 1)
        )
    )
    # Mostly keys that set plain fields, now and then one with a rule of its own.
    shared = draw(st.lists(st.sampled_from(_PLAIN_KEYS), unique=True))
    if not draw(st.integers(0, 3)):
        shared.append(draw(st.sampled_from(sorted(set(_ITEM_VALUES) - set(_PLAIN_KEYS)))))
    # Mostly measures of the element, each once; now and then one twice, or another element's.
    ids = draw(st.permutations(sorted(existing)))[: draw(st.integers(1, len(existing)))]
    if not draw(st.integers(0, 3)):
        ids.append(draw(st.integers(1, 7)))
    items = []
    for id in ids:
        # Mostly one shape for the whole batch, as clients send; now and then an item of another shape.
        keys = shared if draw(st.integers(0, 9)) else draw(st.lists(st.sampled_from(_PLAIN_KEYS), unique=True))
        items.append({"id": id, **{key: draw(_ITEM_VALUES[key]) for key in keys}})
    return draw(st.sampled_from(_ELEMENTS)), existing, items


def _outcome(update, target, existing, items):
    """What a batch gives, with the types of its values (repr tells 1 from 1.0 and from True)."""
    try:
        return repr(update(target, existing, items))
    except RulesBroken as error:
        return repr(error.violations)


@settings(max_examples=400)
@given(_batches())
def test_a_batch_updated_at_once_or_item_by_item_gives_the_same(batch):
    target, existing, items = batch
    assert _outcome(update_measures, *batch) == _outcome(
        lambda *args: _update_each(*args, _meter(target)), target, existing, items
    )


@settings(max_examples=400)
@given(_batches())
def test_a_batch_judged_on_the_measures_it_names_needs_no_other(batch):
    target, existing, items = batch
    if judged_on_named(target, items):
        named = {item["id"] for item in items}
        only_named = {id: measure for id, measure in existing.items() if id in named}
        assert _outcome(update_measures, target, only_named, items) == _outcome(update_measures, *batch)


@pytest.mark.parametrize(
    ("target", "items"),
    [
        (element(PLAIN), [{"id": 2, "unfeasible": True}]),  # takes the values of measure 1
        (element(PLAIN), [{"id": 2, "externalCode": "X"}]),  # the code of measure 1
        (element(FORWARD_METER), [{"id": 2, "value": 2}]),  # below measure 1: needs rotations
    ],
    ids=["unfeasible", "external-code", "meter"],
)
def test_a_batch_whose_rules_look_at_a_measure_it_does_not_name_is_not_judged_on_those_it_names(target, items):
    existing = history(measure(1, VALIDATED, "2026-11-01T00:00:00Z", value=995.0, external_code="X"), measure(2))
    assert _outcome(update_measures, target, {2: existing[2]}, items) != _outcome(
        update_measures, target, existing, items
    )
    assert not judged_on_named(target, items)
    assert judged_on_named(element(PLAIN), [{"id": 2, "value": 1, "note": "n"}, {"id": 3, "deltaValue": 1}])


def test_a_batch_setting_plain_fields_is_merged_at_once(monkeypatch):
    existing = history(*(measure(id, value=1.0, unfeasible=0) for id in (1, 2, 3)))
    items = [{"id": 3, "measuringUserId": 7, "measuringDate": "2026-11-20T09:30:00+01:00", "value": 3, "note": "n"},
             {"id": 1, "note": "m"}]  # fmt: skip
    expected = _update_each(element(PLAIN), existing, items, None)
    monkeypatch.setattr(rules, "_update_each", None)
    assert repr(update_measures(element(PLAIN), existing, items)) == repr(expected)
    assert expected == [
        measure(3, date="2026-11-20T08:30:00Z", measuring_user_id=7, value=3.0, note="n"),
        measure(1, value=1.0, note="m"),
    ]

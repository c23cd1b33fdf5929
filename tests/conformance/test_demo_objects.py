"""The objects DEMO_OBJECTS names for OverIT are what the demo dataset holds: a targets file for a mock started
with the demo data must not send scenarios to measures that do not exist there."""

from __future__ import annotations

from typing import Any

import yaml

from mockserver.fixtures import DEMO
from tests.conformance.demo_objects import DEMO_OBJECTS


def _overit_measures() -> dict[tuple[int, int], str]:
    """(element, measure) -> status, from the default dataset."""
    dataset = yaml.safe_load(DEMO.read_text(encoding="utf-8"))["overit"]
    return {
        (element["id"], measure["id"]): measure["status"]
        for account in dataset["accounts"]
        for element in account["measuringElements"]
        for measure in element.get("measures", [])
    }


def test_overit_measures_to_validate_are_on_the_element_and_to_validate():
    objects: dict[str, Any] = DEMO_OBJECTS["overit"]
    measures = _overit_measures()
    for measure in objects["toValidate"]:
        assert measures.get((objects["element"], measure)) == "TO_VALIDATE", measure
    for entry in objects["notToValidate"]:
        assert measures.get((entry["element"], entry["measure"])) not in (None, "TO_VALIDATE"), entry

"""What every scenario module's helper holds: a client for the API (a fresh seeded tenant on our mock, the
configured credential elsewhere), the named objects, whether the target is our mock, and `expect`."""

from __future__ import annotations

from typing import Any

import httpx

from conformance.contracts import Contract
from conformance.expect import expect_outcome
from conformance.target import Target


class ScenarioApi:
    def __init__(self, target: Target, contract: Contract, section: dict[str, Any], defaults: dict[str, Any]) -> None:
        self.client, self.objects = target.scenario_client(contract, section, defaults)
        self.contract = contract
        self.target = target
        self.on_mock = target.has_admin

    def __getitem__(self, key: str) -> Any:
        """A named object; the scenario is skipped, saying which, when a targets file does not name it."""
        return self.objects[key]

    @staticmethod
    def error_code(body: Any) -> str | None:
        """Where the vendor's error body carries its code (overridden per vendor)."""
        return body.get("code") if isinstance(body, dict) else None

    def expect(self, response: httpx.Response, rule_id: str) -> None:
        expect_outcome(response, self.contract.rule(rule_id), self.error_code, self.contract)

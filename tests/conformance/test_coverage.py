"""Every documented rule has a scenario, and every scenario names a documented rule."""

from conformance.contracts import load_contracts
from conformance.coverage import covered_rules


def documented_rule_ids():
    return {rule.id for contract in load_contracts().values() for rule in contract.rules}


def test_every_rule_has_a_scenario():
    missing = sorted(documented_rule_ids() - set(covered_rules()))
    assert not missing, f"x-rules entries without a scenario: {missing}"


def test_every_scenario_checks_a_documented_rule():
    unknown = sorted(set(covered_rules()) - documented_rule_ids())
    assert not unknown, f"scenarios marked with rules no contract documents: {unknown}"


def test_list_rules_reports_coverage(capsys):
    from conformance.cli import main

    assert main(["list-rules", "--api", "overit"]) == 0
    out = capsys.readouterr().out
    assert "OVERIT-MB-008" in out and "NO SCENARIO" not in out
    assert "26 rules, 26 covered" in out
    assert main(["list-rules"]) == 0
    assert "NO SCENARIO" not in capsys.readouterr().out

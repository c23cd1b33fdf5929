"""Every documented rule has a scenario, and every scenario names a documented rule."""

import pytest

from conformance.contracts import load_contracts
from conformance.coverage import covered_rules, scenario_modules
from conformance.findings import SuiteError


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


def test_a_scenario_module_is_filed_under_the_api_it_declares_whatever_its_name(tmp_path):
    (tmp_path / "gauge_log_readings.py").write_text(
        'import pytest\nAPI = "gauge_log"\n\n@pytest.mark.rule("GAUGE-LOG-1")\ndef test_x():\n    pass\n'
    )
    assert scenario_modules([tmp_path])["gauge_log"] == [tmp_path / "gauge_log_readings.py"]
    assert covered_rules([tmp_path])["GAUGE-LOG-1"] == ["gauge_log_readings::test_x"]


def test_a_scenario_module_that_names_no_api_is_refused(tmp_path):
    (tmp_path / "orphan.py").write_text("def test_x():\n    pass\n")
    with pytest.raises(SuiteError, match=r"orphan\.py: a scenario module names the API it checks"):
        scenario_modules([tmp_path])

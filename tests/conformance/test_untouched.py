"""The check that building and serving a broken mock patched nothing sees a patch, wherever it is made."""

from mockserver.apis.overit import rules
from mockserver.apis.tesma import errors
from mockserver.apis.tesma.handlers import TesmaHandlers
from tests.conformance.untouched import changes, snapshot


def test_nothing_changed_is_nothing_reported():
    assert changes(snapshot()) == []


def test_a_patched_module_function_is_reported(monkeypatch):
    before = snapshot()
    monkeypatch.setattr(rules, "update_measures", lambda *args: [])
    assert changes(before) == ["mockserver.apis.overit.rules.update_measures"]


def test_a_patched_method_and_a_patched_table_entry_are_reported(monkeypatch):
    before = snapshot()
    monkeypatch.setattr(TesmaHandlers, "_group", lambda self, connection, tenant: "ALPHA")
    monkeypatch.setitem(errors.CODES_BY_KEYWORD, "json", "INVALID_VALUE")
    assert changes(before) == [
        "mockserver.apis.tesma.errors.CODES_BY_KEYWORD['json']",
        "mockserver.apis.tesma.handlers.TesmaHandlers._group",
    ]

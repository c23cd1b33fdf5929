"""The journal on its own: bounded, newest first, filtered, credentials masked."""

from mockserver.qa.journal import Exchange, Filter, Journal, masked_headers
from mockserver.qa.operations import tenant_fingerprint


def entry(n, api="overit", status=200, tenant="alice"):
    return Exchange(0.0, api, "op", "GET", "/p", str(n).encode(), tenant, status, 0.001, None,
                    [(b"authorization", f"Bearer {tenant}".encode())], [], 0, [], [], 0)  # fmt: skip


def numbers(entries):
    return [int(e["query"]) for e in entries]


def test_the_bound_holds_and_the_newest_come_first():
    journal = Journal(capacity=3)
    for n in range(10):
        journal.record(entry(n))
    assert numbers(journal.entries(Filter())) == [9, 8, 7]
    assert len(journal) == 3


def test_filters_combine():
    journal = Journal(capacity=10)
    journal.record(entry(1, "overit", 200, "alice"))
    journal.record(entry(2, "oracle", 400, "alice"))
    journal.record(entry(3, "oracle", 400, "bob"))
    [found] = journal.entries(Filter(api="oracle", status=400, tenant="alice"))
    assert (found["query"], found["tenant"]) == ("2", tenant_fingerprint("alice"))
    assert "alice" not in str(found)
    assert numbers(journal.entries(Filter(), limit=1)) == [3]


def test_a_journal_of_size_zero_keeps_nothing():
    journal = Journal(capacity=0)
    journal.record(entry(1))
    assert not journal.enabled and journal.entries(Filter()) == []


def test_credentials_are_masked_whatever_the_scheme():
    shown = masked_headers([(b"Authorization", b"Bearer s3cret"), (b"ECI-ApiKey", b"k3y"), (b"X-API-KEY", b"k3y"),
                            (b"Content-Type", b"application/json")])  # fmt: skip
    assert shown == {"authorization": "Bearer ***", "eci-apikey": "***", "x-api-key": "***",
                     "content-type": "application/json"}  # fmt: skip

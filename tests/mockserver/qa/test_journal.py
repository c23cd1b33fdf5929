"""The journal on its own: bounded, newest first, filtered, credentials masked."""

from mockserver.qa.journal import Exchange, Filter, Journal, kept, masked_headers
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


def sized(n: int, body: bytes) -> Exchange:
    return Exchange(0.0, "energycap", "op", "POST", "/p", str(n).encode(), "t", 200, 0.001, None,
                    [], [body], len(body), [], [], 0)  # fmt: skip


def test_the_byte_bound_drops_the_oldest_entries():
    journal = Journal(capacity=100, max_bytes=5 * sized(0, b"x" * 1000).weight)
    for n in range(10):
        journal.record(sized(n, b"x" * 1000))
    assert numbers(journal.entries(Filter())) == [9, 8, 7, 6, 5]
    assert journal.kept_bytes <= journal.max_bytes
    journal.clear()
    assert journal.kept_bytes == 0


def test_only_the_shown_bytes_of_a_body_are_kept():
    chunks: list[bytes] = []
    for body in (b"a" * 6, b"b" * 1_000_000, b"c"):
        kept(chunks, body, 10)
    assert chunks == [b"a" * 6, b"b" * 4]


def test_queries_and_bodies_are_shown_masked():
    exchange = Exchange(0.0, "energycap", "op", "POST", "/p", b"access_token=t0k&x=1", "t", 200, 0.001, None,
                        [(b"content-type", b"application/json")], [b'{"password": "pw", "x": 1}'], 26,
                        [], [], 0)  # fmt: skip
    shown = exchange.render(1, 8192)
    assert shown["query"] == "access_token=***&x=1"
    assert shown["request"]["body"]["text"] == '{"password": "***", "x": 1}'


def test_a_header_a_contract_names_is_masked_whatever_its_name_says():
    headers = [(b"X-Client-Ident", b"tenant-7"), (b"Accept", b"*/*")]
    assert masked_headers(headers)["x-client-ident"] == "tenant-7", "the name alone does not say credential"
    journal = Journal(capacity=1, credential_headers=frozenset({"x-client-ident"}))
    journal.record(Exchange(0.0, "a", "op", "GET", "/p", b"", "t", 200, 0.001, None, headers, [], 0, [], [], 0))
    assert journal.entries(Filter())[0]["request"]["headers"] == {"x-client-ident": "***", "accept": "*/*"}

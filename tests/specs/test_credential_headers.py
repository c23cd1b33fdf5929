"""The credential headers come from the contracts: each security scheme's header, plus the generic ones."""

from asset_meter_specs.credential_headers import GENERIC, credential_headers, declared
from conformance.contracts import load_contracts


def spec(*schemes: dict) -> dict:
    return {"components": {"securitySchemes": {f"s{n}": scheme for n, scheme in enumerate(schemes)}}}


def test_each_scheme_names_the_header_it_travels_in():
    assert declared(spec({"type": "apiKey", "in": "header", "name": "X-Client-Ident"})) == {"x-client-ident"}
    assert declared(spec({"type": "http", "scheme": "basic"}, {"type": "oauth2", "flows": {}})) == {"authorization"}
    assert declared(spec({"type": "apiKey", "in": "query", "name": "key"})) == set(), "a query key is no header"
    assert declared({"info": {}}) == set()


def test_the_shipped_contracts_name_the_vendors_headers():
    names = credential_headers(contract.spec for contract in load_contracts().values())
    assert {"authorization", "eci-apikey", "x-api-key"} | GENERIC == names

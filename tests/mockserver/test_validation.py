import jsonschema_rs
from connexion.datastructures import MediaTypeDict

from mockserver.validation import (
    CompiledRequestBodyValidator,
    CompiledResponseBodyValidator,
    compiled_validator_map,
    to_json_schema,
)


def test_nullable_admits_null_in_type_and_enum():
    schema = to_json_schema({"type": "string", "enum": ["a"], "nullable": True}, "request")
    assert jsonschema_rs.Draft4Validator(schema).is_valid(None)
    assert not jsonschema_rs.Draft4Validator(to_json_schema({"type": "string"}, "request")).is_valid(None)


def test_read_only_is_not_required_in_requests_and_write_only_not_in_responses():
    schema = {
        "type": "object",
        "required": ["id", "secret"],
        "properties": {"id": {"type": "integer", "readOnly": True}, "secret": {"type": "string", "writeOnly": True}},
    }
    assert to_json_schema(schema, "request")["required"] == ["secret"]
    assert to_json_schema(schema, "response")["required"] == ["id"]


def test_conversion_reaches_nested_schemas():
    schema = {
        "type": "array",
        "items": {"allOf": [{"type": "object", "properties": {"a": {"type": "integer", "nullable": True}}}]},
    }
    converted = to_json_schema(schema, "request")
    assert converted["items"]["allOf"][0]["properties"]["a"]["type"] == ["integer", "null"]


def test_the_map_keeps_connexion_media_types_and_is_a_media_type_dict():
    # A plain dict would make connexion skip validation silently (it looks media types up by range).
    validator_map = compiled_validator_map()
    assert isinstance(validator_map["body"], MediaTypeDict)
    assert validator_map["body"]["application/json"] is CompiledRequestBodyValidator
    assert validator_map["body"]["application/vnd.oracle.adf.resourceitem+json"] is CompiledRequestBodyValidator
    assert "multipart/form-data" in validator_map["body"]
    assert validator_map["response"]["application/json"] is CompiledResponseBodyValidator
    assert "text/plain" in validator_map["response"]


def test_parameters_are_checked_like_connexion_does():
    from mockserver.validation import CompiledParameterValidator

    param = {"name": "accountId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    check = CompiledParameterValidator.validate_parameter
    assert check("path", 5, param) is None
    assert "accountId" in check("path", 0, param)
    assert check("path", None, param) == "Missing path parameter 'accountId'"
    optional = {"name": "tenant", "in": "query", "schema": {"type": "string", "nullable": True}}
    assert check("query", None, optional) is None

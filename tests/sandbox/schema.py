"""Check sandbox responses against the discovery schemas Google publishes."""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox.discovery import router


def assert_matches_schema(api: str, schema_name: str, value: Any, where: str = "") -> None:
    """Every returned key must be a property of the schema, with the schema's JSON type."""
    schemas = router().schemas[api]
    _walk(schemas, {"$ref": schema_name}, value, where or schema_name)


_TYPES = {"string": str, "boolean": bool, "object": dict, "array": list}


def _walk(schemas: dict[str, Any], spec: dict[str, Any], value: Any, where: str) -> None:
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if kind in _TYPES:
        assert isinstance(value, _TYPES[kind]), f"{where}: expected {kind}, got {value!r}"
    elif kind == "integer":
        assert isinstance(value, (int, str)) and not isinstance(value, bool), where
        int(value)
    if kind == "object" and isinstance(value, dict):
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if props and key in props:
                _walk(schemas, props[key], item, f"{where}.{key}")
            elif extra:
                _walk(schemas, extra, item, f"{where}.{key}")
            else:
                assert props is None, f"{where}: '{key}' is not in the discovery schema"
    elif kind == "array" and isinstance(value, list):
        for i, item in enumerate(value):
            _walk(schemas, spec.get("items", {}), item, f"{where}[{i}]")

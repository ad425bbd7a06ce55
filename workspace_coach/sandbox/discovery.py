"""Routes and request validation generated from Google's own discovery documents.

The discovery documents shipped inside google-api-python-client describe every path, HTTP method,
parameter (location, type, range, enum, required) and body schema. Routing from them keeps the
sandbox's URL space identical to Google's: a method we do not implement is still recognised and
answered like Google answers an unsupported call, and a bad path gets Google's 404.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

from googleapiclient.discovery_cache import get_static_doc

from workspace_coach.sandbox import errors

# (api key, discovery name, version)
SERVED_APIS: tuple[tuple[str, str, str], ...] = (
    ("directory", "admin", "directory_v1"),
    ("reports", "admin", "reports_v1"),
    ("drive", "drive", "v3"),
    ("groupssettings", "groupssettings", "v1"),
    ("sheets", "sheets", "v4"),
    ("datatransfer", "admin", "datatransfer_v1"),
    ("gmail", "gmail", "v1"),
)

# Drive v3 ignores query parameters it does not know (gspread sends includeItemsFromAllDrives to
# files.get, which Google accepts), unlike the other APIs.
LENIENT_APIS = frozenset({"drive"})

# Admin APIs need the caller to be an administrator of the tenant.
ADMIN_APIS = frozenset({"directory", "reports", "groupssettings", "datatransfer"})


@dataclass(frozen=True)
class Method:
    api: str
    id: str
    http_method: str
    template: str
    regex: re.Pattern[str]
    path_params: tuple[str, ...]
    parameters: dict[str, dict[str, Any]]
    scopes: frozenset[str]
    request_schema: str | None
    response_schema: str | None
    literal_weight: int


@dataclass
class Router:
    methods: list[Method] = field(default_factory=list)
    schemas: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    all_scopes: set[str] = field(default_factory=set)
    by_id: dict[str, Method] = field(default_factory=dict)

    _buckets: dict[str, list[tuple[int, Method]]] | None = field(default=None, repr=False)
    _merged: dict[tuple[str, ...], list[tuple[str, Method]]] = field(default_factory=dict,
                                                                     repr=False)

    def _candidates(self, raw_path: str) -> list[tuple[str, Method]]:
        """(literal ending, method) of the methods whose template could match, in `methods`
        order: a template's literal text before its first parameter, up to its last '/', must
        begin the path, and its text after the last parameter must end it (matching ~220
        templates one by one was the largest cost of a simple call)."""
        if self._buckets is None:
            buckets: dict[str, list[tuple[int, Method]]] = {}
            for order, method in enumerate(self.methods):
                literal = method.template.split("{", 1)[0]
                buckets.setdefault(literal[:literal.rfind("/") + 1], []).append((order, method))
            self._buckets = buckets
        keys = [""]
        slash = raw_path.find("/")
        while slash >= 0:
            if raw_path[:slash + 1] in self._buckets:
                keys.append(raw_path[:slash + 1])
            slash = raw_path.find("/", slash + 1)
        merged = self._merged.get(tuple(keys))
        if merged is None:
            pairs = sorted((pair for key in keys for pair in self._buckets.get(key, ())),
                           key=lambda pair: pair[0])
            merged = [(m.template.rsplit("}", 1)[-1] if "{" in m.template else m.template, m)
                      for _, m in pairs]
            if len(self._merged) < 10_000:  # path shapes are few; the bound guards odd input
                self._merged[tuple(keys)] = merged
        return merged

    def match(self, http_method: str, raw_path: str) -> tuple[Method, dict[str, str]]:
        """Find the method for a request path (without leading '/', still percent-encoded)."""
        path_matched = False
        for ending, method in self._candidates(raw_path):
            if not raw_path.endswith(ending):
                continue
            found = method.regex.match(raw_path)
            if not found:
                continue
            path_matched = True
            if method.http_method != http_method:
                continue
            return method, {k: unquote(v) for k, v in found.groupdict().items()}
        if path_matched:
            raise errors.GoogleError(405, "methodNotAllowed", "Method Not Allowed")
        raise errors.method_not_found("/" + raw_path)


def _template_regex(template: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    names: list[str] = []
    pattern = ""
    literal = 0
    pos = 0
    for m in re.finditer(r"\{(\+?)([A-Za-z0-9_.]+)\}", template):
        chunk = template[pos : m.start()]
        pattern += re.escape(chunk)
        literal += len(chunk)
        name = m.group(2).replace(".", "_")
        names.append(m.group(2))
        pattern += f"(?P<{name}>.+)" if m.group(1) else f"(?P<{name}>[^/]+?)"
        pos = m.end()
    tail = template[pos:]
    pattern += re.escape(tail)
    literal += len(tail)
    return re.compile("^" + pattern + "$"), tuple(names), literal


def _walk(resources: dict[str, Any]):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _walk(resource.get("resources", {}))


@cache
def load_document(name: str, version: str) -> dict[str, Any]:
    doc = get_static_doc(name, version)
    if doc is None:  # pragma: no cover - shipped with the client library
        raise RuntimeError(f"missing discovery document {name} {version}")
    return json.loads(doc)


@cache
def router() -> Router:
    table = Router()
    for api, name, version in SERVED_APIS:
        doc = load_document(name, version)
        service_path = doc["servicePath"]
        table.schemas[api] = doc.get("schemas", {})
        for scope in doc.get("auth", {}).get("oauth2", {}).get("scopes", {}):
            table.all_scopes.add(scope)
        for m in _walk(doc["resources"]):
            template = service_path + m["path"]
            regex, names, literal = _template_regex(template)
            params = dict(doc.get("parameters", {}))
            params.update(m.get("parameters", {}))
            method = Method(
                api=api,
                id=m["id"],
                http_method=m["httpMethod"],
                template=template,
                regex=regex,
                path_params=names,
                parameters=params,
                scopes=frozenset(m.get("scopes", [])),
                request_schema=(m.get("request") or {}).get("$ref"),
                response_schema=(m.get("response") or {}).get("$ref"),
                literal_weight=literal,
            )
            table.methods.append(method)
            table.by_id[method.id] = method
    # The most literal template wins: `users/{userKey}/makeAdmin` before `users/{userKey}`.
    table.methods.sort(key=lambda m: (-m.literal_weight, m.template.count("{+")))
    return table


_INT_RE = re.compile(r"^-?\d+$")


def _convert(name: str, spec: dict[str, Any], raw: str) -> Any:
    kind = spec.get("type", "string")
    if kind == "integer":
        if not _INT_RE.match(raw):
            raise errors.invalid(f"Invalid value '{raw}'. Values must match the following regular "
                                 "expression: '-?\\d+'", location=name, locationType="parameter")
        value = int(raw)
        lo, hi = spec.get("minimum"), spec.get("maximum")
        if (lo is not None and value < int(lo)) or (hi is not None and value > int(hi)):
            raise errors.invalid(
                f"Invalid value '{raw}'. Values must be within the range: [{lo}, {hi}]",
                location=name, locationType="parameter",
            )
        return value
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise errors.invalid(f"Invalid value '{raw}'. Valid values are: [true, false]",
                                 location=name, locationType="parameter")
        return raw.lower() == "true"
    if "enum" in spec and raw not in spec["enum"]:
        raise errors.invalid(f"Invalid value for {name}: {raw}", location=name,
                             locationType="parameter")
    return raw


def parse_parameters(
    method: Method, path_values: dict[str, str], query: dict[str, list[str]]
) -> dict[str, Any]:
    """Typed parameters of a call, validated as Google validates them."""
    out: dict[str, Any] = {}
    for original in method.path_params:
        out[original] = path_values[original.replace(".", "_")]
    for name, values in query.items():
        spec = method.parameters.get(name)
        if spec is None:
            if method.api in LENIENT_APIS:
                continue
            # Google rejects unknown query parameters on most APIs.
            raise errors.invalid(f"Invalid JSON payload received. Unknown name \"{name}\": "
                                 "Cannot bind query parameter.")
        if spec.get("repeated"):
            out[name] = [_convert(name, spec, v) for v in values]
        else:
            out[name] = _convert(name, spec, values[-1])
    for name, spec in method.parameters.items():
        if spec.get("required") and name not in out:
            raise errors.required(name)
        if name not in out and "default" in spec and spec.get("location") == "query":
            out[name] = _convert(name, spec, spec["default"])
    return out


def validate_body(api: str, schema_name: str | None, body: Any) -> None:
    """Type-check a request body against its discovery schema (recursively, as Google does)."""
    if schema_name is None or body is None:
        return
    schemas = router().schemas[api]
    _check(schemas, {"$ref": schema_name}, body, schema_name)


_JSON_TYPES = {
    "string": (str,),
    "integer": (int, str),  # int64 travels as a string
    "number": (int, float, str),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def _check(schemas: dict[str, Any], spec: dict[str, Any], value: Any, where: str) -> None:
    if value is None:
        return
    if "$ref" in spec:
        spec = schemas.get(spec["$ref"], {})
    kind = spec.get("type")
    if kind == "any" or kind is None:
        return
    allowed = _JSON_TYPES.get(kind)
    if allowed and not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)
                                                       and kind in ("string", "integer")):
        raise errors.invalid(f"Invalid value at '{where}' ({kind}): {json.dumps(value)[:80]}")
    if kind == "object" and isinstance(value, dict):
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if props and key in props:
                _check(schemas, props[key], item, f"{where}.{key}")
            elif extra:
                _check(schemas, extra, item, f"{where}.{key}")
    elif kind == "array" and isinstance(value, list):
        for i, item in enumerate(value):
            _check(schemas, spec.get("items", {}), item, f"{where}[{i}]")


# -- partial responses (`fields=`) ---------------------------------------------------------------

def parse_fields(expr: str) -> dict[str, Any]:
    """Parse Google's `fields` syntax (`a,b/c,d(e,f)`) into a nested selection tree; Sheets'
    field masks also separate a path with dots (`sheets.properties`)."""
    tree: dict[str, Any] = {}
    expr = expr.replace(".", "/")
    pos = 0

    def parse_list(end: str | None) -> dict[str, Any]:
        nonlocal pos
        node: dict[str, Any] = {}
        while pos < len(expr):
            start = pos
            while pos < len(expr) and expr[pos] not in ",()/":
                pos += 1
            name = expr[start:pos].strip()
            target = node.setdefault(name, {}) if name else node
            while pos < len(expr) and expr[pos] == "/":
                pos += 1
                start = pos
                while pos < len(expr) and expr[pos] not in ",()/":
                    pos += 1
                target = target.setdefault(expr[start:pos].strip(), {})
            if pos < len(expr) and expr[pos] == "(":
                pos += 1
                target.update(parse_list(")"))
            if pos < len(expr) and expr[pos] == ",":
                pos += 1
                continue
            if pos < len(expr) and expr[pos] == ")":
                if end != ")":
                    raise errors.invalid(f"Invalid field selection {expr}")
                pos += 1
                return node
        if end == ")":
            raise errors.invalid(f"Invalid field selection {expr}")
        return node

    tree = parse_list(None)
    return tree


def apply_fields(value: Any, tree: dict[str, Any]) -> Any:
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [apply_fields(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, sub in tree.items():
        if key in value:
            out[key] = apply_fields(value[key], sub)
    return out

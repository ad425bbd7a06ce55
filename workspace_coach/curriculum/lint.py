"""Check curriculum files and report every problem as `file:line: path: message`.

The YAML is composed to nodes first, so each key and list item keeps its line; pydantic's error
locations and our own checks (duplicate ids, the Reports API vocabulary, operators against
parameter types) are mapped back to those lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from workspace_coach.curriculum import vocabulary as vocab
from workspace_coach.curriculum.schema import (
    MAX_ITEMS,
    MIN_ITEMS,
    MODELS,
    TAGS,
    ActivityRule,
    Condition,
    Curriculum,
    Negative,
    Rule,
    UsageRule,
)
from workspace_coach.yaml_lines import Loc, format_loc, line_of, record_lines


@dataclass(frozen=True, order=True)
class Problem:
    source: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.path}: {self.message}"


@dataclass
class Loaded:
    """One file: the curriculum if it is valid, and every problem found."""

    source: str
    curriculum: Curriculum | None
    problems: list[Problem] = field(default_factory=list)


class _Lines:
    """A file's recorded lines, turned into Problems."""

    def __init__(self, source: str, node: yaml.Node) -> None:
        self.source = source
        self.lines, duplicates = record_lines(node)
        self.problems = [Problem(source, d.line, format_loc(d.loc),
                                 f"duplicate key (first on line {d.first})") for d in duplicates]

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.source, line_of(self.lines, loc), format_loc(loc), message)


# -- loading -------------------------------------------------------------------------------------

def _yaml_problem(source: str, text: str, exc: Exception) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return Problem(source, line, "(yaml)", f"not valid YAML: {exc.problem or exc.context}")
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return Problem(source, line, "(yaml)",
                       f"not valid YAML: character U+{exc.character:04X} is not allowed")
    return Problem(source, 1, "(yaml)", f"not valid YAML: {exc}")


#: libyaml's loader where PyYAML was built with it: the same nodes and lines, several times
#: faster (the dashboard and the report load every curriculum when they start).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def parse(text: str, source: str = "curriculum.yaml") -> Loaded:
    """Parse one curriculum's YAML text; never raises for a bad file."""
    try:
        node, data = _compose(text, _FAST_LOADER)
    except yaml.YAMLError:
        # the pure-Python loader words the problem (the one message people learn to read)
        try:
            node, data = _compose(text, yaml.SafeLoader)
        except yaml.YAMLError as exc:
            return Loaded(source, None, [_yaml_problem(source, text, exc)])
    if not isinstance(data, dict):
        return Loaded(source, None, [Problem(source, 1, "(file)", "expected a mapping with "
                                             "id, version, title, audience and modules")])
    lines = _Lines(source, node)
    problems = list(lines.problems)
    curriculum: Curriculum | None = None
    try:
        curriculum = Curriculum.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = _clean(tuple(error["loc"]), lines.lines)
            problems.append(lines.problem(loc, _message(error, loc)))
    if curriculum is not None:
        problems += [lines.problem(loc, msg) for loc, msg in check(curriculum)]
    else:  # still check what can be checked, so every problem is reported at once
        problems += [lines.problem(loc, msg) for loc, msg in _check_raw(data)]
    return Loaded(source, curriculum if not problems else None, sorted(set(problems)))


def load(path: Path, display: str | None = None) -> Loaded:
    source = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Loaded(source, None, [Problem(source, 1, "(file)",
                                             f"not UTF-8 text ({exc.reason})")])
    except OSError as exc:
        return Loaded(source, None, [Problem(source, 1, "(file)",
                                             f"cannot read: {exc.strerror}")])
    return parse(text, source)


def _clean(loc: Loc, lines: dict[Loc, int]) -> Loc:
    """Drop the discriminator tags pydantic inserts (`any_of[0].activity.event`)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part in TAGS and (*out, part) not in lines:
            continue
        out.append(part)
    return tuple(out)


def _field_names() -> list[str]:
    return sorted({name for model in MODELS for name in model.model_fields})


LANGUAGES = {"ko": "Korean", "en": "English"}


def _message(error: dict[str, Any], loc: Loc) -> str:
    kind, msg = error["type"], error["msg"]
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), _field_names(), n=1)
        return "unknown key" + (f"; did you mean '{close[0]}'?" if close else "")
    if kind == "missing":
        if last in LANGUAGES:
            return f"missing the {LANGUAGES[str(last)]} text ({last})"
        return "required"
    if kind == "string_too_short" and last in LANGUAGES:
        return f"the {LANGUAGES[str(last)]} text ({last}) is empty"
    if kind in ("too_short", "too_long") and last == "items" and len(loc) == 3:
        count = error.get("ctx", {}).get("actual_length")
        return f"a module needs {MIN_ITEMS} to {MAX_ITEMS} items; this one has {count}"
    if kind == "string_pattern_mismatch":
        if last == "parameter":
            return "a usage parameter is written application:name, e.g. accounts:is_2sv_enrolled"
        return "use lower-case letters, digits and single hyphens (e.g. turn-on-2sv)"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "source must be 'activity' or 'usage'"
    return msg.removeprefix("Value error, ")


# -- checks beyond the schema --------------------------------------------------------------------

def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _type_name(param: vocab.Param) -> str:
    return {"int": "a number", "bool": "true/false", "str": "text", "list": "a list of text",
            "datetime": "a timestamp"}[param.type]


def _check_value(name: str, param: vocab.Param, op: str, value: Any,
                 at: Loc) -> list[tuple[Loc, str]]:
    """`param op value`: the operator fits the type, and the value fits both."""
    if op not in vocab.OPS_FOR_TYPE[param.type]:
        if param.type == "datetime":
            return [((*at, "op"), (f"{name} is a timestamp; conditions cannot compare it "
                                  "(use the evidence window instead)"))]
        allowed = ", ".join(o for o in vocab.OPERATORS if o in vocab.OPS_FOR_TYPE[param.type])
        return [((*at, "op"), (f"'{op}' does not work on {name}, which is "
                              f"{_type_name(param)} (use {allowed})"))]
    if op in vocab.SET_OPS:
        if not isinstance(value, list) or not value:
            return [((*at, "value"), f"'{op}' needs a non-empty list of values")]
        values = value
    else:
        if isinstance(value, list):
            return [((*at, "value"), f"'{op}' needs a single value (use 'in' for a list)")]
        values = [value]
    out: list[tuple[Loc, str]] = []
    for v in values:
        if param.type == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            out.append(((*at, "value"), f"{name} is a number; {v!r} is not"))
        elif param.type == "bool" and not isinstance(v, bool):
            out.append(((*at, "value"), f"{name} is true/false; {v!r} is not"))
        elif param.type in ("str", "list") and not isinstance(v, str):
            out.append(((*at, "value"), f"{name} is text; write {v!r} as a quoted string"))
        elif param.values and isinstance(v, str) and v not in param.values:
            out.append(((*at, "value"), f"unknown value '{v}' for {name}"
                                        + _suggest(v, param.values)))
    return out


def _check_rule(rule: ActivityRule | UsageRule, at: Loc) -> list[tuple[Loc, str]]:
    if isinstance(rule, UsageRule):
        param = vocab.USAGE.get(rule.parameter)
        if param is None:
            app = rule.parameter.split(":")[0]
            if app not in vocab.USAGE_APPLICATIONS:
                return [((*at, "parameter"), f"no user usage report for '{app}' (there are "
                                             + ", ".join(vocab.USAGE_APPLICATIONS) + ")")]
            return [((*at, "parameter"), f"unknown usage parameter '{rule.parameter}'"
                                         + _suggest(rule.parameter, vocab.USAGE))]
        return _check_value(rule.parameter, param, rule.op, rule.value, at)
    events = vocab.ACTIVITIES[rule.application]
    params = events.get(rule.event)
    if params is None:
        return [((*at, "event"), f"unknown {rule.application} event '{rule.event}'"
                                 + _suggest(rule.event, events))]
    out: list[tuple[Loc, str]] = []
    for index, cond in enumerate(rule.where):
        out += _check_condition(rule, params, cond, (*at, "where", index))
    return out


def _check_condition(rule: ActivityRule, params: dict[str, vocab.Param], cond: Condition,
                     at: Loc) -> list[tuple[Loc, str]]:
    param = params.get(cond.param)
    if param is None:
        known = ", ".join(sorted(params)) if params else "none"
        hint = _suggest(cond.param, params) or f" (known: {known})"
        return [((*at, "param"), (f"{rule.application} {rule.event} has no parameter "
                                 f"'{cond.param}'{hint}"))]
    return _check_value(cond.param, param, cond.op, cond.value, at)


def check(curriculum: Curriculum) -> list[tuple[Loc, str]]:
    """Problems the schema alone cannot see: duplicate ids, vocabulary, operators and types."""
    out: list[tuple[Loc, str]] = []
    modules: dict[str, Loc] = {}
    items: dict[str, Loc] = {}
    for m, module in enumerate(curriculum.modules):
        at = ("modules", m)
        if module.id in modules:
            out.append(((*at, "id"), (f"duplicate module id '{module.id}' "
                                     f"(first at {format_loc(modules[module.id])})")))
        modules.setdefault(module.id, at)
        for i, item in enumerate(module.items):
            at_item = (*at, "items", i)
            if item.id in items:
                out.append(((*at_item, "id"), (f"duplicate item id '{item.id}' "
                                              f"(first at {format_loc(items[item.id])})")))
            items.setdefault(item.id, at_item)
            if item.evidence is not None:
                for r, rule in enumerate(item.evidence.any_of):
                    out += _check_rule(rule, (*at_item, "evidence", "any_of", r))
                if item.evidence.completion == "latest" and not all(
                        isinstance(rule, UsageRule) for rule in item.evidence.any_of):
                    out.append(((*at_item, "evidence", "completion"),
                                ("'latest' needs usage rules only (activity events do not "
                                "switch back off)")))
            for n, negative in enumerate(item.negative):
                out += _check_rule(negative, (*at_item, "negative", n))
    return out


_RULE = TypeAdapter(Rule)
_NEGATIVE = TypeAdapter(Negative)


def _check_raw(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Module sizes, ids and rules of a file the schema refused as a whole."""
    out: list[tuple[Loc, str]] = []
    items: dict[str, Loc] = {}
    modules = data.get("modules")
    for m, module in enumerate(modules if isinstance(modules, list) else []):
        entries = module.get("items") if isinstance(module, dict) else None
        if not isinstance(entries, list):
            continue
        if entries and not MIN_ITEMS <= len(entries) <= MAX_ITEMS:
            out.append((("modules", m, "items"), (f"a module needs {MIN_ITEMS} to {MAX_ITEMS} "
                                                 f"items; this one has {len(entries)}")))
        for i, item in enumerate(entries):
            if not isinstance(item, dict):
                continue
            at = ("modules", m, "items", i)
            if isinstance(item.get("id"), str):
                if item["id"] in items:
                    out.append(((*at, "id"), (f"duplicate item id '{item['id']}' "
                                             f"(first at {format_loc(items[item['id']])})")))
                items.setdefault(item["id"], at)
            evidence = item.get("evidence")
            rules = evidence.get("any_of") if isinstance(evidence, dict) else None
            for r, raw in enumerate(rules if isinstance(rules, list) else []):
                out += _check_raw_rule(_RULE, raw, (*at, "evidence", "any_of", r))
            negatives = item.get("negative")
            for n, raw in enumerate(negatives if isinstance(negatives, list) else []):
                out += _check_raw_rule(_NEGATIVE, raw, (*at, "negative", n))
    return out


def _check_raw_rule(adapter: TypeAdapter, raw: Any, at: Loc) -> list[tuple[Loc, str]]:
    try:
        rule = adapter.validate_python(raw)
    except ValidationError:
        return []  # already reported by the schema
    return _check_rule(rule, at)


# -- folders -------------------------------------------------------------------------------------

def files_in(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                problems.append(Problem(str(path), 1, "(folder)", "no .yaml files here"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, "(file)", "no such file or folder"))
    return files, problems


def lint(paths: Sequence[Path]) -> tuple[list[Loaded], list[Problem]]:
    """Load every file under `paths`; return the files and all problems (also across files)."""
    files, problems = files_in(paths)
    loaded = [load(path, _display(path)) for path in files]
    seen: dict[str, str] = {}
    for entry in loaded:
        problems += entry.problems
        if entry.curriculum is None:
            continue
        cid = entry.curriculum.id
        if cid in seen:
            problems.append(Problem(entry.source, _id_line(entry.source), "id",
                                    f"duplicate curriculum id '{cid}' (also in {seen[cid]})"))
        seen.setdefault(cid, entry.source)
    return loaded, problems


def _display(path: Path) -> str:
    """A path as the person would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) if path.is_absolute() \
            else str(path)
    except ValueError:
        return str(path)


def _id_line(source: str) -> int:
    for number, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("id:"):
            return number
    return 1

"""Curriculum lint: the shipped curricula are clean, and every kind of bad file is caught with
its exact `file:line: path`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_coach import resources
from workspace_coach.curriculum.lint import lint, parse

ITEM = """\
      - id: {id}
        title: {{ko: 항목, en: Item}}
        why_it_matters: {{ko: 중요해요, en: It matters}}
        steps:
          - {{ko: 해 보세요, en: Do it}}
        link: https://support.google.com/drive/answer/2494822
        self_attest: true
"""
HEAD = """\
id: test
version: 1
title: {ko: 시험, en: Test}
audience: member
modules:
  - id: one
    title: {ko: 하나, en: One}
    why: {ko: 이유, en: Why}
    items:
"""  # the first item starts on line 10 and each takes 7 lines


def doc(*items: str, count: int = 3) -> str:
    extra = [ITEM.format(id=f"item-{n}") for n in range(len(items), count)]
    return HEAD + "".join(items) + "".join(extra)


def evidence_item(rules: str) -> str:
    """An item verified by `rules` (YAML lines under any_of); its rule 0 starts on line 18."""
    return ITEM.format(id="ev").replace("        self_attest: true\n",
                                        "        evidence:\n          any_of:\n" + rules)


def problems(text: str) -> list[str]:
    return [str(p) for p in parse(text, "t.yaml").problems]


def test_shipped_curricula_are_clean():
    loaded, found = lint([resources.shipped_curricula()])
    assert found == []
    ids = {entry.curriculum.id for entry in loaded if entry.curriculum}
    assert {"new-member", "admin"} <= ids
    for entry in loaded:
        for module in entry.curriculum.modules:
            assert 3 <= len(module.items) <= 7


def test_valid_minimal_file():
    assert problems(doc()) == []


def test_bad_yaml():
    assert problems(doc() + "  - [unclosed\n") == [
        "t.yaml:32: (yaml): not valid YAML: expected ',' or ']', but got '<stream end>'"]


def test_unknown_key():
    text = doc(ITEM.format(id="a").replace("        link:", "        lnk: x\n        link:"))
    assert "t.yaml:15: modules[0].items[0].lnk: unknown key; did you mean 'link'?" in \
        problems(text)


@pytest.mark.parametrize("lang, keep, name", [("ko", "en: Item", "Korean"),
                                              ("en", "ko: 항목", "English")])
def test_missing_translation(lang, keep, name):
    text = doc(ITEM.format(id="a").replace("{ko: 항목, en: Item}", "{" + keep + "}"))
    assert problems(text) == [
        f"t.yaml:11: modules[0].items[0].title.{lang}: missing the {name} text ({lang})"]


def test_empty_translation():
    text = doc(ITEM.format(id="a").replace("en: Do it", "en: ''"))
    assert problems(text) == [
        "t.yaml:14: modules[0].items[0].steps[0].en: the English text (en) is empty"]


def test_text_given_in_one_language_only():
    text = doc(ITEM.format(id="a").replace("{ko: 중요해요, en: It matters}", "중요해요"))
    assert problems(text) == [("t.yaml:12: modules[0].items[0].why_it_matters: needs Korean and "
                              "English: write {ko: ..., en: ...}")]


@pytest.mark.parametrize("count", [2, 8])
def test_module_size(count):
    assert problems(doc(count=count)) == [
        f"t.yaml:9: modules[0].items: a module needs 3 to 7 items; this one has {count}"]


def test_duplicate_item_id():
    text = doc(ITEM.format(id="same"), ITEM.format(id="same"))
    assert problems(text) == [("t.yaml:17: modules[0].items[1].id: duplicate item id 'same' "
                              "(first at modules[0].items[0])")]


def test_duplicate_yaml_key():
    text = doc(ITEM.format(id="a").replace("        link:", "        id: b\n        link:"))
    assert "t.yaml:15: modules[0].items[0].id: duplicate key (first on line 10)" in \
        problems(text)


def test_unknown_application():
    text = doc(evidence_item("            - {source: activity, application: sheets, event: x}\n"))
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(
        "t.yaml:18: modules[0].items[0].evidence.any_of[0].application: Input should be")


def test_unknown_event():
    text = doc(evidence_item("            - {source: activity, application: drive, "
                             "event: crate}\n"))
    assert problems(text) == [("t.yaml:18: modules[0].items[0].evidence.any_of[0].event: "
                              "unknown drive event 'crate'; did you mean 'create'?")]


def test_unknown_activity_parameter():
    text = doc(evidence_item("""\
            - source: activity
              application: meet
              event: call_ended
              where:
                - {param: video_seconds, op: ">", value: 0}
"""))
    assert problems(text) == [
        ("t.yaml:22: modules[0].items[0].evidence.any_of[0].where[0].param: meet call_ended has "
        "no parameter 'video_seconds'; did you mean 'video_send_seconds'?")]


def test_unknown_usage_parameter():
    text = doc(evidence_item('            - {source: usage, parameter: "accounts:is_2sv_on", '
                             'op: "==", value: true}\n'))
    assert problems(text) == [("t.yaml:18: modules[0].items[0].evidence.any_of[0].parameter: "
                              "unknown usage parameter 'accounts:is_2sv_on'; did you mean "
                              "'accounts:is_2sv_enrolled'?")]


def test_numeric_operator_on_string_parameter():
    text = doc(evidence_item("""\
            - source: activity
              application: drive
              event: create
              where:
                - {param: doc_type, op: ">", value: 1}
"""))
    assert problems(text) == [
        ("t.yaml:22: modules[0].items[0].evidence.any_of[0].where[0].op: '>' does not work on "
        "doc_type, which is text (use ==, !=, in, not in)")]


def test_wrong_value_type_and_unknown_value():
    text = doc(evidence_item("""\
            - source: activity
              application: drive
              event: change_user_access
              where:
                - {param: new_value, op: "==", value: can_coment}
                - {param: owner_is_shared_drive, op: "==", value: "yes"}
"""))
    assert problems(text) == [
        ("t.yaml:22: modules[0].items[0].evidence.any_of[0].where[0].value: unknown value "
        "'can_coment' for new_value; did you mean 'can_comment'?"),
        ("t.yaml:23: modules[0].items[0].evidence.any_of[0].where[1].value: "
        "owner_is_shared_drive is true/false; 'yes' is not")]


def test_in_needs_a_list():
    text = doc(evidence_item("""\
            - source: activity
              application: meet
              event: call_ended
              where:
                - {param: device_type, op: in, value: android}
"""))
    assert problems(text) == [("t.yaml:22: modules[0].items[0].evidence.any_of[0].where[0].value: "
                              "'in' needs a non-empty list of values")]


def test_bad_link():
    text = doc(ITEM.format(id="a").replace("https://support.google.com/drive/answer/2494822",
                                           "https://example.com/help"))
    assert problems(text) == [
        ("t.yaml:15: modules[0].items[0].link: not a Google help article link: use "
        "https://support.google.com/<product>/answer/<number>")]


def test_evidence_and_self_attest_both():
    item = evidence_item("            - {source: activity, application: chat, "
                         "event: message_posted}\n") + "        self_attest: true\n"
    assert problems(doc(item)) == [("t.yaml:10: modules[0].items[0]: give either 'evidence' or "
                                   "'self_attest: true', not both")]


def test_evidence_and_self_attest_neither():
    item = ITEM.format(id="a").replace("        self_attest: true\n", "")
    assert problems(doc(item)) == [("t.yaml:10: modules[0].items[0]: needs 'evidence' rules or "
                                   "'self_attest: true'")]


def test_bad_source_and_negative_rules_checked():
    item = ITEM.format(id="a") + """\
        negative:
          - source: activity
            application: drive
            event: change_document_visibility
            where:
              - {param: new_value, op: in, value: [people_with_lnk]}
            flag: {ko: 공개 링크, en: Public link}
          - {source: log, application: drive, event: x, flag: {ko: 가, en: A}}
"""
    assert problems(doc(item)) == [
        ("t.yaml:22: modules[0].items[0].negative[0].where[0].value: unknown value "
        "'people_with_lnk' for new_value; did you mean 'people_with_link'?"),
        "t.yaml:24: modules[0].items[0].negative[1]: source must be 'activity' or 'usage'"]


def test_latest_needs_usage_rules():
    item = evidence_item("            - {source: activity, application: login, "
                         "event: 2sv_enroll}\n") + "          completion: latest\n"
    assert problems(doc(item)) == [("t.yaml:19: modules[0].items[0].evidence.completion: 'latest' "
                                   "needs usage rules only (activity events do not switch back "
                                   "off)")]


def test_every_problem_reported_at_once(tmp_path: Path):
    bad = ITEM.format(id="Bad_ID").replace("en: Item", "en: ''")
    (tmp_path / "a.yaml").write_text(doc(bad, count=2), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc(), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(doc(), encoding="utf-8")
    _, found = lint([tmp_path])
    lines = [str(p).replace(str(tmp_path) + "/", "") for p in found]
    assert lines == [
        "a.yaml:9: modules[0].items: a module needs 3 to 7 items; this one has 2",
        ("a.yaml:10: modules[0].items[0].id: use lower-case letters, digits and single hyphens "
        "(e.g. turn-on-2sv)"),
        "a.yaml:11: modules[0].items[0].title.en: the English text (en) is empty",
        "c.yaml:1: id: duplicate curriculum id 'test' (also in b.yaml)".replace(
            "b.yaml", str(tmp_path / "b.yaml")).replace(str(tmp_path) + "/", ""),
    ]

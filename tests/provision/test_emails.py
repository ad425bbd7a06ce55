"""Generated addresses: romanised, patterned, valid, and stable across runs and row orders."""

from __future__ import annotations

import random

import pytest

from workspace_coach.provision.emails import (
    assign_emails,
    clean_username,
    is_valid_username,
    username_for,
)
from workspace_coach.provision.roster import Person, roster_from_rows


def person(name: str, row: int = 2, **kw) -> Person:
    rows = [["이름", *kw.keys()], [name, *kw.values()]]
    found = roster_from_rows(rows, "r.csv").people[0]
    return Person(**{**found.__dict__, "row": row})


@pytest.mark.parametrize("name, expected", [
    ("김민지", "minji.kim"), ("이서연", "seoyeon.lee"), ("박지훈", "jihun.park"),
    ("최윤아", "yuna.choi"), ("남궁민수", "minsu.namgung"), ("선우정아", "jeonga.sunwoo"),
    ("한별", "byeol.han"), ("신라", "ra.shin"), ("황보혜진", "hyejin.hwangbo"),
    ("Daniel Brown", "daniel.brown"), ("José Müller", "jose.muller"),
    ("Mary Ann O'Neil", "maryann.o'neil"),
])
def test_usernames_from_names(name, expected):
    assert username_for(person(name)) == expected


def test_patterns_overrides_and_english_name():
    minji = person("이민지", 영문이름="Minnie Yi", 사번="E7")
    plain = person("이민지", 사번="E7")
    assert username_for(minji) == "minnie.yi"
    assert username_for(plain, "{g}{family}") == "mlee"
    assert username_for(plain, "{family}.{given}", {"이": "Rhee"}) == "rhee.minji"
    assert username_for(plain, "{family}{id}") == "leee7"
    assert username_for(person("이민지"), "{family}{id}") is None
    assert username_for(person("李敏智")) is None


def test_clean_username_rules():
    assert clean_username("..A b..c.") == "ab.c"
    assert len(clean_username("a" * 100)) == 64
    assert is_valid_username("minji.kim") and not is_valid_username(".minji")
    assert not is_valid_username("min..ji") and not is_valid_username("민지")


def _people(order: list[int]) -> list[Person]:
    base = [
        person("김민지", 2, 입사일="2020-01-01"),
        person("김민지", 3, 입사일="2024-01-01"),
        person("김민지", 4, 입사일="2022-01-01", 사번="K9"),
        person("이서연", 5),
        person("이서연", 6, 이메일="seoyeon.lee@x.kr"),
        person("박지훈", 7, 사번="P1"),
        person("박지훈", 8, 사번="P0"),
    ]
    return [base[i] for i in order]


def _by_row(assignments, people) -> dict[int, str]:
    return {p.row: assignments[p.key].email for p in people}


def test_collisions_get_stable_suffixes_whatever_the_row_order():
    people = _people(list(range(7)))
    first = _by_row(assign_emails(people, domain="x.kr"), people)
    assert first == {2: "minji.kim@x.kr", 3: "minji.kim3@x.kr", 4: "minji.kim2@x.kr",
                     5: "seoyeon.lee2@x.kr", 6: "seoyeon.lee@x.kr",
                     7: "jihun.park2@x.kr", 8: "jihun.park@x.kr"}
    rng = random.Random(5)
    for _ in range(20):
        order = list(range(7))
        rng.shuffle(order)
        shuffled = _people(order)
        assert _by_row(assign_emails(shuffled, domain="x.kr"), shuffled) == first


def test_rerun_keeps_previous_assignments_and_avoids_taken():
    people = _people(list(range(7)))
    first = assign_emails(people, domain="x.kr")
    previous = {k: a.email for k, a in first.items() if a.generated}
    # A new 김민지 who started earliest of all would take the plain address on a fresh run ...
    newcomer = person("김민지", 9, 입사일="2010-01-01")
    again = assign_emails([*people, newcomer], domain="x.kr", previous=previous,
                          taken=["minji.kim4@x.kr"])
    # ... but existing people keep theirs, and the newcomer skips the taken address.
    for key, assignment in first.items():
        assert again[key].email == assignment.email
    assert again[newcomer.key].email == "minji.kim5@x.kr"
    assert again[people[0].key].kept


def test_long_names_fit_with_suffix():
    long = person("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 2,
                  사번="1")
    twin = person(long.name, 3, 사번="2")
    result = assign_emails([long, twin], domain="x.kr")
    locals_ = sorted(a.email.split("@")[0] for a in result.values())
    assert all(len(part) <= 64 and is_valid_username(part) for part in locals_)
    assert locals_[0] != locals_[1] and any(part.endswith("b2") for part in locals_)

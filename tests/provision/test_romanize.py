"""Revised Romanisation: syllable tables, sound changes in words, none in given names."""

from __future__ import annotations

import pytest

from workspace_coach.provision.romanize import (
    decompose,
    romanize,
    romanize_given_name,
    romanize_surname,
    split_korean_name,
)


def test_decompose_uses_unicode_tables():
    assert decompose("가") == (0, 0, 0)
    assert decompose("힣") == (18, 20, 27)
    with pytest.raises(ValueError):
        decompose("A")


@pytest.mark.parametrize("word, expected", [
    ("신라", "silla"), ("종로", "jongno"), ("백마", "baengma"), ("같이", "gachi"),
    ("굳이", "guji"), ("국립", "gungnip"), ("협력", "hyeomnyeok"), ("설날", "seollal"),
    ("좋고", "joko"), ("놓는", "nonneun"), ("왕십리", "wangsimni"), ("대관령", "daegwallyeong"),
    ("해돋이", "haedoji"), ("울산", "ulsan"), ("묵호", "mukho"), ("읽어", "ilgeo"),
    ("닭", "dak"), ("앞니", "amni"), ("별로", "byeollo"), ("의사", "uisa"),
    ("서울 Seoul 2", "seoul Seoul 2"),
])
def test_words_carry_sound_changes(word, expected):
    assert romanize(word) == expected


@pytest.mark.parametrize("given, expected", [
    ("민지", "minji"), ("서연", "seoyeon"), ("지훈", "jihun"), ("윤아", "yuna"),
    ("민수", "minsu"), ("정아", "jeonga"), ("별", "byeol"), ("복남", "boknam"),
    ("빛나", "bitna"), ("슬아", "seula"), ("라", "ra"),
])
def test_given_names_have_no_sound_changes_or_hyphens(given, expected):
    assert romanize_given_name(given) == expected


@pytest.mark.parametrize("surname, expected", [
    ("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"), ("강", "Kang"),
    ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim"), ("한", "Han"), ("오", "Oh"),
    ("서", "Seo"), ("신", "Shin"), ("권", "Kwon"), ("황", "Hwang"), ("안", "Ahn"),
    ("송", "Song"), ("류", "Ryu"), ("유", "Yoo"), ("전", "Jeon"), ("홍", "Hong"), ("고", "Ko"),
    ("문", "Moon"), ("양", "Yang"), ("손", "Son"), ("배", "Bae"), ("백", "Baek"), ("허", "Heo"),
    ("노", "Noh"), ("남", "Nam"), ("심", "Shim"), ("남궁", "Namgung"), ("황보", "Hwangbo"),
    ("제갈", "Jegal"), ("선우", "Sunwoo"), ("독고", "Dokgo"),
])
def test_usual_surname_spellings(surname, expected):
    assert romanize_surname(surname) == expected


def test_surname_overrides_and_fallback():
    assert romanize_surname("이", {"이": "Yi"}) == "Yi"
    assert romanize_surname("빙") == "Bing"  # not in the table: the standard's spelling


@pytest.mark.parametrize("full, expected", [
    ("김민지", ("김", "민지")), ("남궁민수", ("남궁", "민수")), ("선우정아", ("선우", "정아")),
    ("황보혜진", ("황보", "혜진")), ("제갈현우", ("제갈", "현우")), ("한별", ("한", "별")),
    ("김 민지", ("김", "민지")), ("선우", ("선", "우")), ("이", ("", "이")),
])
def test_split_korean_full_names(full, expected):
    assert split_korean_name(full) == expected


def test_nfd_input_is_normalised():
    import unicodedata

    assert romanize(unicodedata.normalize("NFD", "신라")) == "silla"

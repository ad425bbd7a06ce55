"""Revised Romanisation of Korean (국어의 로마자 표기법, 2000), enough for names and usernames.

Why our own: the rules fit in a page, a dependency would add nothing but risk, and we need two
behaviours that packages rarely separate:

- `romanize(word)` applies the sound changes between syllables that the standard writes down
  (liaison, nasalisation, the ㄹ rules, ㅎ aspiration, palatalisation): 신라 -> silla,
  종로 -> jongno, 백마 -> baengma, 같이 -> gachi.
- `romanize_given_name(name)` follows the standard's rule for personal names: sound changes
  between the syllables of a given name are *not* written (한복남 -> Han Boknam, 홍빛나 ->
  Hong Bitna), which is also how people spell their own names (슬아 -> seula).

Surnames follow usage rather than the standard (김 Kim, 이 Lee, 박 Park ...): `SURNAME_SPELLINGS`,
overridable per organisation from org.yaml.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

_BASE = 0xAC00
_LAST = 0xD7A3
_MEDIAL_COUNT = 21
_FINAL_COUNT = 28

# Initial consonants in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch",
            "k", "t", "p", "h")
_INITIAL_JAMO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# Vowels: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
MEDIALS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
           "wo", "we", "wi", "yu", "eu", "ui", "i")
# Final consonants (index 0 = none): ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
_FINAL_JAMO = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
               "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
# What a final sounds like before a consonant or at the end of a word (neutralisation).
_FINAL_SOUND = {
    "": "", "ㄱ": "k", "ㄲ": "k", "ㄳ": "k", "ㄺ": "k", "ㅋ": "k",
    "ㄴ": "n", "ㄵ": "n", "ㄶ": "n",
    "ㄷ": "t", "ㅅ": "t", "ㅆ": "t", "ㅈ": "t", "ㅊ": "t", "ㅌ": "t", "ㅎ": "t",
    "ㄹ": "l", "ㄼ": "l", "ㄽ": "l", "ㄾ": "l", "ㅀ": "l",
    "ㅁ": "m", "ㄻ": "m",
    "ㅂ": "p", "ㅍ": "p", "ㅄ": "p", "ㄿ": "p",
    "ㅇ": "ng",
}
# A final consonant carried over to a following vowel (liaison), as an initial.
_CARRIED = {"ㄱ": "g", "ㄲ": "kk", "ㄴ": "n", "ㄷ": "d", "ㄹ": "r", "ㅁ": "m", "ㅂ": "b",
            "ㅅ": "s", "ㅆ": "ss", "ㅈ": "j", "ㅊ": "ch", "ㅋ": "k", "ㅌ": "t", "ㅍ": "p"}
# Compound finals before a vowel: the first consonant stays, the second moves on.
_SPLIT = {"ㄳ": ("k", "s"), "ㄵ": ("n", "j"), "ㄺ": ("l", "g"), "ㄻ": ("l", "m"),
          "ㄼ": ("l", "b"), "ㄽ": ("l", "s"), "ㄾ": ("l", "t"), "ㄿ": ("l", "p"),
          "ㅄ": ("p", "s"), "ㄶ": ("", "n"), "ㅀ": ("", "r")}
_NASAL = {"k": "ng", "t": "n", "p": "m"}
_ASPIRATED = {"ㄱ": "k", "ㄷ": "t", "ㅈ": "ch"}

# Usual spellings of surnames (how people write them in passports and addresses), not the
# standard's (Gim, I, Bak ...). Compound surnames included; organisations override per person
# name in org.yaml (`surname_spellings`).
SURNAME_SPELLINGS: dict[str, str] = {
    "김": "Kim", "이": "Lee", "리": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang",
    "조": "Cho", "윤": "Yoon", "장": "Jang", "임": "Lim", "림": "Lim", "한": "Han", "오": "Oh",
    "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song",
    "류": "Ryu", "유": "Yoo", "전": "Jeon", "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang",
    "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "노": "Noh", "로": "Roh", "남": "Nam",
    "심": "Shim", "하": "Ha", "곽": "Kwak", "성": "Sung", "차": "Cha", "주": "Joo", "우": "Woo",
    "구": "Koo", "민": "Min", "진": "Jin", "나": "Na", "라": "Ra", "지": "Ji", "엄": "Eom",
    "채": "Chae", "원": "Won", "천": "Cheon", "방": "Bang", "공": "Kong", "현": "Hyun",
    "함": "Ham", "변": "Byun", "염": "Yeom", "여": "Yeo", "추": "Choo", "도": "Do", "소": "So",
    "석": "Seok", "선": "Sun", "설": "Seol", "마": "Ma", "길": "Gil", "연": "Yeon", "위": "Wi",
    "표": "Pyo", "명": "Myung", "기": "Ki", "반": "Ban", "왕": "Wang", "금": "Geum", "옥": "Ok",
    "육": "Yook", "인": "In", "맹": "Maeng", "제": "Je", "모": "Mo", "탁": "Tak", "국": "Kook",
    "어": "Eo", "은": "Eun", "편": "Pyeon", "용": "Yong", "예": "Ye", "경": "Kyung", "봉": "Bong",
    "사": "Sa", "부": "Boo", "가": "Ka", "복": "Bok", "태": "Tae", "목": "Mok", "형": "Hyung",
    "피": "Pi", "두": "Doo", "감": "Kam", "음": "Eum", "빈": "Bin", "동": "Dong", "온": "On",
    "호": "Ho", "범": "Beom", "좌": "Jwa", "승": "Seung", "상": "Sang", "시": "Si", "갈": "Gal",
    "견": "Kyun", "계": "Kye", "당": "Dang",
    # Compound (two-syllable) surnames.
    "남궁": "Namgung", "황보": "Hwangbo", "제갈": "Jegal", "선우": "Sunwoo", "독고": "Dokgo",
    "사공": "Sagong", "서문": "Seomun", "동방": "Dongbang", "어금": "Eogeum", "망절": "Mangjeol",
    "강전": "Kangjeon", "소봉": "Sobong",
}

# Two-syllable surnames, for splitting a full name written in one cell ("남궁민수").
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절", "강전", "소봉"}
)


def is_hangul_syllable(char: str) -> bool:
    """True for a precomposed Hangul syllable (가 ... 힣)."""
    return len(char) == 1 and _BASE <= ord(char) <= _LAST


def has_hangul(text: str) -> bool:
    """True when any character of `text` is a Hangul syllable."""
    return any(is_hangul_syllable(c) for c in text)


def decompose(syllable: str) -> tuple[int, int, int]:
    """Split one Hangul syllable into (initial, medial, final) table indexes."""
    code = ord(syllable) - _BASE
    if not 0 <= code <= _LAST - _BASE:
        raise ValueError(f"not a Hangul syllable: {syllable!r}")
    initial, rest = divmod(code, _MEDIAL_COUNT * _FINAL_COUNT)
    medial, final = divmod(rest, _FINAL_COUNT)
    return initial, medial, final


def _syllable_alone(char: str) -> str:
    initial, medial, final = decompose(char)
    return INITIALS[initial] + MEDIALS[medial] + _FINAL_SOUND[_FINAL_JAMO[final]]


def _word(syllables: str) -> str:
    """Romanise a run of Hangul syllables with the sound changes between them."""
    parts = [decompose(c) for c in syllables]
    onsets = [INITIALS[i] for i, _, _ in parts]
    codas = [_FINAL_SOUND[_FINAL_JAMO[f]] for _, _, f in parts]
    for k in range(len(parts) - 1):
        final = _FINAL_JAMO[parts[k][2]]
        nxt_initial = _INITIAL_JAMO[parts[k + 1][0]]
        nxt_medial = MEDIALS[parts[k + 1][1]]
        coda, onset = codas[k], onsets[k + 1]
        if not final:
            pass  # an initial ㄹ between vowels stays r, everything else is as written
        elif nxt_initial == "ㅇ":  # liaison: the final moves on to the vowel
            if final == "ㅇ":
                pass
            elif final == "ㅎ":
                coda, onset = "", ""
            elif final in _SPLIT:
                coda, onset = _SPLIT[final]
            else:
                coda, onset = "", _CARRIED[final]
                if final in ("ㄷ", "ㅌ") and nxt_medial == "i":  # palatalisation: 굳이, 같이
                    onset = "j" if final == "ㄷ" else "ch"
        elif final in ("ㅎ", "ㄶ", "ㅀ") and nxt_initial in _ASPIRATED:  # 좋고 joko
            coda, onset = {"ㅎ": "", "ㄶ": "n", "ㅀ": "l"}[final], _ASPIRATED[nxt_initial]
        elif final in ("ㅎ", "ㄶ") and nxt_initial == "ㄴ":  # 놓는 nonneun
            coda = "n"
        elif final == "ㅀ" and nxt_initial == "ㄴ":  # 뚫는 ttulleun
            coda, onset = "l", "l"
        elif nxt_initial in ("ㄴ", "ㅁ") and coda in _NASAL:  # 백마 baengma, 앞니 amni
            coda = _NASAL[coda]
        elif nxt_initial == "ㄹ":
            if coda in ("l", "n"):  # 신라 silla, 별로 byeollo
                coda, onset = "l", "l"
            elif coda in ("m", "ng"):  # 종로 jongno, 침략 chimnyak
                onset = "n"
            elif coda in _NASAL:  # 국립 gungnip, 협력 hyeomnyeok
                coda, onset = _NASAL[coda], "n"
        elif nxt_initial == "ㄴ" and coda == "l":  # 설날 seollal
            onset = "l"
        codas[k], onsets[k + 1] = coda, onset
    return "".join(o + MEDIALS[m] + c for o, (_, m, _), c in zip(onsets, parts, codas, strict=True))


def _runs(text: str):
    """Yield (is_hangul, chunk) runs of `text`."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or is_hangul_syllable(text[i]) != is_hangul_syllable(text[start]):
            yield is_hangul_syllable(text[start]), text[start:i]
            start = i


def romanize(text: str) -> str:
    """Romanise Hangul in `text` with the standard's sound changes; other characters pass.

    Each run of adjacent syllables is one word for the rules: 신라 -> silla, 종로 -> jongno.
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(_word(chunk) if hangul else chunk for hangul, chunk in _runs(text) if chunk)


def romanize_given_name(name: str) -> str:
    """Romanise a given name syllable by syllable, without hyphens or sound changes.

    The standard (제3장 제4항) leaves sound changes in given names unwritten: 복남 -> boknam,
    빛나 -> bitna, 슬아 -> seula. Non-Hangul characters pass through unchanged.
    """
    name = unicodedata.normalize("NFC", name)
    return "".join(_syllable_alone(c) if is_hangul_syllable(c) else c for c in name)


def romanize_surname(surname: str, overrides: Mapping[str, str] | None = None) -> str:
    """The usual spelling of a Hangul surname (김 -> Kim), an org's override first.

    Surnames missing from the table are romanised by the standard.
    """
    surname = unicodedata.normalize("NFC", surname.strip())
    if overrides and surname in overrides:
        return overrides[surname]
    if surname in SURNAME_SPELLINGS:
        return SURNAME_SPELLINGS[surname]
    return romanize(surname).capitalize()


def split_korean_name(full: str) -> tuple[str, str]:
    """Split a Korean full name written in one cell into (family, given).

    "김민지" -> ("김", "민지"); "남궁민수" -> ("남궁", "민수"); "김 민지" -> ("김", "민지").
    A name of three or more syllables starting with a two-syllable surname takes it (선우정아);
    a roster can always give the family name in its own column to settle a rare ambiguity.
    """
    full = unicodedata.normalize("NFC", full).strip()
    if " " in full:
        family, _, given = full.partition(" ")
        return family, given.strip()
    if len(full) >= 3 and full[:2] in COMPOUND_SURNAMES:
        return full[:2], full[2:]
    if len(full) >= 2:
        return full[:1], full[1:]
    return "", full

"""Accent-insensitive folding of Vietnamese text for search ("Nguyen" finds "Nguyễn")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean_name(value: str) -> str:
    """Canonical spelling for storage: NFC, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


# The Vietnamese alphabet in dictionary order: ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_RANK = {letter: chr(0x41 + i) for i, letter in enumerate(_ALPHABET)}
# Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_TONES = frozenset(_TONE_RANK)


def _letters_and_tones(word: str) -> tuple[str, str]:
    """Primary key (letters ranked as in the Vietnamese alphabet) and secondary key (tones)."""
    letters, tones = [], []
    for syllable_char in unicodedata.normalize("NFC", word.lower()):
        parts = unicodedata.normalize("NFD", syllable_char)
        tone = next((c for c in parts if c in _TONES), None)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        letters.append(_LETTER_RANK.get(base, base))
        tones.append(_TONE_RANK[tone] if tone else "0")
    return "".join(letters), "".join(tones)


def sort_key(full_name: str) -> str:
    """Vietnamese order for lists: by given name (the last word), then the whole name.

    Letters compare in the order of the Vietnamese alphabet (so "Đức" follows "Dũng"), then the
    tones (a, à, ả, ã, á, ạ). The key is compared bytewise (column collation "C").
    """
    words = clean_name(full_name).split(" ")
    given = _letters_and_tones(words[-1])
    full = [_letters_and_tones(w) for w in words]
    primary = " ".join(p for p, _ in full)
    secondary = " ".join(t for _, t in full)
    return f"{given[0]} {primary}\x01{given[1]} {secondary}"

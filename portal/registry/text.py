"""Accent-insensitive folding of Vietnamese text for search ("Nguyen" finds "Nguyễn")."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean_name(value: str) -> str:
    """Canonical spelling for storage: NFC, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def sort_key(full_name: str) -> str:
    """Vietnamese order: by given name (the last word), then the whole name, accents folded."""
    folded = fold(full_name)
    return f"{folded.rsplit(' ', 1)[-1]} {folded}"

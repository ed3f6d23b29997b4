"""Sentence text as tokens: folded words with their character spans (pure).

Folding lowercases, strips accents ("Maiquetía" -> "maiquetia") and drops possessives
("Caracas'", "Moscow's"), so gazetteer phrases are looked up as tuples of folded words.
Each token remembers whether it was written with a capital, and whether an earlier
extraction (a date, a type, a code) has already used it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: A word: letters and digits, with inner hyphens or apostrophes ("An-124", "people's").
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase without accents; curly apostrophes made straight."""
    text = text.replace("’", "'").replace("‘", "'")
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if not unicodedata.combining(c)).lower()


def phrase_key(text: str) -> tuple[str, ...]:
    """The folded words of a name, as a gazetteer key ("U.S." -> ("u", "s"))."""
    out: list[str] = []
    for m in _WORD.finditer(fold(text)):
        word = m.group(0)
        if word.endswith("'s"):
            word = word[:-2]
        out.extend(p for p in re.split(r"[-']", word) if p)
    return tuple(out)


@dataclass
class Token:
    """One word of the sentence: its folded form, span in the sentence, capitalised or not."""

    word: str
    start: int
    end: int
    capital: bool
    used: bool = False


def tokens(sentence: str) -> list[Token]:
    """The sentence's words, hyphenated and possessive forms split into folded parts."""
    out: list[Token] = []
    for m in _WORD.finditer(sentence):
        raw = m.group(0)
        pos = m.start()
        for part in re.split(r"([-'’])", raw):
            if part in ("-", "'", "’") or not part:
                pos += len(part)
                continue
            word = fold(part)
            if not (word == "s" and pos > 0 and sentence[pos - 1] in "'’"):
                out.append(Token(word, pos, pos + len(part), part[:1].isupper()))
            pos += len(part)
    return out


def mark_used(toks: list[Token], start: int, end: int) -> None:
    """Mark the tokens inside a character span as used by an extraction."""
    for t in toks:
        if t.start >= start and t.end <= end:
            t.used = True

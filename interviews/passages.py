"""Which passages two similar answers share, for the side-by-side view.

A word is marked shared when it lies in a run of ``SHINGLE_WORDS`` words that the other
text has too: the same runs the similarity (``sheets.similarity``) is the Jaccard index
of, so what is marked is what the percentage counts, wherever in the other text the run
is (a reordered sentence is still marked). Unmarked words are the differences.

Linear in the length of the texts: one pass to find the words, a set of runs per text,
one pass to mark. Past ``MAX_CHARS`` a text is shown without marks and said to be cut.
"""

import re
import unicodedata
from dataclasses import dataclass

from .sheets.similarity import SHINGLE_WORDS

# Far above any answer an import keeps; a bound on the work of one page view.
MAX_CHARS = 100_000

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Piece:
    text: str
    shared: bool


@dataclass(frozen=True)
class Marked:
    """A text in pieces, shared or not, in order; ``cut``: only the first ``MAX_CHARS``
    characters were compared (the rest is the last, unmarked piece)."""

    pieces: tuple[Piece, ...]
    cut: bool

    @property
    def shared_share(self) -> float:
        """The share of the characters marked shared (0 for an empty text)."""
        total = sum(len(p.text) for p in self.pieces)
        return sum(len(p.text) for p in self.pieces if p.shared) / total if total else 0.0


def mark_shared(text: str, other: str) -> tuple[Marked, Marked]:
    """``text`` and ``other``, each with the passages the other one has too marked."""
    text, other = text or "", other or ""
    words, other_words = _words(text[:MAX_CHARS]), _words(other[:MAX_CHARS])
    common = _runs(words) & _runs(other_words)
    return _marked(text, words, common), _marked(other, other_words, common)


def _fold(word: str) -> str:
    # As the similarity folds a word: case, compatibility forms, ё = е; "_" is markdown.
    return unicodedata.normalize("NFKC", word).casefold().replace("ё", "е").strip("_")


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of ``text``."""
    found = []
    for match in _WORD.finditer(text):
        folded = _fold(match.group())
        if folded:
            found.append((match.start(), match.end(), folded))
    return found


def _runs(words) -> set[tuple[str, ...]]:
    size = SHINGLE_WORDS
    return {tuple(w for _s, _e, w in words[i : i + size]) for i in range(len(words) - size + 1)}


def _marked(text: str, words, common) -> Marked:
    size = SHINGLE_WORDS
    shared = bytearray(len(words))
    for i in range(len(words) - size + 1):
        if tuple(w for _s, _e, w in words[i : i + size]) in common:
            shared[i : i + size] = b"\x01" * size
    pieces: list[Piece] = []
    position = 0
    i = 0
    while i < len(words):
        if not shared[i]:
            i += 1
            continue
        # A run of shared words, with the spaces and punctuation between them.
        j = i
        while j + 1 < len(words) and shared[j + 1]:
            j += 1
        start, end = words[i][0], words[j][1]
        if start > position:
            pieces.append(Piece(text[position:start], False))
        pieces.append(Piece(text[start:end], True))
        position = end
        i = j + 1
    if position < len(text):
        pieces.append(Piece(text[position:], False))
    return Marked(tuple(pieces), cut=len(text) > MAX_CHARS)

"""How alike two answers to the same question are: a hint that one was copied.

Pure functions (no Django). The similarity that is shown and filtered on is the exact
Jaccard similarity of the word 3-shingles of two normalised texts. MinHash signatures
(datasketch) and their LSH band hashes only find the candidates worth that exact check:
two answers whose similarity is at or above ``THRESHOLD`` share at least one band hash
with high probability, so a table of ``(band hash)`` rows with an index finds a new
answer's likely neighbours without reading every answer.

Two kinds of answer are never judged: short ones ("Да", "Нет опыта", one line), which
many people write alike, and the part of an answer that quotes the question, which is
removed before comparing (two answers that only repeat the question are short).
"""

import functools
import hashlib
import re
import struct
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 3
# Fewer own shingles than this (about a dozen words once the question is taken out) is a
# short answer: common phrasings would make unrelated people look alike.
MIN_SHINGLES = 10
# Chosen on tests/data/similarity/tuning.yaml by bench/similarity_quality.py: the highest
# threshold with the best F1 there. At scale nearly every pair is independent, so a lower
# threshold multiplies false flags of honest candidates; checked on holdout.yaml.
THRESHOLD = 0.25

# LSH: BANDS bands of ROWS MinHash values. A pair of similarity s shares a band with
# probability 1 - (1 - s**ROWS) ** BANDS: 0.87 at THRESHOLD, 0.94 at 0.3, 0.999 at 0.45,
# 0.28 at 0.1 (docs/benchmarks.md, "Copied answers" and "Copied answers at scale"). Each
# band is a row per answer in the table the lookup reads: 64 bands (0.98 at THRESHOLD)
# doubled the rows and the lookup's reads for copies that are borderline anyway; three
# rows a band would need about 260 bands for 0.98.
ROWS = 2
BANDS = 32
NUM_PERM = ROWS * BANDS
# Fixed, so that band hashes written today still match those computed next year.
SEED = 19

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})", re.MULTILINE)
_PROSE_WORD = re.compile(r"\w+")
# In code an operator or a bracket is part of the meaning; in prose it is punctuation.
_CODE_TOKEN = re.compile(r"\w+|[^\w\s]")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def _prose_words(text: str) -> list[str]:
    # "_" is a word character, and also markdown's emphasis marker.
    return [w for w in (m.strip("_") for m in _PROSE_WORD.findall(text)) if w]


def _code_tokens(text: str) -> list[str]:
    return _CODE_TOKEN.findall(text)


def words(text: str) -> list[str]:
    """The answer as a list of words: case, whitespace, punctuation and markdown markers
    folded; fenced code kept with its operators. Inline code is read as prose: whether a
    name is wrapped in backticks is a matter of markup, not of what was written."""
    text = _fold(text or "")
    tokens: list[str] = []
    in_fence = False
    start = 0
    # Fences alternate open/close; an unclosed fence runs to the end, as in CommonMark.
    for fence in _FENCE.finditer(text):
        chunk = text[start : fence.start()]
        tokens += _code_tokens(chunk) if in_fence else _prose_words(chunk)
        line_end = text.find("\n", fence.end())
        # The info string after an opening fence (the language) is not the answer.
        start = len(text) if line_end < 0 else line_end + 1
        in_fence = not in_fence
    chunk = text[start:]
    tokens += _code_tokens(chunk) if in_fence else _prose_words(chunk)
    return tokens


def normalise(text: str) -> str:
    return " ".join(words(text))


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The set of runs of ``size`` consecutive words (a shorter text has none)."""
    return _shingle_set(words(text), size)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Fingerprint:
    """An answer's own shingles (the question's taken out) and its LSH band hashes."""

    shingles: frozenset[str]
    bands: tuple[int, ...]

    @property
    def judged(self) -> bool:
        return len(self.shingles) >= MIN_SHINGLES


def own_words(answer: str, question: str = "") -> list[str]:
    """The answer's words without those in runs of SHINGLE_WORDS words that the question
    also has: a quoted question (whole, in part, or worded into the first sentence)."""
    answer_words = words(answer)
    quoted = shingles(question)
    size = SHINGLE_WORDS
    drop = bytearray(len(answer_words))
    for i in range(len(answer_words) - size + 1):
        if " ".join(answer_words[i : i + size]) in quoted:
            drop[i : i + size] = b"\x01" * size
    return [w for w, dropped in zip(answer_words, drop, strict=True) if not dropped]


def _shingle_set(w: list[str], size: int = SHINGLE_WORDS) -> frozenset[str]:
    return frozenset(" ".join(w[i : i + size]) for i in range(len(w) - size + 1))


def own_shingles(answer: str, question: str = "") -> frozenset[str]:
    """The shingles the answer's similarity is measured on (what ``fingerprint`` keeps),
    without the cost of its band hashes: for the exact comparison of two texts."""
    return _shingle_set(own_words(answer, question))


def fingerprint(answer: str, question: str = "") -> Fingerprint:
    return fingerprints([(answer, question)])[0]


def fingerprints(texts: Sequence[tuple[str, str]]) -> list[Fingerprint]:
    """``fingerprint`` of each (answer, question) of ``texts``: a sheet's answers hashed
    together. Short answers are not hashed."""
    owns = [own_shingles(answer, question) for answer, question in texts]
    bands = many_band_hashes([own if len(own) >= MIN_SHINGLES else () for own in owns])
    return [Fingerprint(own, b) for own, b in zip(owns, bands, strict=True)]


def band_hashes(own: Collection[str]) -> tuple[int, ...]:
    """One signed 64-bit integer per band (a PostgreSQL bigint), the band's number mixed
    in so that equal values in different bands never meet."""
    return many_band_hashes([own])[0]


def many_band_hashes(sets: Sequence[Collection[str]]) -> list[tuple[int, ...]]:
    """``band_hashes`` of each of ``sets`` (shingle sets), in one numpy pass over all their
    shingles: the import computes a whole sheet's at once, where a MinHash object per
    answer cost as much as the parse. The values are datasketch's MinHash (affine32
    scheme: SHA-1's first 4 bytes, the MurmurHash3 finalizer, then ``a * h + b`` modulo
    2**32 with its permutations for SEED), so hashes stored before stay valid; an empty
    set has no bands."""
    sizes = [len(own) for own in sets]
    total = sum(sizes)
    if not total:
        return [() for _ in sets]
    a, b = _permutations()
    sha1 = hashlib.sha1
    # SHA-1's first 4 bytes read little-endian: datasketch's sha1_hash32.
    digests = b"".join(sha1(shingle.encode()).digest()[:4] for own in sets for shingle in own)
    hashed = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    hashed = _fmix32(hashed)
    owner = np.repeat(np.arange(len(sets)), sizes)
    signatures = np.full((len(sets), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    # A bounded matrix (rows x NUM_PERM) at a time, whatever the size of the sheet.
    for start in range(0, total, _ROWS_AT_ONCE):
        part = hashed[start : start + _ROWS_AT_ONCE, None] * a + b
        owners = owner[start : start + _ROWS_AT_ONCE]
        firsts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ids = owners[firsts]
        signatures[ids] = np.minimum(signatures[ids], np.minimum.reduceat(part, firsts, axis=0))
    raw = signatures.tobytes()
    step, width = ROWS * signatures.itemsize, NUM_PERM * signatures.itemsize
    blake2b = hashlib.blake2b
    judged = [i for i, size in enumerate(sizes) if size]
    # The band's number, then its ROWS values as bytes, as the first version hashed them.
    digests = b"".join(
        blake2b(_BAND_PREFIX[band] + raw[start : start + step], digest_size=8).digest()
        for i in judged
        for band, start in enumerate(range(i * width, (i + 1) * width, step))
    )
    # Each digest read as a big-endian signed integer.
    values = np.frombuffer(digests, dtype=">i8").reshape(len(judged), BANDS).tolist()
    result: list[tuple[int, ...]] = [() for _ in sets]
    for i, bands in zip(judged, values, strict=True):
        result[i] = tuple(bands)
    return result


_PACKED = f">{BANDS}q"


def pack_bands(bands: Sequence[int]) -> bytes | None:
    """An answer's band hashes as stored with it (Answer.fingerprint): BANDS big-endian
    signed 64-bit integers; None for a short answer, which has none."""
    return struct.pack(_PACKED, *bands) if bands else None


def unpack_bands(data: bytes | memoryview | None) -> tuple[int, ...]:
    """``pack_bands`` read back; () for None."""
    return struct.unpack(_PACKED, bytes(data)) if data else ()


# Shingles hashed against every permutation at once: 8192 x 64 x 4 bytes, 2 MB.
_ROWS_AT_ONCE = 8192
_BAND_PREFIX = [band.to_bytes(2, "big") for band in range(BANDS)]
_FMIX = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch mixes a hash before permuting it."""
    s1, m1, s2, m2, s3 = _FMIX
    h = h ^ (h >> np.uint32(s1))
    h = h * np.uint32(m1)
    h = h ^ (h >> np.uint32(s2))
    h = h * np.uint32(m2)
    return h ^ (h >> np.uint32(s3))


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    # Imported here, not with the module: datasketch's package imports scipy (about half a
    # second), which every process that loads the app would pay without hashing anything.
    from datasketch import MinHash

    # datasketch draws its permutations from the seed: taken once from a MinHash.
    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Exact Jaccard similarity of two answers' own shingles; 0 if either is short."""
    if not (a.judged and b.judged):
        return 0.0
    return jaccard(a.shingles, b.shingles)


def is_similar(a: Fingerprint, b: Fingerprint, threshold: float = THRESHOLD) -> bool:
    return similarity(a, b) >= threshold


def candidate_probability(s: float, rows: int = ROWS, bands: int = BANDS) -> float:
    """The LSH S-curve: chance that two answers of similarity s share a band hash."""
    return 1 - (1 - s**rows) ** bands

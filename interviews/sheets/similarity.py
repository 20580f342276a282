"""How alike two answers to the same question are: a hint that one was copied.

Pure functions (no Django). The similarity that is shown and filtered on is the exact
Jaccard similarity of the word 3-shingles of two normalised texts. MinHash signatures
(datasketch's affine32 scheme, computed here with numpy; the tests compare them with
datasketch's own) and their LSH band hashes only find the candidates worth that exact check:
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
# A run of word characters without the underscores at its ends: "_" is a word character,
# and also markdown's emphasis marker ("_просто_" is "просто", "x_1" stays).
_PROSE_WORD = re.compile(r"[^\W_](?:\w*[^\W_])?")
_WORD = re.compile(r"\w+")
# In code an operator or a bracket is part of the meaning; in prose it is punctuation.
_CODE_TOKEN = re.compile(r"\w+|[^\w\s]")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def _prose_words(text: str) -> list[str]:
    # Without an underscore the plain \w+ finds the same words, a third faster.
    return (_PROSE_WORD if "_" in text else _WORD).findall(text)


def _code_tokens(text: str) -> list[str]:
    return _CODE_TOKEN.findall(text)


def words(text: str) -> list[str]:
    """The answer as a list of words: case, whitespace, punctuation and markdown markers
    folded; fenced code kept with its operators. Inline code is read as prose: whether a
    name is wrapped in backticks is a matter of markup, not of what was written."""
    return _words_folded(_fold(text or ""))


def _words_folded(text: str) -> list[str]:
    if "```" not in text and "~~~" not in text:
        return _prose_words(text)
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
    return [Fingerprint(own, b) for own, b in zip(owns, sheet_bands(texts), strict=True)]


def sheet_bands(texts: Sequence[tuple[str, str]]) -> list[tuple[int, ...]]:
    """The band hashes of each (answer, question) of ``texts`` (a sheet's answers), the
    quoted question taken out; () for a short answer. What the import's workers compute
    for every answer: no shingle is built as a string, the words are hashed once each
    (a cache keeps the frequent ones) and everything after is a few numpy passes over the
    whole sheet, so that the cost is a fraction of the parse's."""
    signatures, judged = _signatures(texts)
    result: list[tuple[int, ...]] = [() for _ in texts]
    if len(judged):
        for i, bands in zip(judged.tolist(), _band_values(signatures).tolist(), strict=True):
            result[i] = tuple(bands)
    return result


def sheet_fingerprints(texts: Sequence[tuple[str, str]]) -> list[bytes | None]:
    """``sheet_bands`` as ``pack_bands`` stores them, packed straight from the arrays: what
    the import's workers send back, bytes being cheaper to pass between processes than
    tuples of integers."""
    signatures, judged = _signatures(texts)
    result: list[bytes | None] = [None] * len(texts)
    raw = _band_values(signatures).astype(">i8").tobytes()
    width = 8 * BANDS
    for n, i in enumerate(judged.tolist()):
        result[i] = raw[n * width : (n + 1) * width]
    return result


def band_hashes(own: Collection[str]) -> tuple[int, ...]:
    """The band hashes of one set of shingles ("w1 w2 w3" strings); () if it is short."""
    if len(own) < MIN_SHINGLES:
        return ()
    ids = np.array([[_WORD_IDS[w] for w in shingle.split(" ")] for shingle in own], np.uint64)
    keys = _shingle_key(ids[:, 0], ids[:, 1], ids[:, 2])
    signature = _minhash(keys, np.zeros(len(keys), dtype=np.intp), 1)
    return tuple(_band_values(signature)[0].tolist())


def shingle_hash32(shingle: bytes) -> int:
    """The 32-bit hash of one shingle ("w1 w2 w3", UTF-8) that the MinHash permutes: what
    datasketch's ``MinHash(hashfunc=...)`` would be given to compute the same signature."""
    ids = np.array([[_word_id(w) for w in shingle.decode().split(" ")]], np.uint64)
    return int(_shingle_key(ids[:, 0], ids[:, 1], ids[:, 2])[0]) >> 32


def _signatures(texts: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (judged answers x NUM_PERM) of ``texts`` and the indexes of the
    judged answers (those with MIN_SHINGLES own shingles or more)."""
    if len(texts) > _MAX_ANSWERS:  # the answer's number must fit in its 24 bits below
        parts = [
            _signatures(texts[i : i + _MAX_ANSWERS]) for i in range(0, len(texts), _MAX_ANSWERS)
        ]
        return (
            np.concatenate([signatures for signatures, _judged in parts]),
            np.concatenate([judged + n * _MAX_ANSWERS for n, (_s, judged) in enumerate(parts)]),
        )
    word_ids, owner, order = _word_ids([answer for answer, _question in texts])
    if not len(word_ids):
        return np.zeros((0, NUM_PERM), dtype=np.uint32), np.zeros(0, dtype=np.intp)
    # From here on an answer is known by its place in ``order``.
    texts = [texts[i] for i in order]
    keys, starts = _keys(word_ids, owner)
    hit = _quoted(texts, keys, owner[starts])
    if len(hit):
        # The runs of SHINGLE_WORDS words that the answer's own question has go, word by
        # word, before the answer's shingles are made (as own_words does with strings).
        hit = starts[hit]
        drop = np.zeros(len(word_ids), dtype=bool)
        for offset in range(SHINGLE_WORDS):
            drop[hit + offset] = True
        word_ids, owner = word_ids[~drop], owner[~drop]
        keys, starts = _keys(word_ids, owner)
    if not len(keys):
        return np.zeros((0, NUM_PERM), dtype=np.uint32), np.zeros(0, dtype=np.intp)
    owners = owner[starts]
    # How many distinct shingles each answer has: a short answer is not judged. One sort
    # for the whole batch, of the answer's number (24 bits) above the key's low 40 bits:
    # two shingles of one answer alike in 40 bits are a chance of one in 10**12 a pair
    # (an answer's count one short at the MIN_SHINGLES edge, at worst).
    tagged = (owners.astype(np.uint64) << _TAG_SHIFT) | (keys & _TAG_KEY)
    tagged.sort()
    distinct = np.ones(len(tagged), dtype=bool)
    distinct[1:] = tagged[1:] != tagged[:-1]
    counts = np.bincount((tagged[distinct] >> _TAG_SHIFT).astype(np.intp), minlength=len(texts))
    is_judged = counts >= MIN_SHINGLES
    judged = np.flatnonzero(is_judged)
    kept = is_judged[owners]
    # Each judged answer's row in the signatures: its rank among the judged.
    row = np.cumsum(is_judged) - 1
    return _minhash(keys[kept], row[owners[kept]], len(judged)), order[judged]


def _word_ids(answers: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ids of the words of ``answers``, the number of the answer each belongs to, and
    the order of the answers (for the numbers): those without fenced code first, all
    tokenised by a regex pass over their joined text (those without an underscore by
    one, the others by another: see _prose_words), then the others one by one."""
    folded = [_fold(answer or "") for answer in answers]
    has_code = ["```" in text or "~~~" in text for text in folded]
    fenced = [i for i, code in enumerate(has_code) if code]
    word_id = _WORD_IDS.__getitem__
    separator = word_id(_SEPARATOR.strip())
    ids: list[int] = []
    plain: list[int] = []
    for underscore in (False, True):
        group = [
            i for i, code in enumerate(has_code) if not code and ("_" in folded[i]) == underscore
        ]
        if group:
            # _SEPARATOR is upper case: no folded text has it.
            ids += map(word_id, _prose_words(_SEPARATOR.join(folded[i] for i in group)))
            ids.append(separator)
            plain += group
    split = len(ids)
    lengths = []
    for i in fenced:
        found = list(map(word_id, _words_folded(folded[i])))
        ids += found
        lengths.append(len(found))
    if len(_WORD_IDS) > _WORD_IDS_KEPT:
        _WORD_IDS.clear()
    word_ids = np.array(ids, dtype=np.uint64)
    # The plain answers' words are numbered by the separators before them.
    is_separator = word_ids[:split] == np.uint64(separator)
    plain_owner = np.cumsum(is_separator) - is_separator
    keep = np.ones(len(word_ids), dtype=bool)
    keep[:split] = ~is_separator
    owner = np.concatenate([plain_owner, np.repeat(np.arange(len(plain), len(answers)), lengths)])[
        keep
    ]
    return word_ids[keep], owner, np.array(plain + fenced, dtype=np.intp)


# Between two answers tokenised together: a word no folded text has.
_SEPARATOR = " Z "


def _quoted(texts: Sequence[tuple[str, str]], keys: np.ndarray, owners: np.ndarray):
    """Indexes of ``keys`` (shingle keys of the answers ``owners``) that the answer's own
    question has. Each key is salted with the number of its answer's question (a batch
    has a few questions), so that one sorted search serves the whole batch."""
    numbers: dict[str, int] = {}
    question_of = np.array(
        [numbers.setdefault(question, len(numbers)) for _answer, question in texts],
        dtype=np.intp,
    )
    asked = [(n, _question_keys(question)) for question, n in numbers.items()]
    asked = [(n, found) for n, found in asked if len(found)]
    if not asked or not len(keys):
        return np.zeros(0, dtype=np.intp)
    salts = _salts(len(numbers))
    quoted = np.sort(np.concatenate([found ^ salts[n] for n, found in asked]))
    probe = keys ^ salts[question_of[owners]]
    # Only the keys whose low 16 bits some quoted key has are looked up: a few in a
    # hundred, where most answers quote nothing.
    low = np.zeros(1 << 16, dtype=bool)
    low[(quoted & _LOW).astype(np.intp)] = True
    maybe = np.flatnonzero(low[(probe & _LOW).astype(np.intp)])
    at = np.minimum(np.searchsorted(quoted, probe[maybe]), len(quoted) - 1)
    return maybe[quoted[at] == probe[maybe]]


def _keys(word_ids: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit key of every run of SHINGLE_WORDS words within one answer, and the index
    of each run's first word."""
    last = len(word_ids) - SHINGLE_WORDS + 1
    if last <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(owner[:last] == owner[SHINGLE_WORDS - 1 :])
    return (
        _shingle_key(word_ids[starts], word_ids[starts + 1], word_ids[starts + 2]),
        starts,
    )


def _minhash(keys: np.ndarray, rows: np.ndarray, count: int) -> np.ndarray:
    """datasketch's MinHash (affine32 scheme) of each row's shingle keys: the key's high
    32 bits are the shingle's hash (``shingle_hash32``), mixed by MurmurHash3's finalizer,
    then ``a * h + b`` modulo 2**32 for each of its permutations for SEED; the minimum per
    row. ``rows`` is non-decreasing. A bounded matrix at a time, whatever the sheet."""
    a, b = _permutations()
    a, b = a[:, None], b[:, None]
    hashed = _fmix32((keys >> np.uint64(32)).astype(np.uint32))
    # Permutations x shingles, so that each permutation's minimum per row reads one
    # contiguous run of memory.
    signatures = np.full((NUM_PERM, count), np.iinfo(np.uint32).max, dtype=np.uint32)
    buffer = np.empty((NUM_PERM, min(len(hashed), _ROWS_AT_ONCE)), dtype=np.uint32)
    for start in range(0, len(hashed), _ROWS_AT_ONCE):
        chunk = hashed[None, start : start + _ROWS_AT_ONCE]
        part = buffer[:, : chunk.shape[1]]
        np.multiply(a, chunk, out=part)
        np.add(part, b, out=part)
        owners = rows[start : start + _ROWS_AT_ONCE]
        firsts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ids = owners[firsts]
        signatures[:, ids] = np.minimum(
            signatures[:, ids], np.minimum.reduceat(part, firsts, axis=1)
        )
    signatures = np.ascontiguousarray(signatures.T)
    return signatures


def _band_values(signatures: np.ndarray) -> np.ndarray:
    """One signed 64-bit integer (a PostgreSQL bigint) per band of each signature: its
    ROWS values side by side, the band's own salt mixed in so that equal values in two
    bands never meet, through a bijection (so two bands' values differ when theirs do)."""
    pairs = signatures.reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    packed = (pairs[:, :, 0] << np.uint64(32)) | pairs[:, :, 1]
    return _mix64(packed ^ _BAND_SALTS).view(np.int64)


def _shingle_key(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
    """The keys of the shingles of three arrays of word ids, order-sensitive."""
    return _mix64(first * _K1 + second * _K2 + third)


def _mix64(h: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: a bijection on 64-bit integers that spreads every bit.
    (Arrays' products wrap modulo 2**64 silently, as meant.)"""
    h = (h ^ (h >> _S30)) * _M1
    h = (h ^ (h >> _S27)) * _M2
    return h ^ (h >> _S31)


def _salts(count: int) -> np.ndarray:
    """A distinct 64-bit salt for each of ``count`` numbers (the questions of a batch)."""
    return _SALTS[:count] if count <= len(_SALTS) else _salt(np.arange(count))


def _salt(values: np.ndarray) -> np.ndarray:
    return _mix64(values.astype(np.uint64) + np.uint64(1))


_LOW = np.uint64(0xFFFF)
_TAG_SHIFT = np.uint64(40)
_MAX_ANSWERS = 1 << 24
_TAG_KEY = np.uint64((1 << 40) - 1)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_BAND_SALTS = _salt(np.arange(BANDS, dtype=np.uint64))
# Salts of the questions of a batch (more are made for a batch with more).
_SALTS = _salt(np.arange(4096, dtype=np.uint64))


def _word_id(word: str) -> int:
    """A word's 64-bit id (the first 8 bytes of its BLAKE2b digest), stable across
    processes and releases."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


class _WordIds(dict):
    """Word ids computed once per process: a sheet's words are mostly the language's
    common ones, and a lookup in C is ten times cheaper than the digest."""

    def __missing__(self, word: str) -> int:
        self[word] = found = _word_id(word)
        return found


_WORD_IDS = _WordIds()
# Emptied past this many words (~10 MB), so that a worker's memory stays bounded.
_WORD_IDS_KEPT = 1 << 16


@functools.lru_cache(maxsize=1024)
def _question_keys(question: str) -> np.ndarray:
    """The keys of a question's shingles: every sheet of a questionnaire quotes the same
    few questions."""
    ids = np.array([_word_id(word) for word in words(question)], dtype=np.uint64)
    keys, _starts = _keys(ids, np.zeros(len(ids), dtype=np.intp))
    keys.setflags(write=False)
    return keys


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
# Odd multipliers of the word ids in a shingle's key (the golden ratio's and another):
# "a b c" and "c b a" get different keys.
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
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
    """datasketch's affine32 permutations for SEED: the same draws from numpy's generator
    as ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")`` makes (the tests
    compare them), without importing datasketch, whose package imports scipy: about 0.7 s
    that each import worker process would pay before hashing anything."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


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

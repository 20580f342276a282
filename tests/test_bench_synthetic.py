"""The synthetic answer files of the import benchmark: people's answers rarely share LSH
bands, a few are copies; the first version's narrow files are the worst case."""

from collections import Counter

from bench.synthetic import WORDS, make_sheet
from interviews.sheets import analysis, similarity

SHEETS = 120


def fingerprints(narrow):
    found = []
    for i in range(SHEETS):
        sheet = analysis.analyse_bytes(make_sheet(i, narrow=narrow)[1], max_bytes=10**7).sheet
        found += similarity.fingerprints([(s.body, s.question_text) for s in sheet.sections])
    return [f for f in found if f.judged]


def shared_share(found):
    """The share of band hashes that more than one answer has."""
    counts = Counter(band for f in found for band in f.bands)
    return sum(n for n in counts.values() if n > 1) / sum(counts.values())


def test_realistic_answers_rarely_share_bands_and_some_are_copies():
    found = fingerprints(narrow=False)
    assert shared_share(found) < 0.03
    pairs = [
        (a, b)
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if set(a.bands) & set(b.bands) and similarity.is_similar(a, b)
    ]
    assert pairs


def test_narrow_files_are_the_worst_case():
    assert shared_share(fingerprints(narrow=True)) > 4 * shared_share(fingerprints(False))
    words = set(WORDS)
    _name, data = make_sheet(3, narrow=True)
    sheet = analysis.analyse_bytes(data, max_bytes=10**7).sheet
    prose = [w for s in sheet.sections for w in similarity.words(s.body.split("```")[0])]
    # Besides list numbers and the "**Ответ:**" of one of the layouts.
    assert prose and {w for w in prose if not w.isdigit()} - {"ответ"} <= words


def test_sheets_are_deterministic():
    assert make_sheet(7) == make_sheet(7)
    assert make_sheet(7) != make_sheet(7, narrow=True)

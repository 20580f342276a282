"""Full-text search over what candidates wrote: their answers, and the candidates and
applications those answers belong to.

On PostgreSQL an answer's question and body are kept as a ``tsvector`` (the generated
column ``Answer.search_vector``, GIN-indexed by migration 0005) with the ``russian``
configuration; queries use the ``websearch`` syntax people know from search engines
(``"exact phrase"``, ``-excluded``, ``or``), results are ranked and come with highlighted
fragments. The embedded SQLite demo database has none of that: there every word of the
query has to occur in the answer, case-insensitively, Cyrillic included.

ё and е are the same letter for the search: Russian text is written both ways.

Pure query functions: no requests, no HTML. The caller passes the rows the user may see
and turns the fragments' markers into markup after escaping the text
(``interviews.admin.search``).
"""

import json
import re
import string
from collections.abc import Iterable

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains

from .db.functions import CONFIG, Fold, fold, fold_yo

# Around the matched words of a fragment. Control characters, not markup: the text is
# escaped first and only then are these turned into <mark> (candidates' text is never
# trusted as HTML).
START = "\u0001"
STOP = "\u0002"

_FRAGMENT_LENGTH = 200  # characters of a fragment made in Python (SQLite)


# A websearch-like query: "phrase", -excluded, -"excluded phrase", or; anything else is
# a word.
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


def _parse(query: str) -> list[list[tuple[bool, str]]]:
    """The query as alternatives (split at ``or``), each a list of (excluded, folded text)
    that must all hold; mirrors websearch_to_tsquery for the fallback."""
    groups = [[]]
    for match in _TOKEN.finditer(query):
        excluded, phrase, word = match.groups()
        if phrase is None and not excluded and fold(word) == "or":
            if groups[-1]:
                groups.append([])
            continue
        text = " ".join(fold(phrase if phrase is not None else word).split())
        text = text.strip(string.punctuation + "«»„“”…")
        if text:
            groups[-1].append((bool(excluded), text))
    return [group for group in groups if group]


def _fallback_condition(query: str) -> Q:
    document = Fold(Concat("question_text", Value(" "), "body", output_field=TextField()))
    condition = Q()
    for group in _parse(query):
        alternative = Q()
        for excluded, text in group:
            contains = Q(Contains(document, text))
            alternative &= ~contains if excluded else contains
        condition |= alternative
    return condition


# -- queries ---------------------------------------------------------------------------


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(fold_yo(query), config=CONFIG, search_type="websearch")


class _WordsQuery(SearchQuery):
    """The words of a websearch query, wherever they stand: a phrase ("a b", "a-b") becomes
    all of its words. The GIN index answers that from its entries alone, while a phrase
    makes PostgreSQL read every row that has all the words to check their positions. A
    query that excludes something is left as it is (the words of an excluded phrase must
    not be excluded one by one). Constant-folded when the statement is planned."""

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = super().as_sql(compiler, connection, function, template)
        text = f"({sql})::text"
        return (
            f"(CASE WHEN {text} ~ '<[0-9-]+>' AND {text} !~ '!'"
            f" THEN regexp_replace({text}, '<[0-9-]+>', '&', 'g')::tsquery ELSE {sql} END)",
            [*params, *params, *params, *params],
        )


# A word of a query of plain words (and exclusions) only: no phrase, nothing PostgreSQL's
# parser would split into one (a hyphen, a dot, a plus...).
_PLAIN_WORD = re.compile(r"-?[^\W_]+")

# Answers with all of a phrase query's words that are checked for the phrase itself when
# matches are counted: past this, the count is an estimate from the ones checked. As many
# as a plain query counts exactly, so that both cost about the same.
PHRASE_CANDIDATES = 2_000


def count_matches(queryset: QuerySet, query: str, *, exact_up_to: int) -> tuple[int, bool]:
    """(how many answers of ``queryset`` match ``query``, whether that is an estimate), on
    PostgreSQL, for a query that matches something.

    Exact up to ``exact_up_to`` matches. A phrase query is checked on the answers that
    have all its words, found through the index, at most ``PHRASE_CANDIDATES`` of them:
    when there are more, the count is the share of those that match times PostgreSQL's
    estimate of the answers with the words. Other queries are counted up to
    ``exact_up_to + 1`` matches, then estimated by PostgreSQL.
    """
    plain = all(_PLAIN_WORD.fullmatch(word) for word in query.split())
    limit = exact_up_to + 1 if plain else PHRASE_CANDIDATES + 1
    candidates = queryset.filter(
        search_vector=_WordsQuery(fold_yo(query), config=CONFIG, search_type="websearch")
    ).order_by()
    if plain:
        # The words are the query: every candidate matches, none needs reading.
        checked = matched = candidates.values("pk")[:limit].count()
    else:
        inner, inner_params = candidates.values("search_vector").query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                # Django compiled the inner query; only a number is added to it.
                "SELECT count(*), count(*) FILTER ("  # noqa: S608
                " WHERE c.search_vector @@ websearch_to_tsquery(%s::regconfig, %s))"
                f" FROM ({inner} LIMIT {int(limit)}) c",
                (CONFIG, fold_yo(query), *inner_params),
            )
            checked, matched = cursor.fetchone()
    if checked < limit and matched <= exact_up_to:
        return matched, False
    if checked < limit:
        return matched, True
    plan = json.loads(candidates.explain(format="json"))
    estimate = round(matched / checked * int(plan[0]["Plan"]["Plan Rows"]))
    return max(matched, estimate), True


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _answer_condition(query: str, *, postgresql: bool) -> Q | None:
    """The condition on Answer rows for ``query``; None when the query has nothing to
    look for (blank)."""
    if not query.strip():
        return None
    if postgresql:
        # A query of stop words only ("и", "ещё") becomes an empty tsquery, which matches
        # nothing: PostgreSQL just logs a NOTICE.
        return Q(search_vector=_search_query(query))
    return _fallback_condition(query) if _parse(query) else None


def answers_matching(query: str, queryset: QuerySet | None = None) -> QuerySet:
    """The answers of ``queryset`` (default: all) that match ``query``, neither ranked
    nor reordered: for combining with other conditions (the admin's search)."""
    from .models import Answer

    if queryset is None:
        queryset = Answer.objects.all()
    condition = _answer_condition(query, postgresql=_is_postgresql(queryset))
    return queryset.none() if condition is None else queryset.filter(condition)


def search_answers(
    queryset: QuerySet, query: str, *, highlight: bool = True, ranked: bool = True
) -> QuerySet:
    """The answers of ``queryset`` that match ``query``, best first (``ranked``) or
    newest first.

    Ranking reads every matching answer's vector before the first row comes out: fine for
    a few thousand matches, seconds for a hundred thousand. Newest first stops at the
    page's last row.

    Each carries ``rank`` (None on SQLite, which cannot rank) and, with ``highlight`` on
    PostgreSQL, ``headline``: fragments of the body with the matches between START and
    STOP. On SQLite use ``with_headlines`` on the page of answers shown. A blank query
    matches nothing.
    """
    queryset = answers_matching(query, queryset)
    if not _is_postgresql(queryset):
        return queryset.annotate(rank=Value(None, output_field=FloatField())).order_by("pk")
    search_query = _search_query(query)
    queryset = queryset.annotate(rank=SearchRank(F("search_vector"), search_query))
    if highlight:
        # Over the body as written, not the folded text: the fragments quote the candidate.
        # PostgreSQL's Russian stemmer folds ё itself, so "ёлка" is still marked for "елка".
        queryset = queryset.annotate(
            headline=SearchHeadline(
                "body",
                search_query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=3,
                fragment_delimiter=" … ",
            )
        )
    return queryset.order_by("-rank", "pk") if ranked else queryset.order_by("-pk")


def with_headlines(answers: Iterable, query: str) -> list:
    """The answers, each with ``headline``: the one PostgreSQL made, or (SQLite) a fragment
    of the body around the first match, made here."""
    answers = list(answers)
    for answer in answers:
        if getattr(answer, "headline", None) is None:
            answer.headline = python_headline(answer.body, query)
    return answers


def python_headline(text: str, query: str, *, length: int = _FRAGMENT_LENGTH) -> str:
    """A fragment of ``text`` of about ``length`` characters around the first occurrence
    of a word of ``query``, every occurrence in it between START and STOP."""
    spans = _match_spans(text, query)
    start, end = _fragment_bounds(text, spans, length)
    pieces = ["…"] if start else []
    position = start
    for span_start, span_end in spans:
        if span_start < position or span_start >= end:
            continue  # overlaps the previous match, or past the fragment
        span_end = min(span_end, end)
        pieces += [text[position:span_start], START, text[span_start:span_end], STOP]
        position = span_end
    pieces.append(text[position:end])
    if end < len(text):
        pieces.append("…")
    return "".join(pieces)


def _match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of every occurrence of a word of ``query``, folded, in order."""
    terms = {term for group in _parse(query) for excluded, term in group if not excluded}
    folded_chars = [fold(char) for char in text]
    folded = "".join(folded_chars)
    # Index in ``text`` of every character of ``folded`` (casefold may lengthen: ß → ss).
    origin = [i for i, chars in enumerate(folded_chars) for _ in chars]
    return sorted(
        (origin[m.start()], origin[m.end() - 1] + 1)
        for term in terms
        for m in re.finditer(re.escape(term), folded)
    )


def _fragment_bounds(text: str, spans: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """Where the fragment starts and ends: the first match a third of the way in, cut at
    spaces so that it begins and ends with whole words."""
    start = 0
    if spans and spans[0][0] > length // 3:
        start = spans[0][0] - length // 3
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", max(start, spans[0][1] if spans else start), end)
        end = space if space != -1 else end
    return start, end


def candidates_matching(query: str, queryset: QuerySet | None = None) -> QuerySet:
    """The candidates of ``queryset`` (default: all) with an answer matching ``query``."""
    from .models import Answer, Candidate

    if queryset is None:
        queryset = Candidate.objects.all()
    condition = _answer_condition(query, postgresql=_is_postgresql(queryset))
    if condition is None:
        return queryset.none()
    # Exists, not a join: a candidate with many matching answers is listed once, and
    # PostgreSQL can hash the matching answers' candidates from the GIN index.
    answers = Answer.objects.filter(condition, submission__candidate=OuterRef("pk"))
    return queryset.filter(Exists(answers))


def applications_matching(query: str, queryset: QuerySet | None = None) -> QuerySet:
    """The applications of ``queryset`` (default: all) with an answer matching ``query``
    on a sheet that belongs to them: the candidate's sheets linked to the application or
    on its vacancy's questionnaire (the ones scoring would offer)."""
    from .models import Answer, Application

    if queryset is None:
        queryset = Application.objects.all()
    condition = _answer_condition(query, postgresql=_is_postgresql(queryset))
    if condition is None:
        return queryset.none()
    answers = Answer.objects.filter(
        condition,
        Q(submission__application=OuterRef("pk"))
        | Q(submission__questionnaire=OuterRef("vacancy__questionnaire_id")),
        submission__candidate=OuterRef("candidate_id"),
    )
    return queryset.filter(Exists(answers))


def filter_answers(queryset: QuerySet, *, questionnaire=None, question=None, vacancy=None):
    """Narrow answers to a questionnaire, a question and/or a vacancy. An answer belongs
    to a vacancy when its sheet is linked to an application for it, or when the candidate
    applied for it and the sheet is on the vacancy's questionnaire."""
    from .models import Application

    if questionnaire is not None:
        queryset = queryset.filter(submission__questionnaire=questionnaire)
    if question is not None:
        queryset = queryset.filter(question=question)
    if vacancy is not None:
        applied = Application.objects.filter(
            candidate=OuterRef("submission__candidate_id"), vacancy=vacancy
        )
        on_questionnaire = (
            Q(Exists(applied), submission__questionnaire_id=vacancy.questionnaire_id)
            if vacancy.questionnaire_id is not None
            else Q(pk__in=[])
        )
        queryset = queryset.filter(Q(submission__application__vacancy=vacancy) | on_questionnaire)
    return queryset

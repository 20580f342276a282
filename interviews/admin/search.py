"""Full-text search in the admin: the changelist searches of candidates, applications and
answers also look at what candidates wrote, and the "find answers" page lists the
matching answers themselves with the matches highlighted.

The queries are in ``interviews.search``; this module applies the row-level rules (it
always starts from the ModelAdmin's ``get_queryset``) and renders. Highlighted fragments
are escaped first; only then do the markers around the matches become ``<mark>``.
"""

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Exists, OuterRef, Value
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import roles, search
from ..models import Application, Question, Questionnaire, Vacancy
from ..rendering import plain_text
from .pagination import EstimatedCountPaginator

ANSWERS_PER_PAGE = 25


class SearchPaginator(EstimatedCountPaginator):
    """Counts the matches exactly up to ``exact_up_to``: so many are ranked best first;
    past that the count is an estimate and the newest come first
    (``search.count_matches``)."""

    exact_up_to = 2_000

    def __init__(self, object_list, per_page, *, query="", within=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.query = query
        self.within = within  # the answers searched, before the match

    @cached_property
    def count(self):
        if self.within is None or connections[self.within.db].vendor != "postgresql":
            return super().count
        count, self._estimated = search.count_matches(
            self.within, self.query, exact_up_to=self.exact_up_to
        )
        return count


# -- changelist searches ---------------------------------------------------------------


class _FullTextSearchMixin:
    """The changelist search finds a row by its ordinary search fields (names, e-mails:
    whatever ``get_search_fields`` leaves this user) OR by a full-text match in the
    candidates' answers."""

    # Ordinary search fields that the full-text match replaces: an ILIKE on the answers'
    # text OR-ed with the full-text match would scan the whole table on every search.
    replaced_search_fields = ()

    def full_text_matches(self, queryset, query):
        raise NotImplementedError

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return [f for f in fields if f not in self.replaced_search_fields]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        # Autocomplete widgets look for a name as it is typed, not for what people wrote.
        if not search_term.strip() or (match is not None and match.url_name == "autocomplete"):
            return results, may_have_duplicates
        # Both branches start from the same queryset, so the rows this user may not see
        # stay out. The full-text branch filters through Exists, which never repeats a
        # row: whether duplicates are possible is still up to the field search.
        return results | self.full_text_matches(queryset, search_term), may_have_duplicates


class CandidateSearchMixin(_FullTextSearchMixin):
    def full_text_matches(self, queryset, query):
        return search.candidates_matching(query, queryset)


class ApplicationSearchMixin(_FullTextSearchMixin):
    def full_text_matches(self, queryset, query):
        return search.applications_matching(query, queryset)


class AnswerSearchMixin(_FullTextSearchMixin):
    replaced_search_fields = ("body", "question_text")

    def full_text_matches(self, queryset, query):
        return search.answers_matching(query, queryset)


# -- the find-answers page -------------------------------------------------------------


class _QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.questionnaire} · {obj}"


class FindAnswersForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search for"), required=False, max_length=500)
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("questionnaire"),
        queryset=Questionnaire.objects.order_by("title", "id"),
        required=False,
        empty_label=gettext_lazy("All questionnaires"),
    )
    question = _QuestionChoiceField(
        label=gettext_lazy("question"),
        queryset=Question.objects.select_related("questionnaire").order_by(
            "questionnaire__title", "questionnaire_id", "position", "id"
        ),
        required=False,
        empty_label=gettext_lazy("All questions"),
    )
    vacancy = forms.ModelChoiceField(
        label=gettext_lazy("vacancy"),
        queryset=Vacancy.objects.order_by("title", "id"),
        required=False,
        empty_label=gettext_lazy("All vacancies"),
    )


def find_answers_view(request, model_admin):
    """``?q=words&questionnaire=&question=&vacancy=&p=``: the answers this user may see
    that match, best first, ``ANSWERS_PER_PAGE`` a page. Costs the same number of queries
    whatever the number of results."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = FindAnswersForm(request.GET or None)
    query = ""
    page = None
    rows = []
    ranked = True
    if form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"]
        answers = search.filter_answers(
            model_admin.get_queryset(request),
            questionnaire=form.cleaned_data["questionnaire"],
            question=form.cleaned_data["question"],
            vacancy=form.cleaned_data["vacancy"],
        )
        # Counted on the matches alone, before the costly ordering is chosen; the ordered
        # rows replace them below, the count stays.
        paginator = SearchPaginator(
            search.answers_matching(query, answers), ANSWERS_PER_PAGE, query=query, within=answers
        )
        ranked = not paginator.count_is_estimate
        answers = (
            search.search_answers(answers, query, ranked=ranked)
            .select_related(
                "question",
                "submission__candidate",
                "submission__questionnaire",
                "submission__application__vacancy",
            )
            .defer(
                "search_vector",
                "submission__original_text",
                "submission__preamble",
                "submission__trailer",
                "submission__warnings",
            )
        )
        paginator.object_list = _with_application_visible(answers, request.user)
        page = paginator.get_page(request.GET.get("p"))
        rows = [
            {"answer": answer, "headline": highlight(plain_text(answer.headline, fragment=True))}
            for answer in search.with_headlines(page.object_list, query)
        ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Find answers"),
        "form": form,
        "query": query,
        "page": page,
        "rows": rows,
        "ranked": ranked,
    }
    return TemplateResponse(request, "admin/interviews/search/find_answers.html", context)


def _with_application_visible(answers, user):
    """Each answer with ``application_visible``: whether the user may open the application
    its sheet is linked to (interviewers only those they interview for)."""
    if not roles.is_interviewer_only(user):
        return answers.annotate(application_visible=Value(True))
    visible = roles.visible_applications(user, Application.objects.all())
    return answers.annotate(
        application_visible=Exists(visible.filter(pk=OuterRef("submission__application_id")))
    )


_MARKERS = re.compile(f"([{search.START}{search.STOP}])")


def highlight(fragment: str) -> SafeString:
    """``fragment`` escaped, with its matches (between ``search.START`` and ``search.STOP``)
    in ``<mark>``. The candidate's own text may contain the marker characters too: they
    can only ever open one ``<mark>`` at a time, and every one opened is closed."""
    pieces = []
    marking = False
    for piece in _MARKERS.split(fragment or ""):
        if piece == search.START:
            if not marking:
                pieces.append("<mark>")
            marking = True
        elif piece == search.STOP:
            if marking:
                pieces.append("</mark>")
            marking = False
        else:
            pieces.append(escape(piece))
    if marking:
        pieces.append("</mark>")
    # Safe: every piece of the candidate's text went through escape() above; the rest
    # are the two literal tags.
    return mark_safe("".join(pieces))  # noqa: S308

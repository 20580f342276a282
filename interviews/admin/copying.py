"""Copied answers in the admin: the badge on an answer that is much like another one, the
side-by-side view of the two, the report of similar pairs, the submissions' filter and
the known sources HR adds.

Finding and storing the pairs is ``interviews.copying``'s; this module reads them. Who
may learn what is ``roles.sees_copied_answers``: HR managers and recruiters open the other
answer and learn whose it is; interviewers see that there is a match and how close it
is, and nothing that leads to the other answer: no link, no name, no id in the page.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import copying, known_sources, roles
from ..models import (
    Answer,
    AnswerMatch,
    KnownSource,
    Questionnaire,
    SourceAnswer,
    Vacancy,
)
from ..numbers import format_figure
from ..passages import mark_shared
from ..rendering import render_markdown
from .common import InstanceLabelsForm, ModelAdmin, TabularInline

PAIRS_PER_PAGE = 50
TOP_CANDIDATES = 20
# Badges on one answer for those who may open them; more matches are in the report.
BADGES_PER_ANSWER = 5


def percent(similarity: float) -> str:
    """ "92" for 0.92, written as every figure is (interviews.numbers)."""
    return format_figure(similarity * 100, 0)


def alike(similarity: float) -> str:
    """ "совпадает на 92%"."""
    return _("%(percent)s%% alike") % {"percent": percent(similarity)}


@dataclass(frozen=True)
class Badge:
    """What an answer's page shows of one match. ``url`` (the side-by-side view) is set
    only for those who may open the other answer; nothing else here names it."""

    similarity: float
    source: bool
    url: str | None

    @property
    def label(self) -> str:
        return alike(self.similarity)

    @property
    def explanation(self) -> str:
        if self.url is None:
            return _(
                "Much of this answer is worded like another answer to the same question. "
                "A hint to read it closely, not a verdict."
            )
        if self.source:
            return _("Worded much like a known source: open both side by side.")
        return _("Worded much like another candidate's answer: open both side by side.")


def badges(user, answer_ids) -> dict[int, list[Badge]]:
    """The badges of each answer with matches, closest first: one query for the page.
    Interviewers get one badge per answer, the closest, without a link."""
    answer_ids = list(answer_ids)
    if not answer_ids:
        return {}
    opens = roles.sees_copied_answers(user)
    found = copying.matches_for(answer_ids)
    shown = {}
    # matches_for lists each answer's matches closest first, and only answers with some.
    for answer_id, matches in found.items():
        if not opens:
            top = matches[0]
            shown[answer_id] = [Badge(top.similarity, top.source_answer_id is not None, None)]
            continue
        shown[answer_id] = [
            Badge(match.similarity, match.source_answer_id is not None, _side_by_side_url(match))
            for match in matches[:BADGES_PER_ANSWER]
        ]
    return shown


def _side_by_side_url(match) -> str:
    if match.source_answer_id is not None:
        return reverse(
            "admin:interviews_answer_similar_source",
            args=[match.answer_id, match.source_answer_id],
        )
    return reverse("admin:interviews_answer_similar", args=[match.answer_id, match.other_answer_id])


# -- the side-by-side view -------------------------------------------------------------


def _check_may_compare(request, model_admin):
    if not model_admin.has_copied_report_permission(request):
        raise PermissionDenied


_ANSWER_RELATED = [
    "question",
    "submission__candidate",
    "submission__questionnaire",
    "submission__application__vacancy",
]
# The whole file of each sheet: not shown here, and up to megabytes each.
_SHEET_TEXTS = ["submission__original_text", "submission__preamble", "submission__trailer"]


def side_by_side_view(request, model_admin, pk, other_pk):
    """Two answers found similar, next to each other, the passages they share marked."""
    _check_may_compare(request, model_admin)
    answers = (
        model_admin.get_queryset(request)
        .select_related(*_ANSWER_RELATED)
        .defer(*_SHEET_TEXTS)
        .in_bulk([pk, other_pk])
    )
    match = (
        AnswerMatch.objects.filter(
            Q(answer_id=pk, other_answer_id=other_pk) | Q(answer_id=other_pk, other_answer_id=pk)
        )
        .only("similarity")
        .first()
    )
    if pk not in answers or other_pk not in answers or match is None:
        raise Http404(_("No such pair of similar answers."))
    answer, other = answers[pk], answers[other_pk]
    left, right = mark_shared(answer.body, other.body)
    columns = [_answer_column(answer, left), _answer_column(other, right)]
    return _render_side_by_side(request, model_admin, answer, match, columns)


def source_side_by_side_view(request, model_admin, pk, source_answer_pk):
    """An answer next to the known source's answer it is similar to."""
    _check_may_compare(request, model_admin)
    answer = (
        model_admin.get_queryset(request)
        .select_related(*_ANSWER_RELATED)
        .defer(*_SHEET_TEXTS)
        .filter(pk=pk)
        .first()
    )
    source_answer = (
        SourceAnswer.objects.select_related("source", "question")
        .filter(pk=source_answer_pk)
        .first()
    )
    match = (
        AnswerMatch.objects.filter(answer_id=pk, source_answer_id=source_answer_pk)
        .only("similarity")
        .first()
    )
    if answer is None or source_answer is None or match is None:
        raise Http404(_("No such pair of similar answers."))
    left, right = mark_shared(answer.body, source_answer.text)
    source = source_answer.source
    columns = [
        _answer_column(answer, left),
        {
            "name": source.title,
            "kind": _("a known source"),
            "links": [
                (
                    reverse("admin:interviews_knownsource_change", args=[source.pk]),
                    _("the source's page"),
                    False,
                ),
                *([(source.url, source.url, True)] if source.url else []),
            ],
            "marked": right,
            "rendered": render_markdown(source_answer.text),
        },
    ]
    return _render_side_by_side(request, model_admin, answer, match, columns)


def _answer_column(answer, marked):
    submission = answer.submission
    links = [
        (
            reverse("admin:interviews_submission_change", args=[submission.pk]),
            _("answer sheet, revision %(revision)s") % {"revision": submission.revision},
            False,
        )
    ]
    if submission.application_id:
        links.append(
            (
                reverse("admin:interviews_application_change", args=[submission.application_id]),
                str(submission.application.vacancy),
                False,
            )
        )
    return {
        "name": str(submission.candidate),
        "kind": _("candidate"),
        "links": links,
        "marked": marked,
        "rendered": render_markdown(answer.body),
    }


def _render_side_by_side(request, model_admin, answer, match, columns):
    question = answer.question
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Similar answers: %(alike)s") % {"alike": alike(match.similarity)},
        "question": question.text if question else answer.question_text,
        "label": question.number if question else answer.label,
        "columns": columns,
        "cut": any(c["marked"].cut for c in columns),
    }
    return TemplateResponse(request, "admin/interviews/answer/similar.html", context)


# -- the report ------------------------------------------------------------------------


class ReportForm(forms.Form):
    """Plain choices read once each: the chosen row is taken from them, not looked up."""

    questionnaire = forms.TypedChoiceField(
        label=gettext_lazy("questionnaire"), coerce=int, required=False, empty_value=None
    )
    vacancy = forms.TypedChoiceField(
        label=gettext_lazy("vacancy"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaires = {q.pk: q for q in Questionnaire.objects.order_by("title", "pk")}
        self.vacancies = {v.pk: v for v in Vacancy.objects.order_by("title", "pk")}
        for name, rows, empty in (
            ("questionnaire", self.questionnaires, _("All questionnaires")),
            ("vacancy", self.vacancies, _("All vacancies")),
        ):
            self.fields[name].choices = [("", empty), *((pk, str(r)) for pk, r in rows.items())]

    def chosen(self):
        """(questionnaire or None, vacancy or None); both None when the form is invalid."""
        if not self.is_valid():
            return None, None
        data = self.cleaned_data
        return self.questionnaires.get(data["questionnaire"]), self.vacancies.get(data["vacancy"])


def report_view(request, model_admin):
    """Similar pairs, closest first, and the candidates with the most flagged answers;
    for one questionnaire or vacancy, or all."""
    if not model_admin.has_copied_report_permission(request):
        raise PermissionDenied
    form = ReportForm(request.GET or None)
    questionnaire, vacancy = form.chosen()
    page_pairs = copying.pairs_listed(questionnaire=questionnaire, vacancy=vacancy)
    page = Paginator(page_pairs, PAIRS_PER_PAGE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Copied answers"),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "pairs": [
            {
                "match": match,
                "label": alike(match.similarity),
                "url": _side_by_side_url(match),
            }
            for match in page.object_list
        ],
        "top": top_candidates(copying.pairs(questionnaire=questionnaire, vacancy=vacancy)),
    }
    return TemplateResponse(request, "admin/interviews/answer/copied.html", context)


def top_candidates(pairs, limit=TOP_CANDIDATES):
    """The candidates with the most answers in ``pairs`` (on either side), most first:
    (candidate id, name, flagged answers). One query."""
    pairs = pairs.order_by().select_related(None)
    flagged = Answer.objects.filter(
        Exists(pairs.filter(answer=OuterRef("pk")))
        | Exists(pairs.filter(other_answer=OuterRef("pk")))
    )
    return list(
        flagged.values_list("submission__candidate_id", "submission__candidate__full_name")
        .annotate(flagged=Count("pk"))
        .order_by("-flagged", "submission__candidate__full_name", "submission__candidate_id")[
            :limit
        ]
    )


# -- the submissions' filter -----------------------------------------------------------


class CopiedFilter(admin.SimpleListFilter):
    """Sheets with an answer much like another one (``copying.has_matches_q``); the rows
    are the changelist's own, so each role filters only the sheets it may see."""

    title = gettext_lazy("copied answers")
    parameter_name = "copied"

    def lookups(self, request, model_admin):
        return [("yes", _("has matches")), ("no", _("no matches"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(copying.has_matches_q())
        if self.value() == "no":
            return queryset.exclude(copying.has_matches_q())
        return queryset


# -- known sources ---------------------------------------------------------------------


class SourceAnswerInline(TabularInline):
    """A source's answers as stored: adding is by pasting (the form above), since each
    answer is compared with every imported one when it is stored."""

    model = SourceAnswer
    extra = 0
    fields = ["question", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "question")


class KnownSourceForm(InstanceLabelsForm):
    text = forms.CharField(
        label=gettext_lazy("answers"),
        widget=forms.Textarea({"rows": 16}),
        help_text=gettext_lazy(
            "Paste the source's text with the questions' numbers or headings, as candidates "
            "write their answers: each answer found is matched to its question and compared "
            "with every candidate's answer to it."
        ),
    )

    class Meta:
        model = KnownSource
        fields = ["questionnaire", "title", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["text"].required = False
            self.fields["text"].label = _("more answers")
        self.answers = []

    def clean(self):
        data = super().clean()
        text = data.get("text") or ""
        questionnaire = data.get("questionnaire") or (
            self.instance.questionnaire if self.instance.questionnaire_id else None
        )
        if text.strip() and questionnaire is not None:
            try:
                self.answers = known_sources.answers_in(text, questionnaire)
            except known_sources.SourceTextError as exc:
                self.add_error("text", str(exc))
        return data


@admin.register(KnownSource)
class KnownSourceAdmin(ModelAdmin):
    form = KnownSourceForm
    list_display = ["title", "questionnaire", "answer_count", "created_by", "created_at"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire", "created_by"]
    search_fields = ["title", "url"]
    object_select_related = ["questionnaire", "created_by"]
    inlines = [SourceAnswerInline]

    def get_inline_instances(self, request, obj=None):
        # A new source has no answers yet: they come from the pasted text.
        return [] if obj is None else super().get_inline_instances(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["questionnaire", "title", "url", "text"]
        return ["questionnaire", "title", "url", "created_by", "created_at", "text"]

    def get_readonly_fields(self, request, obj=None):
        # Its answers were matched to the questionnaire's questions: it stays on it.
        return [] if obj is None else ["questionnaire", "created_by", "created_at"]

    def get_queryset(self, request):
        answers = (
            SourceAnswer.objects.filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_answer_count=Coalesce(Subquery(answers, output_field=IntegerField()), 0))
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        added = known_sources.add_answers(obj, form.answers)
        if added:
            self.message_user(
                request,
                ngettext(
                    "%(count)d answer of the source stored and compared.",
                    "%(count)d answers of the source stored and compared.",
                    added,
                )
                % {"count": added},
                messages.SUCCESS,
            )

    @admin.display(description=gettext_lazy("answers"), ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count

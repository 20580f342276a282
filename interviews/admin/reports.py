"""Report pages of the admin: comparing applications, all answers to a question, and the
hiring funnel.

Thin views: the ModelAdmin that routes here has checked the model permission; these
functions apply the row-level rules of ``interviews.roles``, parse the query string, call
``interviews.reports`` and render. Each page costs the same number of queries whatever
the amount of data.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import reports, roles
from ..models import AnswerScore, Application, Question, Vacancy
from ..rendering import render_markdown
from .copying import badges

ANSWERS_PER_PAGE = 50

# Geometry of the funnel chart, in SVG user units (pixels at 100% zoom).
_LABEL_WIDTH = 190
_BAR_WIDTH = 360
_COUNT_WIDTH = 50
_ROW_HEIGHT = 26
_BAR_HEIGHT = 18


def compare_view(request, model_admin):
    """``?ids=1,2,3``: the applications' answers side by side."""
    ids = _parse_ids(request.GET.get("ids", ""))
    found = {
        a.pk: a
        for a in model_admin.get_queryset(request)
        .filter(pk__in=[pk for pk in ids if pk is not None])
        .select_related("candidate", "vacancy__questionnaire", "stage")
    }
    applications = [found[pk] for pk in ids if pk in found]
    missing = len(ids) - len(applications)
    if missing:
        # Not found, not allowed, or not a number: the same answer, so that ids of
        # applications the user may not open are not confirmed to exist.
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d of the selected applications was not found.",
                "%(count)d of the selected applications were not found.",
                missing,
            )
            % {"count": missing},
            messages.WARNING,
        )
    scores = roles.visible_scores(request.user, AnswerScore.objects.all())
    try:
        comparison = reports.comparison(applications=applications, scores_queryset=scores)
    except reports.ComparisonError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:interviews_application_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Compare applications"),
        "comparison": comparison,
        "copied": badges(
            request.user,
            [item.answer.pk for row in comparison.rows for cell in row.cells for item in cell],
        ),
    }
    return TemplateResponse(request, "admin/interviews/reports/compare.html", context)


def _parse_ids(value):
    """Ids in the order given, each once; None for each token that is not an id."""
    ids = []
    for token in value.split(","):
        token = token.strip()
        if not token:
            continue
        # Longer than 18 digits cannot be a bigint primary key.
        pk = int(token) if token.isascii() and token.isdigit() and len(token) <= 18 else None
        if pk is None or pk not in ids:
            ids.append(pk)
    return ids


def question_answers_view(request, model_admin, question_id):
    """Every candidate's latest answer to one question, ``ANSWERS_PER_PAGE`` a page."""
    question = get_object_or_404(Question.objects.select_related("questionnaire"), pk=question_id)
    visible = None
    if roles.is_interviewer_only(request.user):
        visible = roles.visible_applications(request.user, Application.objects.all())
    answers = reports.question_answers(question=question, visible_applications=visible)
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("p"))
    scores = roles.visible_scores(request.user, AnswerScore.objects.all())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Answers to question %(number)s") % {"number": question.number},
        "question": question,
        "rubric": render_markdown(question.rubric) if question.rubric else "",
        "page": page,
        "items": reports.score_answers(page.object_list, scores_queryset=scores),
    }
    return TemplateResponse(request, "admin/interviews/reports/question_answers.html", context)


class FunnelFilterForm(forms.Form):
    vacancy = forms.ModelChoiceField(
        label=gettext_lazy("vacancy"),
        queryset=Vacancy.objects.order_by("title", "id"),
        required=False,
        empty_label=gettext_lazy("All vacancies"),
    )


def funnel_view(request, model_admin):
    """The hiring funnel per vacancy; ``?vacancy=ID`` for one vacancy."""
    form = FunnelFilterForm(request.GET or None)
    vacancy_ids = None
    if form.is_valid() and form.cleaned_data["vacancy"] is not None:
        vacancy_ids = [form.cleaned_data["vacancy"].pk]
    funnels = reports.funnel(vacancy_ids=vacancy_ids)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Hiring funnel"),
        "form": form,
        "funnels": [{"funnel": f, "chart": _chart(f)} for f in funnels],
    }
    return TemplateResponse(request, "admin/interviews/reports/funnel.html", context)


def _chart(funnel):
    """Geometry of a horizontal bar chart of the applications now in each stage. Whole
    numbers only: they go into SVG attributes, where a localised "12,5" would break."""
    largest = max((row.current for row in funnel.stages), default=0) or 1
    bars = []
    for index, row in enumerate(funnel.stages):
        top = index * _ROW_HEIGHT
        width = round(_BAR_WIDTH * row.current / largest)
        bars.append(
            {
                "row": row,
                "y": top + (_ROW_HEIGHT - _BAR_HEIGHT) // 2,
                "text_y": top + _ROW_HEIGHT // 2 + 5,
                "width": width,
                "count_x": _LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "width": _LABEL_WIDTH + _BAR_WIDTH + _COUNT_WIDTH,
        "height": max(len(bars), 1) * _ROW_HEIGHT,
        "label_x": _LABEL_WIDTH - 8,
        "bar_x": _LABEL_WIDTH,
        "bar_height": _BAR_HEIGHT,
    }

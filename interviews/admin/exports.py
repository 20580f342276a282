"""Exports in the admin: the application changelist as CSV or XLSX, answer sheets as
markdown (an action on submissions and on applications), and a print-friendly page of one
application for interview panels.

Thin: who may export is ``roles.can_export`` (checked here, server side, whatever the
templates show), which rows is the ModelAdmin's own queryset, and the files come from
``interviews.exports``.
"""

from collections import defaultdict
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import roles
from ..exports.markdown import answers_download
from ..exports.tables import (
    CSV_CONTENT_TYPE,
    EXCEL_CSV,
    TALLY,
    TOOLS_CSV,
    XLSX_CONTENT_TYPE,
    applications_csv,
    applications_xlsx,
    dated_filename,
)
from ..models import AnswerScore, Scorecard, Submission
from ..rendering import render_markdown
from ..scoring import latest_submission, latest_submissions
from .copying import badges


def application_urls(model_admin):
    """URLs that ApplicationAdmin.get_urls adds before its object URLs."""
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "export/csv/",
            wrap(partial(applications_csv_view, model_admin=model_admin, csv_format=TOOLS_CSV)),
            name="interviews_application_export_csv",
        ),
        path(
            "export/csv-excel/",
            wrap(partial(applications_csv_view, model_admin=model_admin, csv_format=EXCEL_CSV)),
            name="interviews_application_export_csv_excel",
        ),
        path(
            "export/xlsx/",
            wrap(partial(applications_xlsx_view, model_admin=model_admin)),
            name="interviews_application_export_xlsx",
        ),
        path(
            "<int:pk>/print/",
            wrap(partial(application_print_view, model_admin=model_admin)),
            name="interviews_application_print",
        ),
    ]


# -- the application list as a spreadsheet ---------------------------------------------


def applications_csv_view(request, *, model_admin, csv_format):
    """The changelist's rows, as its query string selects them, as CSV: ";" and decimal
    commas for Excel, or commas for tools (``interviews.exports.tables``)."""
    _check_can_export(request, model_admin)
    try:
        queryset = _changelist_queryset(request, model_admin)
    except IncorrectLookupParameters:
        return _back_to_changelist_with_error()
    # The body is produced after the view returns (and after the request's transaction):
    # keep the request's language for the headers and stage names written then.
    chunks = _in_language(translation.get_language(), applications_csv(queryset, csv_format))
    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        True, dated_filename("applications", "csv")
    )
    return response


def applications_xlsx_view(request, *, model_admin):
    """The changelist's rows, as its query string selects them, as an XLSX workbook."""
    _check_can_export(request, model_admin)
    try:
        queryset = _changelist_queryset(request, model_admin)
    except IncorrectLookupParameters:
        return _back_to_changelist_with_error()
    return _download(
        dated_filename("applications", "xlsx"), XLSX_CONTENT_TYPE, applications_xlsx(queryset)
    )


def _check_can_export(request, model_admin):
    if not (model_admin.has_view_permission(request) and roles.can_export(request.user)):
        raise PermissionDenied


def _changelist_queryset(request, model_admin):
    """Built by the admin's own ChangeList, so that the filters, search, ordering and the
    row-level rules are exactly those of the page the export link was on. May raise
    IncorrectLookupParameters, as the changelist does."""
    query = request.GET.copy()
    # Every page of the list, not only the one the link was on.
    query.pop(PAGE_VAR, None)
    request.GET = query
    # The queryset the ChangeList built for its page: asking again would build the
    # filters, and read their choices, a second time.
    return model_admin.get_changelist_instance(request).queryset


def _back_to_changelist_with_error():
    # What the changelist itself does with a query string it cannot apply.
    return HttpResponseRedirect(
        reverse("admin:interviews_application_changelist") + f"?{ERROR_FLAG}=1"
    )


def _in_language(language, chunks):
    with translation.override(language):
        yield from chunks


def _download(filename, content_type, content):
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# -- answer sheets as markdown ---------------------------------------------------------


@admin.action(description=gettext_lazy("Export answers as markdown"), permissions=["export"])
def export_answers(modeladmin, request, queryset):
    """Selected submissions, or the latest submission of each selected application: one
    as a ``.md`` file, several as a ``.zip``. Only ModelAdmins with a
    ``has_export_permission`` offer it (Django drops it from ``get_actions`` otherwise)."""
    if not roles.can_export(request.user):
        raise PermissionDenied
    if queryset.model is Submission:
        submission_ids = list(queryset.values_list("pk", flat=True))
    else:
        latest = latest_submissions(list(queryset.select_related("vacancy")))
        submission_ids = [s.pk for s in latest.values() if s is not None]
    submissions = (
        Submission.objects.filter(pk__in=submission_ids)
        .select_related("candidate", "questionnaire", "application__vacancy")
        .order_by("candidate__full_name", "candidate_id", "questionnaire__slug", "revision")
    )
    download = answers_download(submissions)
    if download is None:
        modeladmin.message_user(
            request, _("The selected applications have no imported answers."), messages.WARNING
        )
        return None
    return _download(download.filename, download.content_type, download.content)


# -- the print page --------------------------------------------------------------------


def application_print_view(request, pk, *, model_admin):
    """One application on paper: the answers with their questions and rubrics, and the
    scores and scorecards the user may see (blind feedback as everywhere else)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    # The admin's queryset: an interviewer finds only applications they interview for.
    application = get_object_or_404(
        model_admin.get_queryset(request).select_related("candidate", "vacancy", "stage", "owner"),
        pk=pk,
    )
    user = request.user
    submission = latest_submission(application)
    answers = []
    if submission is not None:
        answers = list(submission.answers.select_related("question").order_by("position"))
    scorecards = list(
        roles.visible_scorecards(user, Scorecard.objects.all())
        .filter(application=application, submitted_at__isnull=False)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    )
    scores = (
        roles.visible_scores(user, AnswerScore.objects.all())
        .filter(scorecard__in=scorecards, answer__in=answers)
        .select_related("answer__question")
        .order_by("scorecard__submitted_at", "scorecard_id")
    )
    reviewers = {scorecard.pk: scorecard.reviewer for scorecard in scorecards}
    by_answer = defaultdict(list)
    by_scorecard = defaultdict(list)
    for score in scores:
        by_answer[score.answer_id].append((reviewers[score.scorecard_id], score))
        by_scorecard[score.scorecard_id].append(score.score)
    candidate = application.candidate
    contacts = []
    if roles.sees_contacts(user):
        contacts = [
            (candidate._meta.get_field(name).verbose_name, getattr(candidate, name))
            for name in roles.CONTACT_FIELDS
            if getattr(candidate, name)
        ]
    context = {
        "title": _("%(application)s: answers and feedback") % {"application": application},
        "application": application,
        "candidate": candidate,
        "contacts": contacts,
        "submission": submission,
        "rows": [
            {
                "answer": answer,
                "question": answer.question,
                "rendered": render_markdown(answer.body),
                "rubric": render_markdown(answer.question.rubric)
                if answer.question and answer.question.rubric
                else "",
                "scores": by_answer[answer.pk],
            }
            for answer in answers
        ],
        "copied": badges(user, [answer.pk for answer in answers]),
        "scorecards": [
            {
                "scorecard": scorecard,
                "total": sum(by_scorecard[scorecard.pk]),
                "scored": len(by_scorecard[scorecard.pk]),
            }
            for scorecard in scorecards
        ],
        # The changelist's figures (Application.objects.with_feedback): other reviewers'
        # are withheld until the user's own scorecard is in.
        "feedback_hidden": application._hidden,
        "figures": {
            "submitted": application._submitted,
            "average": application._average,
            **{value: getattr(application, f"_{value}") for value in TALLY},
        },
    }
    return TemplateResponse(request, "admin/interviews/application/print.html", context)

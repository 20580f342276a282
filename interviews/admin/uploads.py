"""The admin's "Import answers": upload, preview (a dry run), confirm.

Thin views: ``interviews.uploads`` reads the files, applies the limits and keeps the
upload in storage between the steps; ``interviews.importing`` does the import, the same
as the ``import_answers`` command. Every step needs ``interviews.add_submission``; the
steps that change something are POSTs through Django forms (CSRF).
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from .. import grammar, importing, roles, upload_jobs, uploads
from ..links import client, sources
from ..models import Question, Questionnaire, Submission, UploadJob, Vacancy
from .common import ModelAdmin

PERMISSION = "interviews.add_submission"

PREVIEW_STATUS = {
    importing.CREATED: gettext_lazy("new: will be created"),
    importing.REVISED: gettext_lazy("changed: will be a new revision"),
    importing.UNCHANGED: gettext_lazy("unchanged: already imported"),
    importing.FAILED: gettext_lazy("cannot be imported"),
    importing.NEEDS_REVIEW: gettext_lazy("not an answer sheet, it seems: imported only if ticked"),
}
RESULT_STATUS = {
    importing.CREATED: gettext_lazy("created"),
    importing.REVISED: gettext_lazy("revised"),
    importing.UNCHANGED: gettext_lazy("unchanged"),
    importing.FAILED: gettext_lazy("failed"),
    importing.NEEDS_REVIEW: gettext_lazy("not imported: needs review"),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of files; required means at least one."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if not data:
            single(None, initial)  # "This field is required."
            return []
        if not isinstance(data, list | tuple):
            data = [data]
        return [single(d, initial) for d in data]


class UploadForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label=gettext_lazy("Answer files"),
        help_text=gettext_lazy(
            "Markdown or text files (.md, .markdown, .txt), or .zip archives of them."
        ),
        widget=MultipleFileInput(attrs={"accept": ".md,.markdown,.txt,.zip"}),
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy(
            "One a line: a repository (its README is imported), a file in a repository, "
            "a gist, or any https:// link to a markdown or text file."
        ),
    )
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire"),
        queryset=Questionnaire.objects.order_by("title", "id"),
        required=False,
        empty_label=gettext_lazy("From the file, the vacancy, or recognised"),
    )
    vacancy = forms.ModelChoiceField(
        label=gettext_lazy("Vacancy"),
        queryset=Vacancy.objects.order_by("title", "id"),
        required=False,
        help_text=gettext_lazy("Also records the candidate's application to it."),
    )
    name = forms.CharField(
        label=gettext_lazy("Candidate's full name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("One answer file only; otherwise taken from the file."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Candidate's e-mail"),
        required=False,
        help_text=gettext_lazy("One answer file only; otherwise taken from the file."),
    )

    def clean_links(self):
        links = []
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if not line.startswith(("https://", "http://")):
                raise forms.ValidationError(
                    _("Line %(number)d is not a link: %(line)s")
                    % {"number": number, "line": line[:80]}
                )
            links.append(line)
        return links

    def clean(self):
        data = super().clean()
        if not data.get("files") and not data.get("links") and not self.errors:
            raise forms.ValidationError(_("Choose answer files or give links."))
        return data

    def import_options(self):
        data = self.cleaned_data
        return {
            "questionnaire": data["questionnaire"].slug if data["questionnaire"] else None,
            "vacancy": data["vacancy"].slug if data["vacancy"] else None,
            "name": data["name"] or None,
            "email": data["email"] or None,
        }


class PendingForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def upload_urls(model_admin):
    """The three steps' URLs, for SubmissionAdmin.get_urls()."""

    def guarded(view):
        def checked(request):
            if not model_admin.has_import_permission(request):
                raise PermissionDenied
            return view(request, model_admin)

        # admin_view: staff login, CSRF protection, no caching.
        return model_admin.admin_site.admin_view(checked)

    return [
        path("import/", guarded(upload_view), name="interviews_submission_import"),
        path(
            "import/confirm/",
            guarded(require_POST(confirm_view)),
            name="interviews_submission_import_confirm",
        ),
        path(
            "import/cancel/",
            guarded(require_POST(cancel_view)),
            name="interviews_submission_import_cancel",
        ),
    ]


def upload_view(request, model_admin):
    """Step 1 (GET: the form) and step 2 (POST: keep the files, show the dry run)."""
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_valid():  # False for the unbound GET form
        limits = uploads.Limits.from_settings()
        try:
            pending = uploads.create_pending(
                user=request.user,
                files=form.cleaned_data["files"] or [],
                links=form.cleaned_data["links"],
                options=form.import_options(),
                limits=limits,
            )
        except uploads.UploadError as exc:
            form.add_error(None, str(exc))
        else:
            # Read back from storage, as the confirmation will: what is shown is what
            # will be imported. The report lists the files in the upload's order.
            keys = [f.key for f in pending.files]
            pending, report = uploads.preview_pending(pending=pending, limits=limits)
            return _render(
                request,
                model_admin,
                "preview.html",
                title=_("Import answers: preview"),
                pending=pending,
                summary=report.summary(),
                needs_review=len(report.needs_review),
                rows=_preview_rows(report, keys),
                # Named by title, as people know them; the import goes by slug.
                option_titles={
                    key: str(form.cleaned_data[key])
                    for key in ("questionnaire", "vacancy")
                    if form.cleaned_data.get(key)
                },
                importable=any(
                    f.status in (importing.CREATED, importing.REVISED, importing.NEEDS_REVIEW)
                    for f in report.files
                ),
                form=PendingForm(initial={"token": pending.token}, auto_id=False),
                in_background=upload_jobs.runs_in_background(pending),
            )
    return _render(request, model_admin, "form.html", title=_("Import answers"), form=form)


def confirm_view(request, model_admin):
    """Step 3: import the pending upload, delete it, report each file; a large upload is
    imported by a background task instead (interviews.upload_jobs), and the page that
    follows it takes over."""
    pending = _pending(request, model_admin)
    if pending is None:
        return HttpResponseRedirect(reverse("admin:interviews_submission_import"))
    # The files not looking like answer sheets that the user ticked in the preview.
    accepted = request.POST.getlist("accept")
    if upload_jobs.runs_in_background(pending):
        job = upload_jobs.start(pending=pending, user=request.user, accepted=accepted)
        return HttpResponseRedirect(reverse("admin:interviews_uploadjob_change", args=[job.pk]))
    report = uploads.import_pending(
        pending=pending,
        dry_run=False,
        limits=uploads.Limits.from_settings(),
        imported_by=request.user,
        accepted=accepted,
    )
    # Deleted once the import is committed: should the request fail after all, the files
    # are still there to try again.
    transaction.on_commit(partial(uploads.delete_pending, pending=pending))
    summary = report.summary()
    model_admin.message_user(
        request,
        _summary_text(summary),
        messages.WARNING if summary["failed"] else messages.SUCCESS,
    )
    if report.needs_review:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d file was not imported: it does not look like an answer sheet "
                "and was not ticked.",
                "%(count)d files were not imported: they do not look like answer sheets "
                "and were not ticked.",
                len(report.needs_review),
            )
            % {"count": len(report.needs_review)},
            messages.WARNING,
        )
    return _render(
        request,
        model_admin,
        "result.html",
        title=_("Import answers: done"),
        summary=summary,
        rows=_result_rows(report),
    )


def _summary_text(summary):
    return (
        ngettext(
            "%(files)d file: %(created)d created, %(revised)d revised, "
            "%(unchanged)d unchanged, %(failed)d failed.",
            "%(files)d files: %(created)d created, %(revised)d revised, "
            "%(unchanged)d unchanged, %(failed)d failed.",
            summary["files"],
        )
        % summary
    )


def cancel_view(request, model_admin):
    pending = _pending(request, model_admin)
    if pending is not None:
        uploads.delete_pending(pending=pending)
        model_admin.message_user(request, _("Import cancelled; nothing was imported."))
    return HttpResponseRedirect(reverse("admin:interviews_submission_changelist"))


def _pending(request, model_admin):
    """The user's pending upload named in the POST, or None after telling the user why."""
    form = PendingForm(request.POST)
    try:
        token = form.cleaned_data["token"] if form.is_valid() else ""
        return uploads.load_pending(token=token, user=request.user)
    except uploads.UploadError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return None


def _render(request, model_admin, template, **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Submission._meta,
        "limits": uploads.Limits.from_settings(),
        **context,
    }
    return TemplateResponse(request, f"admin/interviews/upload/{template}", context)


def _preview_rows(report, keys):
    # The matched questions' texts and the questionnaires' titles, for all files at once.
    slugs = {f.questionnaire for f in report.files if f.questionnaire}
    titles = dict(Questionnaire.objects.filter(slug__in=slugs).values_list("slug", "title"))
    texts = {
        (slug, number): text
        for slug, number, text in Question.objects.filter(
            questionnaire__slug__in=slugs
        ).values_list("questionnaire__slug", "number", "text")
    }
    return [
        {
            "file": f,
            "key": key,
            "status": PREVIEW_STATUS[f.status],
            "questionnaire": titles.get(f.questionnaire, f.questionnaire),
            "answers": [
                {
                    "answer": a,
                    "matched_text": texts.get((f.questionnaire, a.matched_question), ""),
                }
                for a in f.answers
            ],
        }
        for f, key in zip(report.files, keys, strict=True)
    ]


def _result_rows(report):
    ids = [f.submission_id for f in report.files if f.submission_id]
    candidates = {
        pk: (candidate_id, name)
        for pk, candidate_id, name in Submission.objects.filter(pk__in=ids).values_list(
            "pk", "candidate_id", "candidate__full_name"
        )
    }
    slugs = {f.questionnaire for f in report.files if f.questionnaire}
    titles = dict(Questionnaire.objects.filter(slug__in=slugs).values_list("slug", "title"))
    rows = []
    for f in report.files:
        candidate_id, name = candidates.get(f.submission_id, (None, ""))
        rows.append(
            {
                "file": f,
                # A background import's report keeps no names: read from the candidate.
                "candidate": f.candidate or name,
                "status": RESULT_STATUS[f.status],
                "questionnaire": titles.get(f.questionnaire, f.questionnaire),
                "candidate_url": reverse("admin:interviews_candidate_change", args=[candidate_id])
                if candidate_id
                else "",
                "submission_url": reverse(
                    "admin:interviews_submission_change", args=[f.submission_id]
                )
                if f.submission_id
                else "",
            }
        )
    return rows


@admin.register(UploadJob)
class UploadJobAdmin(ModelAdmin):
    """Large uploads imported in the background: the list, and each job's page, which
    follows its progress and then shows its report. A job is its uploader's and the HR
    managers' alone; nobody edits one."""

    list_display = ["__str__", "created_by", "status", "progress"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    object_select_related = ["created_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_hr_manager(request.user):
            return queryset
        return queryset.filter(created_by=request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or obj.created_by_id == request.user.pk or roles.is_hr_manager(request.user)
        )

    def has_add_permission(self, request):
        return False  # jobs come from confirming an upload

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A job still running would go on writing into a row that is gone.
        return super().has_delete_permission(request, obj) and (obj is None or obj.finished)

    @admin.display(description=gettext_lazy("files done"))
    def progress(self, obj):
        return _("%(done)d of %(total)d") % {"done": obj.files_done, "total": obj.total_files}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: its progress while it runs (the page reloads itself), then
        the report with links to what was imported."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Someone else's job is not in the user's queryset: the same answer as a missing
        # one, which confirms nothing.
        job = self.get_object(request, unquote(object_id))
        if job is None or not self.has_view_permission(request, job):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        done = job.status == UploadJob.Status.DONE
        report = importing.ImportReport(files=upload_jobs.reports(job)) if done else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            # Named as every object page of the admin names its object; the state below.
            "title": capfirst(_("View %s") % grammar.noun(UploadJob).accusative),
            "subtitle": JOB_TITLES[job.status],
            "job": job,
            "started_by": (job.created_by.get_full_name() or job.created_by.get_username())
            if job.created_by
            else "—",
            "refresh_seconds": None if job.finished else JOB_REFRESH_SECONDS,
            "summary_text": _summary_text(job.summary) if done else "",
            "rows": _result_rows(report) if done else [],
        }
        return TemplateResponse(request, "admin/interviews/upload/job.html", context)


# How often the page of a job still running asks for its progress
# (interviews/static/interviews/upload_job.js).
JOB_REFRESH_SECONDS = 3
JOB_TITLES = {
    UploadJob.Status.QUEUED: gettext_lazy("Import answers: waiting for its turn"),
    UploadJob.Status.RUNNING: gettext_lazy("Import answers: in progress"),
    UploadJob.Status.DONE: gettext_lazy("Import answers: done"),
    UploadJob.Status.FAILED: gettext_lazy("Import answers: failed"),
}


@admin.action(description=gettext_lazy("Refresh from source"), permissions=["add"])
def refresh_from_source(model_admin, request, queryset):
    """Fetch the chosen sheets' links again: a changed file becomes a new revision."""
    linked = sources.linked_latest(queryset)
    if not linked:
        model_admin.message_user(
            request, _("None of the chosen sheets was imported from a link."), messages.WARNING
        )
        return
    reports = sources.refresh(
        linked,
        policy=client.Policy.from_settings(),
        imported_by=request.user,
        seconds=settings.ZVONOK_UPLOAD_FETCH_SECONDS,
    )
    for report in reports:
        if report.status == importing.FAILED:
            model_admin.message_user(request, f"{report.path}: {report.error}", messages.ERROR)
        else:
            model_admin.message_user(
                request,
                _("%(url)s (%(candidate)s): %(status)s.")
                % {
                    "url": report.path,
                    "candidate": report.candidate,
                    "status": REFRESH_STATUS[report.status],
                },
                messages.SUCCESS,
            )


REFRESH_STATUS = {
    importing.CREATED: gettext_lazy("imported"),
    importing.REVISED: gettext_lazy("changed, imported as a new revision"),
    importing.UNCHANGED: gettext_lazy("unchanged"),
}

"""Admin for candidates and what they sent: submissions and their answers.

Interviewers see only the candidates and sheets of applications they interview for, and
never the candidates' contacts, nor a sheet's original text and import warnings, which
quote them (interviews.roles; the admin's base classes leave those fields out).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .. import duplicates, grammar, roles
from .. import messages as import_messages
from ..db.queries import distinct_values
from ..models import Answer, Application, Candidate, Message, Submission
from ..rendering import preview, render_markdown
from . import copying as copying_admin
from . import privacy as privacy_admin
from .common import (
    AuditedAdmin,
    InstanceLabelsForm,
    ModelAdmin,
    RejectionReasonRule,
    TabularInline,
    short,
)
from .exports import export_answers
from .pagination import EstimatedCountPaginator
from .search import AnswerSearchMixin, CandidateSearchMixin, find_answers_view
from .uploads import refresh_from_source


def _count_of(related, field):
    """How many ``related`` rows point at each row (through ``field``), as a correlated
    subquery: PostgreSQL computes it for the rows of the page alone, where a JOIN with
    GROUP BY would count the related rows of the whole table before paging."""
    counted = (
        related.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class SourceFilter(admin.SimpleListFilter):
    """Where candidates came from. The admin's own filter for a field reads every
    candidate (SELECT DISTINCT); this one jumps from one value to the next in the index
    on ``source`` (``db.queries.distinct_values``)."""

    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(value, value) for value in distinct_values(Candidate, "source") if value]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(source=self.value())


def _visible_candidates(request, queryset, path="pk"):
    """Rows whose candidate (at ``path``) the user may see."""
    if not roles.is_interviewer_only(request.user):
        return queryset
    applications = roles.visible_applications(request.user, Application.objects.all())
    return queryset.filter(**{f"{path}__in": applications.values("candidate_id")})


class ApplicationInlineForm(RejectionReasonRule, InstanceLabelsForm):
    """An application as a row of the candidate's page."""


class ApplicationInline(TabularInline):
    model = Application
    form = ApplicationInlineForm  # a move to a rejection stage asks for the reason here too
    extra = 0
    fields = ["vacancy", "stage", "rejection_reason", "owner", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["vacancy", "rejection_reason"]  # the owner: a select of active staff
    show_change_link = True

    def get_queryset(self, request):
        # The candidate too: each row is named after it.
        queryset = (
            super()
            .get_queryset(request)
            .select_related("candidate", "vacancy", "stage", "owner", "rejection_reason")
        )
        return roles.visible_applications(request.user, queryset)


class SubmissionInline(TabularInline):
    model = Submission
    extra = 0
    fields = ["questionnaire", "revision", "source_name", "imported_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("candidate", "questionnaire")


class MessageInline(TabularInline):
    """What the person was written, as sent: a record, so nobody edits or deletes it here.
    Interviewers have no permission on messages (they carry the address) and do not see
    the block at all."""

    model = Message
    extra = 0
    fields = ["created_at", "to", "subject", "body", "sender", "status", "error", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender")


@admin.register(Candidate)
class CandidateAdmin(CandidateSearchMixin, AuditedAdmin):
    paginator = EstimatedCountPaginator
    list_display = [
        "full_name",
        "email",
        "phone",
        "telegram",
        "source",
        "skills",
        "submission_count",
        "created_at",
    ]
    search_fields = ["full_name", "email", "phone", "telegram"]
    list_filter = [
        SourceFilter,
        "created_at",
        privacy_admin.PossibleDuplicateFilter,
        privacy_admin.RetentionFilter,
        privacy_admin.SkillFilter,
        privacy_admin.ArchivedFilter,
    ]
    # No date_hierarchy: its year links take SELECT DISTINCT over every row on each page
    # view; the "created" filter offers the same periods without a query.
    show_full_result_count = False
    fields = [
        "full_name",
        "email",
        "phone",
        "telegram",
        "source",
        "notes",
        "consent_at",
        "consent_method",
        "legal_basis",
        "retention_deadline",
        "anonymized_at",
        "archived_at",
    ]
    readonly_fields = ["retention_deadline", "anonymized_at", "archived_at"]
    inlines = [ApplicationInline, SubmissionInline, MessageInline]
    list_prefetch_related = ["skills"]
    # Kept explicit: the Count annotation would otherwise drop the model's ordering.
    ordering = ["full_name", "id"]
    actions = [
        privacy_admin.archive_candidates,
        privacy_admin.unarchive_candidates,
        privacy_admin.merge_candidates,
        privacy_admin.anonymize_candidates,
        privacy_admin.export_candidate_data,
    ]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(_submission_count=_count_of(Submission, "candidate"))
        )
        return _visible_candidates(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not roles.is_hr_manager(request.user):
            for name in ("merge_candidates", "anonymize_candidates", "export_candidate_data"):
                actions.pop(name, None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        candidate = self.get_object(request, unquote(object_id))
        if candidate is not None and roles.sees_contacts(request.user):
            # Sliced here, not in SQL: with a LIMIT, PostgreSQL may walk the whole name
            # index looking for the few matches instead of probing the contact indexes.
            for other in list(duplicates.duplicates_of(candidate))[:5]:
                self.message_user(
                    request,
                    _("Possible duplicate: %(name)s (#%(id)d) shares a contact.")
                    % {"name": other, "id": other.pk},
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("self-assessed skills"))
    def skills(self, obj):
        text = privacy_admin.skills_text(obj)
        # The list shows a few lines of it (admin.css); the title has all of it.
        return format_html('<span class="zvonok-clamp" title="{}">{}</span>', text, text)

    @admin.display(description=_("retention until"))
    def retention_deadline(self, obj):
        if not obj.pk:
            return "—"
        return date_format(timezone.localtime(obj.retention_deadline), "DATE_FORMAT")

    @admin.display(description=_("submissions"), ordering="_submission_count")
    def submission_count(self, obj):
        return obj._submission_count


class NeedsReviewFilter(admin.SimpleListFilter):
    """Sheets imported although they did not look like answer sheets
    (``import_answers --accept-unstructured``, or ticked on upload)."""

    title = _("review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("needs review")), ("no", _("no review needed"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(needs_review=self.value() == "yes")
        return queryset


@admin.register(Submission)
class SubmissionAdmin(ModelAdmin):
    paginator = EstimatedCountPaginator
    list_display = [
        "candidate",
        "questionnaire",
        "revision",
        "source_name",
        "answer_count",
        "warning_count",
        "imported_at",
    ]
    list_filter = ["questionnaire", "imported_at", NeedsReviewFilter, copying_admin.CopiedFilter]
    show_full_result_count = False
    list_select_related = ["candidate", "questionnaire"]
    str_select_related = ["candidate", "questionnaire"]
    search_fields = ["candidate__full_name", "candidate__email", "source_name", "sha256"]
    # On the add form only: once imported, a sheet is evidence and reads only (below).
    autocomplete_fields = ["candidate", "questionnaire", "application"]
    object_select_related = [
        "application__candidate",
        "application__vacancy",
        "questionnaire",
        "imported_by",
    ]
    # No date_hierarchy, as on candidates: the "imported" filter has the periods.
    readonly_fields = [
        "source_url",
        "source_raw_url",
        "source_etag",
        "source_commit",
        "sha256",
        "encoding",
        "revision",
        "imported_at",
        "imported_by",
        "warnings",
        "title",
        "preamble",
        "trailer",
        "original_text",
    ]
    # The change page reads like the sheet: who, for which vacancy, then the answers
    # (change_form.html puts them after the first fieldset), the file itself folded away.
    change_fieldsets = [
        (
            None,
            {"fields": ["candidate", "vacancy", "questionnaire", "revision", "warning_list"]},
        ),
        (
            _("File as imported"),
            {
                "classes": ["collapse"],
                "fields": [
                    "source_name",
                    "source_url",
                    "source_raw_url",
                    "source_etag",
                    "source_commit",
                    "imported_at",
                    "imported_by",
                    "encoding",
                    "sha256",
                    "title",
                    "preamble",
                    "trailer",
                    "original_text",
                ],
            },
        ),
    ]
    # The field each computed one above shows.
    reads = {"vacancy": "application", "warning_list": "warnings"}
    actions = [export_answers, refresh_from_source, "mark_reviewed"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)

        # Fields the role may not read (the file's text, its warnings) stay off the page,
        # and so do the columns made of them.
        def readable(name):
            return roles.may_read(request.user, self.model, self.reads.get(name, name))

        return [
            (name, {**options, "fields": [f for f in options["fields"] if readable(f)]})
            for name, options in self.change_fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [field for _name, options in self.change_fieldsets for field in options["fields"]]

    def has_change_permission(self, request, obj=None):
        # An imported sheet is what the candidate sent, and whom it belongs to was settled
        # by the import (re-importing adds a revision): its page only reads, and a POST to
        # it is refused. The permission still counts for the list and for adding.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, unquote(object_id))
        answers = [] if submission is None else list(submission.answers.select_related("question"))
        extra_context = {
            **(extra_context or {}),
            "copied": copying_admin.badges(request.user, [answer.pk for answer in answers]),
            "answers": [
                {
                    "answer": answer,
                    "question": answer.question,
                    "rendered": render_markdown(answer.body),
                }
                for answer in answers
            ],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        queryset = (
            super().get_queryset(request).annotate(_answer_count=_count_of(Answer, "submission"))
        )
        return _visible_candidates(request, queryset, "candidate")

    def has_export_permission(self, request):
        # get_actions offers actions declared with permissions=["export"] only if this holds.
        return roles.can_export(request.user)

    def has_import_permission(self, request):
        """May use "Import answers" (interviews.admin.uploads): the views ask this."""
        from .uploads import PERMISSION

        return request.user.has_perm(PERMISSION)

    def get_urls(self):
        # "Import answers" (interviews.admin.uploads).
        from .uploads import upload_urls

        return [*upload_urls(self), *super().get_urls()]

    @admin.display(description=_("answers"), ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count

    @admin.display(description=_("warnings"))
    def warning_count(self, obj):
        return len(obj.warnings or [])

    @admin.display(description=_("vacancy"))
    def vacancy(self, obj):
        return obj.application.vacancy if obj.application_id else "—"

    @admin.action(description=_("Mark as reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        # The sheet itself reads only; once someone has looked at a sheet that did not
        # look like answers, its mark goes.
        count = queryset.filter(needs_review=True).update(needs_review=False)
        self.message_user(
            request,
            _("Marked as reviewed: %(count)s.") % {"count": grammar.noun(Submission).count(count)},
        )

    @admin.display(description=_("warnings"))
    def warning_list(self, obj):
        if not obj.warnings:
            return "—"
        items = format_html_join(
            "", "<li>{}</li>", ((import_messages.translate(w),) for w in obj.warnings)
        )
        return format_html("<ul>{}</ul>", items)


@admin.register(Answer)
class AnswerAdmin(AnswerSearchMixin, AuditedAdmin):
    paginator = EstimatedCountPaginator
    list_display = ["candidate", "label", "short_question", "question", "short_body"]
    list_filter = ["submission__questionnaire", "question"]
    show_full_result_count = False
    list_select_related = ["submission__candidate", "question"]
    search_fields = ["body", "question_text", "submission__candidate__full_name"]
    autocomplete_fields = ["submission", "question"]
    object_select_related = ["submission__candidate", "submission__questionnaire", "question"]
    history_select_related = ["submission__candidate", "submission__questionnaire"]
    readonly_fields = ["rendered_body"]

    def get_readonly_fields(self, request, obj=None):
        # An answer stays on the sheet it was imported from.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else [*fields, "submission"]

    def get_queryset(self, request):
        return _visible_candidates(request, super().get_queryset(request), "submission__candidate")

    def get_urls(self):
        # "Find answers" (interviews.admin.search); the view checks view_answer.
        def find(request):
            return find_answers_view(request, self)

        # Copied answers (interviews.admin.copying): each view checks who may open it.
        def copied(request):
            return copying_admin.report_view(request, self)

        def similar(request, pk, other_pk):
            return copying_admin.side_by_side_view(request, self, pk, other_pk)

        def similar_source(request, pk, source_answer_pk):
            return copying_admin.source_side_by_side_view(request, self, pk, source_answer_pk)

        wrap = self.admin_site.admin_view
        return [
            path("find/", wrap(find), name="interviews_answer_find"),
            path("copied/", wrap(copied), name="interviews_answer_copied"),
            path(
                "<int:pk>/similar/<int:other_pk>/",
                wrap(similar),
                name="interviews_answer_similar",
            ),
            path(
                "<int:pk>/source/<int:source_answer_pk>/",
                wrap(similar_source),
                name="interviews_answer_similar_source",
            ),
            *super().get_urls(),
        ]

    def has_copied_report_permission(self, request):
        """May open the report of copied answers (and the side-by-side view)."""
        return self.has_view_permission(request) and roles.sees_copied_answers(request.user)

    @admin.display(description=_("candidate"), ordering="submission__candidate__full_name")
    def candidate(self, obj):
        return obj.submission.candidate

    @admin.display(description=_("question as written"))
    def short_question(self, obj):
        return short(obj.question_text, 60)

    @admin.display(description=_("answer"))
    def short_body(self, obj):
        return preview(obj.body, 80)

    @admin.display(description=_("rendered"))
    def rendered_body(self, obj):
        return format_html('<div class="zvonok-answer">{}</div>', render_markdown(obj.body))

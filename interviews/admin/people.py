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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import duplicates, roles
from ..db.queries import distinct_values
from ..models import Answer, Application, Candidate, Submission
from ..rendering import render_markdown
from . import privacy as privacy_admin
from .common import AuditedAdmin, ModelAdmin, StackedInline, TabularInline, short
from .exports import export_answers
from .pagination import EstimatedCountPaginator
from .search import AnswerSearchMixin, CandidateSearchMixin, find_answers_view


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


class ApplicationInline(TabularInline):
    model = Application
    extra = 0
    fields = ["vacancy", "stage", "owner", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["vacancy"]  # the owner: a select of active staff
    show_change_link = True

    def get_queryset(self, request):
        # The candidate too: each row is named after it.
        queryset = (
            super().get_queryset(request).select_related("candidate", "vacancy", "stage", "owner")
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
    inlines = [ApplicationInline, SubmissionInline]
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
        return privacy_admin.skills_text(obj)

    @admin.display(description=_("retention until"))
    def retention_deadline(self, obj):
        if not obj.pk:
            return "—"
        return date_format(timezone.localtime(obj.retention_deadline), "DATE_FORMAT")

    @admin.display(description=_("submissions"), ordering="_submission_count")
    def submission_count(self, obj):
        return obj._submission_count


class AnswerInline(StackedInline):
    """Answers of a submission, in file order, rendered read-only: what the candidate wrote
    is evidence and is not edited in place."""

    model = Answer
    extra = 0
    can_delete = False
    fields = ["label", "question", "question_text", "rendered_body", "line"]
    readonly_fields = fields
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    @admin.display(description=_("answer"))
    def rendered_body(self, obj):
        return format_html('<div class="zvonok-answer">{}</div>', render_markdown(obj.body))


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
    list_filter = ["questionnaire", "imported_at", NeedsReviewFilter]
    show_full_result_count = False
    list_select_related = ["candidate", "questionnaire"]
    str_select_related = ["candidate", "questionnaire"]
    search_fields = ["candidate__full_name", "candidate__email", "source_name", "sha256"]
    autocomplete_fields = ["candidate", "questionnaire", "application"]
    object_select_related = ["application__candidate", "application__vacancy", "imported_by"]
    # No date_hierarchy, as on candidates: the "imported" filter has the periods.
    readonly_fields = [
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
    inlines = [AnswerInline]
    actions = [export_answers]

    def get_queryset(self, request):
        queryset = (
            super().get_queryset(request).annotate(_answer_count=_count_of(Answer, "submission"))
        )
        return _visible_candidates(request, queryset, "candidate")

    def has_export_permission(self, request):
        # get_actions offers actions declared with permissions=["export"] only if this holds.
        return roles.can_export(request.user)

    def get_urls(self):
        # "Import answers" (interviews.admin.uploads); the views check add_submission.
        from .uploads import upload_urls

        return [*upload_urls(self), *super().get_urls()]

    @admin.display(description=_("answers"), ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count

    @admin.display(description=_("warnings"))
    def warning_count(self, obj):
        return len(obj.warnings or [])


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

    def get_queryset(self, request):
        return _visible_candidates(request, super().get_queryset(request), "submission__candidate")

    def get_urls(self):
        # "Find answers" (interviews.admin.search); the view checks view_answer.
        def find(request):
            return find_answers_view(request, self)

        return [
            path("find/", self.admin_site.admin_view(find), name="interviews_answer_find"),
            *super().get_urls(),
        ]

    @admin.display(description=_("candidate"), ordering="submission__candidate__full_name")
    def candidate(self, obj):
        return obj.submission.candidate

    @admin.display(description=_("question as written"))
    def short_question(self, obj):
        return short(obj.question_text, 60)

    @admin.display(description=_("answer"))
    def short_body(self, obj):
        return short(obj.body)

    @admin.display(description=_("rendered"))
    def rendered_body(self, obj):
        return format_html('<div class="zvonok-answer">{}</div>', render_markdown(obj.body))

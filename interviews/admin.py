"""The Django admin is Zvonok's main UI: HR staff and interviewers work here.

Every changelist costs the same number of queries whatever its page size: related rows
come through ``list_select_related`` and counts through ``get_queryset`` annotations.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Answer, Application, Candidate, Question, Questionnaire, Submission, Vacancy
from .rendering import render_markdown


def _short(text, length=80):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["number", "position", "text", "rubric", "max_score"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "question_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="_question_count")
    def question_count(self, obj):
        return obj._question_count


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["number", "short_text", "questionnaire", "max_score"]
    list_display_links = ["number", "short_text"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["text", "number", "questionnaire__title"]
    autocomplete_fields = ["questionnaire"]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return _short(obj.text)


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "questionnaire", "application_count", "is_open"]
    list_filter = ["is_open", "questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["questionnaire"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_application_count=Count("applications"))

    @admin.display(description=_("applications"), ordering="_application_count")
    def application_count(self, obj):
        return obj._application_count


class ApplicationInline(admin.TabularInline):
    model = Application
    extra = 0
    fields = ["vacancy", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["vacancy"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("vacancy")


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ["questionnaire", "revision", "source_name", "imported_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("questionnaire")


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "phone", "telegram", "source", "submission_count",
                    "created_at"]  # fmt: skip
    search_fields = ["full_name", "email", "phone", "telegram"]
    list_filter = ["source", "created_at"]
    date_hierarchy = "created_at"
    inlines = [ApplicationInline, SubmissionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_submission_count=Count("submissions"))

    @admin.display(description=_("submissions"), ordering="_submission_count")
    def submission_count(self, obj):
        return obj._submission_count


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["candidate", "vacancy", "created_at"]
    list_filter = ["vacancy"]
    list_select_related = ["candidate", "vacancy"]
    search_fields = ["candidate__full_name", "candidate__email", "vacancy__title"]
    autocomplete_fields = ["candidate", "vacancy"]


class AnswerInline(admin.StackedInline):
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


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["candidate", "questionnaire", "revision", "source_name", "answer_count",
                    "warning_count", "imported_at"]  # fmt: skip
    list_filter = ["questionnaire", "imported_at"]
    list_select_related = ["candidate", "questionnaire"]
    search_fields = ["candidate__full_name", "candidate__email", "source_name", "sha256"]
    autocomplete_fields = ["candidate", "questionnaire", "application"]
    date_hierarchy = "imported_at"
    readonly_fields = ["sha256", "encoding", "revision", "imported_at", "imported_by",
                       "warnings", "title", "preamble", "trailer", "original_text"]  # fmt: skip
    inlines = [AnswerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_answer_count=Count("answers"))

    @admin.display(description=_("answers"), ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count

    @admin.display(description=_("warnings"))
    def warning_count(self, obj):
        return len(obj.warnings or [])


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["candidate", "label", "short_question", "question", "short_body"]
    list_filter = ["submission__questionnaire", "question"]
    list_select_related = ["submission__candidate", "question"]
    search_fields = ["body", "question_text", "submission__candidate__full_name"]
    autocomplete_fields = ["submission", "question"]
    readonly_fields = ["rendered_body"]

    @admin.display(description=_("candidate"), ordering="submission__candidate__full_name")
    def candidate(self, obj):
        return obj.submission.candidate

    @admin.display(description=_("question as written"))
    def short_question(self, obj):
        return _short(obj.question_text, 60)

    @admin.display(description=_("answer"))
    def short_body(self, obj):
        return _short(obj.body)

    @admin.display(description=_("rendered"))
    def rendered_body(self, obj):
        return format_html('<div class="zvonok-answer">{}</div>', render_markdown(obj.body))

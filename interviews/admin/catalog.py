"""Admin for what HR prepares: questionnaires with their questions, vacancies, and the
templates of letters to candidates."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import applying, grammar, roles
from ..messaging.templates import VARIABLES
from ..models import MessageTemplate, Question, Questionnaire, Vacancy
from .common import ModelAdmin, TabularInline, short


class QuestionInline(TabularInline):
    model = Question
    extra = 0
    fields = ["number", "position", "text", "rubric", "max_score"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ModelAdmin):
    list_display = ["title", "slug", "question_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
    # Kept explicit: the Count annotation would otherwise drop the model's ordering, and
    # the autocomplete's pages would come unordered.
    ordering = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="_question_count")
    def question_count(self, obj):
        return obj._question_count


@admin.register(Question)
class QuestionAdmin(ModelAdmin):
    list_display = ["number", "short_text", "questionnaire", "max_score"]
    list_display_links = ["number", "short_text"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["text", "number", "questionnaire__title"]
    autocomplete_fields = ["questionnaire"]
    object_select_related = ["questionnaire"]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return short(obj.text)

    def get_urls(self):
        return [
            path(
                "<int:question_id>/answers/",
                self.admin_site.admin_view(self.answers_view),
                name="interviews_question_answers",
            ),
            *super().get_urls(),
        ]

    def answers_view(self, request, question_id):
        """Every candidate's answer to one question (interviews.admin.reports)."""
        from .reports import question_answers_view

        if not self.has_view_permission(request):
            raise PermissionDenied
        return question_answers_view(request, self, question_id)


@admin.register(Vacancy)
class VacancyAdmin(ModelAdmin):
    list_display = ["title", "slug", "questionnaire", "application_count", "is_open"]
    list_filter = ["is_open", "questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["questionnaire"]
    object_select_related = ["questionnaire", "owner"]
    readonly_fields = ["public_link"]
    actions = ["turn_on_public_link", "rotate_public_link", "turn_off_public_link"]
    # Kept explicit: the Count annotation would otherwise drop the model's ordering, and
    # the autocomplete's pages would come unordered.
    ordering = ["title"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_application_count=roles.visible_application_count(request.user, "vacancy"))
        )

    @admin.display(description=_("public link"))
    def public_link(self, obj):
        address = applying.link(obj) if obj.pk else ""
        if not address:
            return _("Off. Turn it on with the action in the list of vacancies.")
        if applying.is_open(obj):
            return format_html('<a href="{}">{}</a>', address, address)
        return format_html("{} ({})", address, _("closed: candidates see that it is closed"))

    # -- the public link (interviews.applying) ---------------------------------------

    def _report(self, request, message, count):
        self.message_user(request, message % {"count": grammar.noun(Vacancy).count(count)})

    @admin.action(description=_("Turn on the public link"), permissions=["change"])
    def turn_on_public_link(self, request, queryset):
        self._report(request, _("Public link turned on: %(count)s."), applying.turn_on(queryset))

    @admin.action(description=_("Replace the public link"), permissions=["change"])
    def rotate_public_link(self, request, queryset):
        self._report(
            request,
            _("Public link replaced, the old one no longer works: %(count)s."),
            applying.rotate(queryset),
        )

    @admin.action(description=_("Turn off the public link"), permissions=["change"])
    def turn_off_public_link(self, request, queryset):
        self._report(request, _("Public link turned off: %(count)s."), applying.turn_off(queryset))

    @admin.display(description=_("applications"), ordering="_application_count")
    def application_count(self, obj):
        return obj._application_count


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ModelAdmin):
    list_display = ["name", "purpose", "language", "subject", "updated_at"]
    list_filter = ["purpose", "language"]
    search_fields = ["name", "subject"]
    fields = ["name", "purpose", "language", "subject", "body"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # The editor says what a template may use; the model's clean() refuses the rest.
        form.base_fields["body"].help_text = _(
            "Variables: %(variables)s. Tags: if, elif, else, comment."
        ) % {"variables": ", ".join("{{ " + name + " }}" for name in VARIABLES)}
        return form

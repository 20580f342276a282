"""Admin for the hiring workflow: stages, applications moving through them, interviews and
scorecards, plus the scoring screen.

Blind feedback is enforced in ``get_queryset`` (``interviews.roles``), so a reviewer cannot
reach another reviewer's scores through any page, filter or URL before submitting their own.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Exists,
    OuterRef,
)
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from .. import roles, scheduling
from ..exports.tables import TALLY
from ..models import (
    AnswerScore,
    Application,
    Interview,
    RejectionReason,
    Scorecard,
    Stage,
    StageChange,
)
from ..numbers import format_figure
from .common import (
    AuditedAdmin,
    InstanceLabelsForm,
    ModelAdmin,
    RejectionReasonRule,
    TabularInline,
)
from .exports import application_urls, export_answers
from .messaging import MAX_RECIPIENTS, application_write_urls, write_to_candidates, write_url
from .pagination import EstimatedCountPaginator
from .people import MessageInline
from .scoring import score_view
from .search import ApplicationSearchMixin


@admin.register(Stage)
class StageAdmin(AuditedAdmin):
    list_display = ["name", "name_ru", "order", "kind", "application_count"]
    list_editable = ["order"]
    search_fields = ["name", "name_ru"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_application_count=roles.visible_application_count(request.user, "stage"))
        )

    @admin.display(description=_("applications"), ordering="_application_count")
    def application_count(self, obj):
        return obj._application_count


@admin.register(RejectionReason)
class RejectionReasonAdmin(ModelAdmin):
    list_display = ["name", "position", "template", "application_count"]
    list_editable = ["position"]
    list_select_related = ["template"]
    search_fields = ["name"]
    fields = ["name", "position", "template"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _application_count=roles.visible_application_count(request.user, "rejection_reason")
            )
        )

    @admin.display(description=_("applications"), ordering="_application_count")
    def application_count(self, obj):
        return obj._application_count


class StageChangeInline(TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    fields = ["at", "from_stage", "to_stage", "by", "comment"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_stage", "to_stage", "by")


class InterviewInline(TabularInline):
    model = Interview
    extra = 0
    fields = ["kind", "round", "scheduled_at", "duration_minutes", "status", "location"]
    show_change_link = True

    def get_queryset(self, request):
        # Each row is named after its application.
        return (
            super()
            .get_queryset(request)
            .select_related("application__candidate", "application__vacancy")
        )


class RecommendationFilter(admin.SimpleListFilter):
    title = _("recommendation")
    parameter_name = "recommendation"

    def lookups(self, request, model_admin):
        return Scorecard.Recommendation.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Only scorecards the user may see count: the filter must not leak blind feedback.
        visible = roles.visible_scorecards(request.user, Scorecard.objects.all())
        return queryset.filter(
            Exists(
                visible.filter(
                    application=OuterRef("pk"),
                    recommendation=self.value(),
                    submitted_at__isnull=False,
                )
            )
        )


class ApplicationForm(RejectionReasonRule, InstanceLabelsForm):
    stage_comment = forms.CharField(
        label=_("comment on the stage change"), required=False, widget=forms.Textarea({"rows": 2})
    )

    class Meta:
        model = Application
        fields = [
            "candidate",
            "vacancy",
            "stage",
            "owner",
            "rejection_reason",
            "rejection_comment",
        ]
        widgets = {"rejection_comment": forms.Textarea({"rows": 2})}


class RejectForm(forms.Form):
    """The reason asked for on the way to a rejection stage (the changelist's action)."""

    rejection_reason = forms.ModelChoiceField(
        label=_("rejection reason"), queryset=RejectionReason.objects.none(), required=False
    )

    def __init__(self, *args, reasons, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.fields["rejection_reason"].queryset = reasons

    def clean_rejection_reason(self):
        reason = self.cleaned_data["rejection_reason"]
        Application.check_rejection_reason(self.stage, reason)
        return reason


@admin.register(Application)
class ApplicationAdmin(ApplicationSearchMixin, AuditedAdmin):
    form = ApplicationForm
    paginator = EstimatedCountPaginator
    list_display = [
        "candidate",
        "vacancy",
        "stage",
        "days_in_stage",
        "owner",
        "submitted_scorecards",
        "average_score",
        "recommendation_tally",
    ]
    list_filter = ["vacancy", "stage", "owner", RecommendationFilter]
    list_select_related = ["candidate", "vacancy", "stage", "owner"]
    str_select_related = ["candidate", "vacancy"]
    # "N of M selected" needs a second COUNT(*) of the whole table: not worth it at scale.
    show_full_result_count = False
    search_fields = ["candidate__full_name", "candidate__email", "vacancy__title"]
    # The owner is a select of active staff (roles.assignable_users): a user autocomplete
    # would need a permission on the users' admin that no role has. The reason is an
    # autocomplete too: its label comes with the object, a select would cost a query.
    autocomplete_fields = ["candidate", "vacancy", "rejection_reason"]
    object_select_related = ["owner", "rejection_reason"]
    fields = [
        "candidate",
        "vacancy",
        "stage",
        "stage_comment",
        "owner",
        "rejection_reason",
        "rejection_comment",
        "stage_history",
    ]
    readonly_fields = ["stage_history"]
    inlines = [InterviewInline, StageChangeInline, MessageInline]
    actions = ["compare", export_answers, write_to_candidates]

    def get_queryset(self, request):
        queryset = roles.visible_applications(request.user, super().get_queryset(request))
        return queryset.with_feedback(request.user)

    def save_model(self, request, obj, form, change):
        obj.save(
            stage_changed_by=request.user, stage_comment=form.cleaned_data.get("stage_comment", "")
        )
        if "stage" in form.changed_data and obj.stage and obj.stage.kind == Stage.Kind.REJECTED:
            offer_rejection_letter(request, [obj.pk], obj.rejection_reason)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Interview:
            return super().save_formset(request, form, formset, change)
        # The interviews moved or cancelled here send their invitations as on the
        # interview's own page (their interviewers are not edited here); deleted ones
        # are cancelled by scheduling.cancel_deleted.
        interviews = [f.instance for f in formset.initial_forms if f.instance.pk is not None]
        before = scheduling.before_saving(interviews)
        super().save_formset(request, form, formset, change)
        changed = [obj for obj, _fields in formset.changed_objects]
        for interview in [*formset.new_objects, *changed]:
            outcome = scheduling.interview_saved(
                interview, before.get(interview.pk), sender=request.user
            )
            report_invitations(self, request, outcome)

    def delete_view(self, request, object_id, extra_context=None):
        if self.has_delete_permission(request):
            return super().delete_view(request, object_id, extra_context)
        # Said before looking the application up: a refusal confirms no id.
        context = {
            **self.admin_site.each_context(request),
            "title": _("Applications are not deleted"),
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/interviews/application/delete_refused.html", context, status=403
        )

    # -- columns ---------------------------------------------------------------------

    @admin.display(description=_("days in stage"), ordering="stage_changed_at")
    def days_in_stage(self, obj):
        return obj.days_in_stage

    @admin.display(description=_("scorecards"), ordering="_submitted")
    def submitted_scorecards(self, obj):
        return obj._submitted

    @admin.display(description=_("average score"), ordering="_average")
    def average_score(self, obj):
        return format_figure(obj._average)

    @admin.display(description=_("recommendations"))
    def recommendation_tally(self, obj):
        if obj._hidden:
            return _("hidden until you submit yours")
        # In words, most favourable first, the counts that are not zero alone: "да: 2,
        # нет: 1" needs no legend, and a column of zeros would tell nothing.
        counts = [(value.label, getattr(obj, f"_{value}")) for value in TALLY]
        said = [(label, count) for label, count in counts if count]
        if not said:
            return "—"
        return format_html_join("", "<div>{}: {}</div>", said)

    @admin.display(description=_("stage history"))
    def stage_history(self, obj):
        if obj.pk is None:
            return "—"
        rows = [
            (
                date_format(timezone.localtime(change.at), "SHORT_DATETIME_FORMAT"),
                change.from_stage or "—",
                change.to_stage,
                ngettext("%(days)d day", "%(days)d days", days) % {"days": days},
            )
            for change, days in stage_durations(obj)
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} → {} ({})</li>", rows))

    # -- actions ---------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        # get_actions runs several times per changelist: read the stages once a request.
        if not hasattr(request, "_zvonok_stages"):
            request._zvonok_stages = list(Stage.objects.all())
        for stage in request._zvonok_stages:
            name = f"move_to_stage_{stage.pk}"
            description = _("Move to stage “%(stage)s”") % {"stage": stage}
            move = _rejecter(stage) if stage.kind == Stage.Kind.REJECTED else _mover(stage)
            actions[name] = (move, name, description)
        return actions

    @admin.action(description=_("Compare selected applications"))
    def compare(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(reverse("admin:interviews_application_compare") + f"?ids={ids}")

    def has_export_permission(self, request):
        # get_actions offers actions declared with permissions=["export"] only if this holds.
        return roles.can_export(request.user)

    def has_write_permission(self, request):
        return roles.may_write_to_candidates(request.user)

    # -- extra pages -----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("compare/", wrap(self.compare_view), name="interviews_application_compare"),
            path("funnel/", wrap(self.funnel_view), name="interviews_application_funnel"),
            path("<int:pk>/score/", wrap(self.score_view), name="interviews_application_score"),
            *application_urls(self),
            *application_write_urls(self),
            *super().get_urls(),
        ]

    def compare_view(self, request):
        from .reports import compare_view

        if not self.has_view_permission(request):
            raise PermissionDenied
        return compare_view(request, self)

    def has_funnel_permission(self, request):
        return roles.can_export(request.user)

    def funnel_view(self, request):
        from .reports import funnel_view

        if not self.has_funnel_permission(request):
            raise PermissionDenied
        return funnel_view(request, self)

    def score_view(self, request, pk):
        return score_view(request, self, pk)


def _report_move(modeladmin, request, moved, stage):
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d application moved to “%(stage)s”.",
            "%(count)d applications moved to “%(stage)s”.",
            moved,
        )
        % {"count": moved, "stage": stage},
        messages.SUCCESS,
    )


def _mover(stage):
    def move(modeladmin, request, queryset):
        moved = queryset.move_to(stage, by=request.user)
        _report_move(modeladmin, request, len(moved), stage)

    return move


def _rejecter(stage):
    """The action to a rejection stage: a page that asks for the reason first (as the
    delete action asks for a confirmation), then the move with it."""

    def reject(modeladmin, request, queryset):
        reasons = modeladmin.get_field_queryset(
            None, Application._meta.get_field("rejection_reason"), request
        )
        form = RejectForm(
            request.POST if "confirm" in request.POST else None, reasons=reasons, stage=stage
        )
        if form.is_valid():
            reason = form.cleaned_data["rejection_reason"]
            moved = queryset.move_to(stage, by=request.user, reason=reason)
            _report_move(modeladmin, request, len(moved), stage)
            offer_rejection_letter(request, moved, reason)
            return None  # back to the changelist
        # The count alone: the changelist's own filters already cost most of the page's
        # budget, and the applications were just ticked on it.
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Reject applications"),
            "opts": modeladmin.model._meta,
            "form": form,
            "stage": stage,
            "count": queryset.count(),
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/interviews/application/reject.html", context)

    return reject


def offer_rejection_letter(request, ids, reason):
    """After a rejection, a link to write to the candidates with the reason's letter, for
    those who may write to candidates (never interviewers)."""
    if not ids or reason is None or reason.template_id is None:
        return
    # The write page takes as many recipients as its address can carry.
    if not roles.may_write_to_candidates(request.user) or len(ids) > MAX_RECIPIENTS:
        return
    url = write_url(ids, template=reason.template_id, reason=reason.name)
    messages.info(
        request,
        format_html(
            '<a href="{}">{}</a>',
            url,
            _("Write to the candidates: the letter for “%(reason)s”") % {"reason": reason},
        ),
    )


def stage_durations(application):
    """(StageChange, whole days spent in its target stage) for the application, in order;
    the last one runs until now."""
    changes = list(application.stage_changes.select_related("from_stage", "to_stage"))
    now = timezone.now()
    ends = [c.at for c in changes[1:]] + [now]
    return [(c, (end - c.at).days) for c, end in zip(changes, ends, strict=True)]


class InterviewForm(InstanceLabelsForm):
    """The interview's form for those who may write to the candidate (HR managers and
    recruiters): the invitation to the candidate goes only when asked for."""

    invite_candidate = forms.BooleanField(
        label=_("Send the invitation to the candidate"),
        required=False,
        help_text=_(
            "By e-mail, with the interview invitation template and the calendar file; "
            "a cancelled interview sends the cancellation. The interviewers always get theirs."
        ),
    )


@admin.register(Interview)
class InterviewAdmin(ModelAdmin):
    paginator = EstimatedCountPaginator
    list_display = ["application", "kind", "round", "scheduled_at", "duration_minutes", "status"]
    list_filter = ["status", "kind", "application__vacancy"]
    list_select_related = ["application__candidate", "application__vacancy"]
    str_select_related = ["application__candidate", "application__vacancy"]
    search_fields = ["application__candidate__full_name", "location", "notes"]
    autocomplete_fields = ["application"]  # interviewers: a select of active staff
    object_prefetch_related = ["interviewers"]
    readonly_fields = ["calendar_file"]
    date_hierarchy = "scheduled_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_interviewer_only(request.user):
            queryset = queryset.filter(interviewers=request.user)
        return queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        if scheduling.may_invite_candidate(request.user):
            kwargs["form"] = InterviewForm
        return super().get_form(request, obj, change, **kwargs)

    # -- invitations: after the interviewers are saved ------------------------------

    def save_model(self, request, obj, form, change):
        form.calendar_before = scheduling.before_saving([obj]).get(obj.pk)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        outcome = scheduling.interview_saved(
            form.instance,
            getattr(form, "calendar_before", None),
            sender=request.user,
            invite_candidate=form.cleaned_data.get("invite_candidate", False),
        )
        report_invitations(self, request, outcome)

    # -- the .ics download ------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/ics/", wrap(self.ics_view), name="interviews_interview_ics"),
            *super().get_urls(),
        ]

    def ics_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Among the interviews the user may open: another panel's interview is not found.
        interview = self.get_object(request, pk)
        if interview is None:
            raise Http404
        response = HttpResponse(
            scheduling.calendar_for(interview, user=request.user),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{scheduling.filename(interview)}"'
        return response

    @admin.display(description=_("calendar"))
    def calendar_file(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:interviews_interview_ics", args=[obj.pk])
        return format_html(
            '<a href="{}" download="{}">{}</a>',
            url,
            scheduling.filename(obj),
            _("Download the invitation (.ics)"),
        )


def report_invitations(model_admin, request, outcome):
    """Tell the user which invitations went out and which could not."""
    if outcome.interviewers:
        model_admin.message_user(
            request,
            ngettext(
                "The calendar invitation is being sent to %(count)d interviewer.",
                "The calendar invitation is being sent to %(count)d interviewers.",
                outcome.interviewers,
            )
            % {"count": outcome.interviewers},
            messages.SUCCESS,
        )
    if outcome.without_email:
        model_admin.message_user(
            request,
            _("No calendar invitation for interviewers without an e-mail address: %(names)s.")
            % {"names": ", ".join(outcome.without_email)},
            messages.WARNING,
        )
    refusals = {
        "no_email": _("The candidate has no e-mail address: no invitation was sent to them."),
        "no_template": _(
            "There is no interview invitation template: no invitation was sent to the candidate."
        ),
    }
    if outcome.candidate == "queued":
        model_admin.message_user(
            request, _("The invitation to the candidate is queued."), messages.SUCCESS
        )
    elif outcome.candidate in refusals:
        model_admin.message_user(request, refusals[outcome.candidate], messages.WARNING)


class AnswerScoreInline(TabularInline):
    model = AnswerScore
    extra = 0
    fields = ["answer", "score", "comment"]
    raw_id_fields = ["answer"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("answer__question")


class ScorecardForm(InstanceLabelsForm):
    # Set per request for those who write only their own scorecards: the reviewer is
    # who they are, set before validation so that "one scorecard per reviewer and
    # application" is checked on the form, not left to the database.
    author = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.author is not None and self.instance.reviewer_id is None:
            self.instance.reviewer = self.author

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.author is not None:
            exclude.discard("reviewer")
        return exclude


@admin.register(Scorecard)
class ScorecardAdmin(AuditedAdmin):
    history_for_recruiters = False  # blind feedback

    paginator = EstimatedCountPaginator
    list_display = ["application", "reviewer", "recommendation", "submitted_at", "score_link"]
    list_filter = [
        "recommendation",
        ("submitted_at", admin.EmptyFieldListFilter),
        "application__vacancy",
    ]
    list_select_related = ["application__candidate", "application__vacancy", "reviewer"]
    str_select_related = ["reviewer", "application__candidate", "application__vacancy"]
    search_fields = ["application__candidate__full_name", "summary"]
    autocomplete_fields = ["application", "interview"]
    object_select_related = ["interview__application__candidate", "interview__application__vacancy"]
    history_select_related = [
        "application__candidate",
        "application__vacancy",
        "interview__application__candidate",
        "interview__application__vacancy",
    ]
    fields = ["application", "reviewer", "interview", "recommendation", "summary", "submitted_at"]
    form = ScorecardForm
    inlines = [AnswerScoreInline]

    def get_queryset(self, request):
        return roles.visible_scorecards(request.user, super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if roles.is_hr_manager(request.user):
            return form
        return type(form.__name__, (form,), {"author": request.user})

    def get_readonly_fields(self, request, obj=None):
        if roles.is_hr_manager(request.user):
            return []
        # Everyone else writes only their own scorecard: the reviewer is who they are.
        return ["reviewer", "submitted_at"]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or roles.may_write_scorecard(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return roles.is_hr_manager(request.user) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not roles.is_hr_manager(request.user):
            obj.reviewer = request.user
        obj.save()

    @admin.display(description=_("scoring"))
    def score_link(self, obj):
        url = reverse("admin:interviews_application_score", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, pgettext("link to the scoring page", "open"))


@admin.register(AnswerScore)
class AnswerScoreAdmin(AuditedAdmin):
    history_for_recruiters = False  # blind feedback

    paginator = EstimatedCountPaginator
    list_display = ["scorecard", "answer", "score"]
    list_select_related = [
        "scorecard__reviewer",
        "scorecard__application__candidate",
        "scorecard__application__vacancy",
        "answer",
    ]
    str_select_related = ["answer"]
    raw_id_fields = ["scorecard", "answer"]
    object_select_related = [
        "scorecard__reviewer",
        "scorecard__application__candidate",
        "scorecard__application__vacancy",
    ]
    history_select_related = object_select_related

    def get_queryset(self, request):
        return roles.visible_scores(request.user, super().get_queryset(request))

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if db_field.name == "scorecard":
            # A score goes into a scorecard its author may still write.
            return roles.writable_scorecards(request.user, queryset)
        return queryset

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # HR managers first: their history pages need not load the scorecard.
        user = request.user
        return (
            obj is None
            or roles.is_hr_manager(user)
            or roles.may_write_scorecard(user, obj.scorecard)
        )


@admin.register(StageChange)
class StageChangeAdmin(ModelAdmin):
    """The audit trail of stage moves: read-only for everybody."""

    paginator = EstimatedCountPaginator
    list_display = ["application", "from_stage", "to_stage", "by", "at"]
    list_filter = ["to_stage", "application__vacancy"]
    list_select_related = [
        "application__candidate",
        "application__vacancy",
        "from_stage",
        "to_stage",
        "by",
    ]
    str_select_related = ["from_stage", "to_stage"]
    object_select_related = ["application__candidate", "application__vacancy", "by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_interviewer_only(request.user):
            visible = roles.visible_applications(request.user, Application.objects.all())
            queryset = queryset.filter(application__in=visible)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only as part of deleting an application or candidate, which HR managers alone do.
        return roles.is_hr_manager(request.user)

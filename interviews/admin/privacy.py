"""Candidates as people in the admin: duplicate and retention filters, the skills filter,
and the actions that merge, anonymise and export a person's data.

The work itself is done by ``interviews.duplicates`` and ``interviews.privacy``.
"""

import io
import zipfile
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import duplicates, privacy, roles
from ..models import Candidate, SkillClaim

SKILL_FILTER_CHOICES = [
    (f"{skill}:{minimum}", f"{skill} ≥ {minimum}")
    for skill in ("Python", "Django", "FastAPI", "Flask", "SQLAlchemy", "PostgreSQL", "Docker")
    for minimum in (7, 5)
]


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = _("possible duplicates")
    parameter_name = "duplicate"
    # Offered only to those who may read them (interviews.admin.common).
    fields_read = roles.CONTACT_FIELDS

    def lookups(self, request, model_admin):
        return [("yes", _("shares a contact with another candidate"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return duplicates.with_duplicate_flag(queryset).filter(has_duplicate=True)
        return queryset


class RetentionFilter(admin.SimpleListFilter):
    title = _("retention")
    parameter_name = "retention"

    def lookups(self, request, model_admin):
        return [
            ("passed", _("retention passed")),
            ("soon", _("ends within 30 days")),
            ("anonymised", _("anonymised")),
        ]

    def queryset(self, request, queryset):
        cutoff = timezone.now() - timedelta(days=settings.ZVONOK_RETENTION_DAYS)
        if self.value() == "passed":
            return privacy.retention_passed(queryset)
        if self.value() == "soon":
            return queryset.filter(
                anonymized_at__isnull=True,
                last_activity_at__gte=cutoff,
                last_activity_at__lt=cutoff + timedelta(days=30),
            )
        if self.value() == "anonymised":
            return queryset.filter(anonymized_at__isnull=False)
        return queryset


class SkillFilter(admin.SimpleListFilter):
    """Self-assessed ratings on a 10-point scale: "FastAPI ≥ 7"."""

    title = _("self-assessed skill")
    parameter_name = "skill"

    def lookups(self, request, model_admin):
        return SKILL_FILTER_CHOICES

    def queryset(self, request, queryset):
        if not self.value() or ":" not in self.value():
            return queryset
        skill, _sep, minimum = self.value().partition(":")
        try:
            minimum = float(minimum)
        except ValueError:
            return queryset
        # Ratings are stored on their own scale (8/10, 4/5, 80%): compare on ten points.
        claims = (
            SkillClaim.objects.filter(candidate=OuterRef("pk"), skill=skill, value__isnull=False)
            .annotate(rating10=F("value") * 10.0 / F("scale"))
            .filter(rating10__gte=minimum)
        )
        return queryset.filter(Exists(claims))


def skills_text(candidate) -> str:
    """The candidate's rated skills, best first, from prefetched claims."""
    rated = [c for c in candidate.skills.all() if c.value is not None]
    rated.sort(key=lambda c: (-(c.rating10 or 0), c.skill))
    seen, parts = set(), []
    for claim in rated:
        if claim.skill not in seen:
            seen.add(claim.skill)
            parts.append(f"{claim.skill} {claim.value:g}/{claim.scale}")
    return ", ".join(parts) or "—"


# -- actions -------------------------------------------------------------------------------


@admin.action(description=_("Anonymise selected candidates"))
def anonymize_candidates(modeladmin, request, queryset):
    if not roles.is_hr_manager(request.user):
        raise PermissionDenied
    done, refused = 0, []
    for candidate in queryset:
        try:
            done += privacy.anonymize(candidate, by=request.user)
        except privacy.PrivacyError as exc:
            refused.append(_("%(reason)s: close it to anonymise the candidate") % {"reason": exc})
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d candidate anonymised.", "%(count)d candidates anonymised.", done)
            % {"count": done},
            messages.SUCCESS,
        )
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


@admin.action(description=_("Export all data about selected candidates (subject access)"))
def export_candidate_data(modeladmin, request, queryset):
    if not roles.is_hr_manager(request.user):
        raise PermissionDenied
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for candidate in queryset:
            data = privacy.subject_data(candidate)
            archive.writestr(f"candidate-{candidate.pk}.json", privacy.subject_json(data))
            archive.writestr(f"candidate-{candidate.pk}.md", privacy.subject_markdown(data))
            privacy.record_export(candidate, by=request.user)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="candidate-data.zip"'
    return response


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Candidate.objects.none(), widget=forms.RadioSelect, label=_("keep")
    )
    stages_from = forms.ChoiceField(
        label=_("if both applied for one vacancy in different stages, the stage of"),
        choices=[
            ("", _("— refuse to merge —")),
            ("keep", _("the candidate kept")),
            ("merge", _("the other candidate")),
        ],
        required=False,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = candidates


@admin.action(description=_("Merge two selected candidates"))
def merge_candidates(modeladmin, request, queryset):
    if not roles.is_hr_manager(request.user):
        raise PermissionDenied
    # Without the list's prefetched skills: this page does not show them. len(): the
    # candidates are listed below anyway.
    candidates = queryset.order_by("created_at", "pk").prefetch_related(None)
    if len(candidates) != 2:
        modeladmin.message_user(request, _("Select exactly two candidates."), messages.ERROR)
        return None
    form = MergeForm(request.POST if "confirm" in request.POST else None, candidates=candidates)
    if form.is_bound and form.is_valid():
        keep = form.cleaned_data["keep"]
        other = next(c for c in candidates if c.pk != keep.pk)
        try:
            duplicates.merge_candidates(
                keep=keep,
                merge=other,
                stages_from=form.cleaned_data["stages_from"] or None,
                by=request.user,
            )
        except duplicates.MergeError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            modeladmin.message_user(request, _("Candidates merged."), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:interviews_candidate_change", args=[keep.pk])
            )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge candidates"),
        "opts": modeladmin.model._meta,
        "form": form,
        "candidates": candidates,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/interviews/candidate/merge.html", context)


class ArchivedFilter(admin.SimpleListFilter):
    """Archived candidates stay out of the list unless asked for."""

    title = _("archive")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", _("active")), ("yes", _("archived")), ("all", _("all"))]

    def choices(self, changelist):
        value = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "no":
            return queryset.filter(archived_at__isnull=True)
        if value == "yes":
            return queryset.filter(archived_at__isnull=False)
        return queryset


@admin.action(description=_("Archive selected candidates"), permissions=["change"])
def archive_candidates(modeladmin, request, queryset):
    count = queryset.filter(archived_at__isnull=True).update(archived_at=timezone.now())
    modeladmin.message_user(
        request,
        ngettext("%(count)d candidate archived.", "%(count)d candidates archived.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Restore selected candidates from the archive"), permissions=["change"])
def unarchive_candidates(modeladmin, request, queryset):
    count = queryset.filter(archived_at__isnull=False).update(archived_at=None)
    modeladmin.message_user(
        request,
        ngettext("%(count)d candidate restored.", "%(count)d candidates restored.", count)
        % {"count": count},
        messages.SUCCESS,
    )

"""Writing to candidates in the admin: the write page for selected applications, and the
messages' list where a failed letter is sent again.

Thin: who may write is ``roles.may_write_to_candidates`` (checked here, server side,
before anything is looked up), which applications is the application admin's own
queryset, the letters come from ``interviews.messaging.outbox``.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import roles
from ..messaging import outbox
from ..messaging.templates import TemplateRefused
from ..models import Message, MessageTemplate
from .common import ModelAdmin

#: Recipients of one letter page: every one of them is a subject and a body to read.
MAX_RECIPIENTS = 200
MAX_REASON_CHARS = 1000


def application_write_urls(model_admin):
    """The write page, which ApplicationAdmin.get_urls adds before its object URLs."""
    return [
        path(
            "write/",
            model_admin.admin_site.admin_view(partial(write_view, model_admin=model_admin)),
            name="interviews_application_write",
        )
    ]


def write_url(ids, **params) -> str:
    query = {"ids": ",".join(str(pk) for pk in ids), **{k: v for k, v in params.items() if v}}
    return reverse("admin:interviews_application_write") + "?" + urlencode(query)


@admin.action(description=gettext_lazy("Write to candidates"), permissions=["write"])
def write_to_candidates(modeladmin, request, queryset):
    ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: MAX_RECIPIENTS + 1])
    if len(ids) > MAX_RECIPIENTS:
        modeladmin.message_user(request, _too_many(), messages.ERROR)
        return None
    return HttpResponseRedirect(write_url(ids))


class ChooseTemplateForm(forms.Form):
    """The page's first step, sent by GET: which template, and the reason it may use."""

    template = forms.ModelChoiceField(
        label=gettext_lazy("Message template"), queryset=MessageTemplate.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=MAX_REASON_CHARS,
        help_text=gettext_lazy("Given to the template as {{ reason }}."),
        widget=forms.Textarea({"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class LetterForm(forms.Form):
    """One recipient's letter, as rendered and perhaps edited."""

    application = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=outbox.MAX_SUBJECT_CHARS)
    body = forms.CharField(label=gettext_lazy("Body"), widget=forms.Textarea({"rows": 10}))

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise forms.ValidationError(_("A subject is one line."))
        return subject

    def clean_body(self):
        # Browsers post a textarea's lines with CRLF; a letter is kept with LF, as rendered.
        return self.cleaned_data["body"].replace("\r\n", "\n") + "\n"


LetterFormSet = forms.formset_factory(
    LetterForm,
    extra=0,
    max_num=MAX_RECIPIENTS,
    absolute_max=MAX_RECIPIENTS,
    validate_max=True,
)


def write_view(request, *, model_admin):
    """``?ids=1,2&template=<pk>&reason=…``: the letters to the applications' candidates,
    each rendered from the template and editable; a POST to the same address queues them."""
    # Before anything is looked up: interviewers learn nothing here, not even which ids exist.
    if not (
        roles.may_write_to_candidates(request.user) and model_admin.has_view_permission(request)
    ):
        raise PermissionDenied
    ids = _parse_ids(request.GET.get("ids", ""))
    if ids is None:
        model_admin.message_user(request, _too_many(), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:interviews_application_changelist"))
    applications = _applications(request, model_admin, ids)
    recipients = [a for a in applications if a.candidate.email]
    choose = ChooseTemplateForm(
        request.GET if "template" in request.GET else None,
        templates=_templates(request, model_admin),
        initial={"reason": request.GET.get("reason", "")},
    )
    template = choose.cleaned_data["template"] if choose.is_bound and choose.is_valid() else None

    letters = None
    if request.method == "POST":
        letters = LetterFormSet(request.POST)
        count = _queue(request, letters, recipients, template)
        if count:
            return _sent(request, model_admin, count, letters)
    elif template is not None and recipients:
        letters = _rendered(choose, recipients)

    by_pk = {a.pk: a for a in recipients}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Write to candidates"),
        "ids": ",".join(str(pk) for pk in ids),
        "choose": choose,
        "template": template,
        "letters": letters,
        "rows": [(form, by_pk.get(_application_pk(form))) for form in letters or ()],
        "recipients": recipients,
        "skipped": [a for a in applications if not a.candidate.email],
        "missing": _not_found(len(ids) - len(applications)),
    }
    return TemplateResponse(request, "admin/interviews/application/write.html", context)


def _queue(request, letters, recipients, template) -> int:
    """Queue the posted letters in one transaction; how many (0: the page is shown again
    with the formset's errors). The letters keep the template they were written from,
    if any: the texts are the ones posted."""
    if not letters.is_valid():
        return 0
    by_pk = {a.pk: a for a in recipients}
    posted = [form.cleaned_data for form in letters.forms]
    # A letter for an application the page did not offer (edited ids, or the candidate's
    # address gone meanwhile) refuses the lot: nothing silently dropped or half sent.
    if not posted or any(letter["application"] not in by_pk for letter in posted):
        letters._non_form_errors = letters.error_class(
            [_("The recipients changed since the page was shown: open it again.")]
        )
        return 0
    with transaction.atomic():
        for letter in posted:
            outbox.queue_message(
                application=by_pk[letter["application"]],
                subject=letter["subject"],
                body=letter["body"],
                template=template,
                sender=request.user,
            )
    return len(posted)


def _sent(request, model_admin, count, letters):
    model_admin.message_user(
        request,
        ngettext(
            "%(count)d message queued for sending.",
            "%(count)d messages queued for sending.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
    if count == 1:
        application = letters.forms[0].cleaned_data["application"]
        return HttpResponseRedirect(
            reverse("admin:interviews_application_change", args=[application])
        )
    return HttpResponseRedirect(reverse("admin:interviews_application_changelist"))


def _rendered(choose, recipients):
    """The formset of letters rendered from the chosen template, one per recipient."""
    template = choose.cleaned_data["template"]
    extra = {"reason": choose.cleaned_data["reason"]}
    initial = []
    try:
        for application in recipients:
            subject, body = outbox.compose(template, application, extra=extra)
            initial.append({"application": application.pk, "subject": subject, "body": body})
    except TemplateRefused as exc:
        # Stored templates compile (MessageTemplate.clean); one saved around it does not.
        choose.add_error("template", str(exc))
        return None
    return LetterFormSet(initial=initial)


def _applications(request, model_admin, ids):
    """The visible ones among ``ids``, in the order given; the rest are not found."""
    found = (
        model_admin.get_queryset(request)
        .filter(pk__in=ids)
        .select_related("candidate", "vacancy")
        .order_by()
    )
    by_pk = {a.pk: a for a in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _templates(request, model_admin):
    """The templates the user may see in their own admin: the choices, and what a POST
    may name."""
    template_admin = model_admin.admin_site._registry.get(MessageTemplate)
    if template_admin is None or not template_admin.has_view_permission(request):
        return MessageTemplate.objects.none()
    return template_admin.get_queryset(request)


def _parse_ids(value: str) -> list[int] | None:
    """Ids in the order given, each once, tokens that are no id left out; None for more
    than MAX_RECIPIENTS (checked before the rest is read)."""
    ids, seen = [], set()
    for token in value.split(",", MAX_RECIPIENTS * 2)[: MAX_RECIPIENTS * 2]:
        pk = _int(token)
        if pk is not None and pk not in seen:
            seen.add(pk)
            ids.append(pk)
            if len(ids) > MAX_RECIPIENTS:
                return None
    return ids


def _int(value) -> int | None:
    token = (value or "").strip()
    # Longer than 18 digits cannot be a bigint primary key.
    return int(token) if token.isascii() and token.isdigit() and len(token) <= 18 else None


def _application_pk(form):
    if form.is_bound:
        return _int(form["application"].value())
    return form.initial.get("application")


def _not_found(count: int) -> str:
    # Not found, not allowed, or not a number: the same words, so that ids of applications
    # the user may not open are not confirmed to exist.
    if not count:
        return ""
    return ngettext(
        "%(count)d of the selected applications was not found.",
        "%(count)d of the selected applications were not found.",
        count,
    ) % {"count": count}


def _too_many():
    return ngettext(
        "Select at most %(count)d application to write to.",
        "Select at most %(count)d applications to write to.",
        MAX_RECIPIENTS,
    ) % {"count": MAX_RECIPIENTS}


@admin.register(Message)
class MessageAdmin(ModelAdmin):
    """Every letter written to candidates, as sent: a record, read only. A failed one is
    sent again by the action, with three new tries. Deleting stays the model permission's
    (HR managers): deleting a candidate in the admin deletes their letters with them."""

    list_display = ["created_at", "candidate", "subject", "to", "status", "sent_at", "error"]
    list_filter = ["status"]
    list_select_related = ["candidate"]
    object_select_related = [
        "candidate",
        "application__candidate",
        "application__vacancy",
        "template",
        "sender",
    ]
    # The status filter and the newest first: the table grows with every letter.
    show_full_result_count = False
    search_fields = ["subject", "to", "candidate__full_name"]
    fields = [
        "candidate",
        "application",
        "template",
        "to",
        "subject",
        "body",
        "sender",
        "status",
        "error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        # Letters are written on the write page, from applications.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_write_permission(self, request):
        return roles.may_write_to_candidates(request.user)

    @admin.action(description=gettext_lazy("Send again"), permissions=["write"])
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message queued for sending again.",
                "%(count)d failed messages queued for sending again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

"""The candidates' pages (interviews.applying): a vacancy's public page with its form and
preview, and the page an e-mail's confirmation link opens. No login; own templates."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from . import applying, uploads
from .middleware import client_ip


class ApplyForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("A link to confirm the sending goes to this address.")
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    telegram = forms.CharField(label=_("Telegram"), max_length=100, required=False)
    link = forms.URLField(
        label=_("Link to your repository or your answers file"),
        max_length=1000,
        required=False,
        assume_scheme="https",
    )
    file = forms.FileField(label=_("Or a file: .md, .markdown or .txt"), required=False)
    text = forms.CharField(label=_("Or the answers' text"), widget=forms.Textarea, required=False)
    consent = forms.BooleanField(required=True)
    # Hidden from people by the stylesheet; a bot filling every field fills this one.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = applying.consent_text()
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    def person(self):
        return {k: self.cleaned_data[k] for k in ("full_name", "email", "phone", "telegram")}


def _page(request, vacancy, form, *, preview=None, draft="", error="", status=200):
    context = {
        "error": error,
        "vacancy": vacancy,
        "questions": applying.questions(vacancy),
        "form": form,
        "preview": preview,
        "draft": draft,
    }
    return render(request, "interviews/apply/page.html", context, status=status)


def _too_many(request):
    return render(request, "interviews/apply/too_many.html", status=429)


def _sent(request, vacancy):
    # The same page whether or not the address is known, or the sender a bot.
    context = {"vacancy": vacancy, "hours": applying.CONFIRM_HOURS}
    return render(request, "interviews/apply/sent.html", context)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def apply_page(request, token):
    vacancy = applying.find(token)
    if vacancy is None:
        # The same page for a token that never existed and one that was replaced.
        return render(request, "interviews/apply/closed.html", {"vacancy": None}, status=404)
    if not applying.is_open(vacancy):
        return render(request, "interviews/apply/closed.html", {"vacancy": vacancy}, status=410)
    if request.method == "GET":
        return _page(request, vacancy, ApplyForm())
    if not applying.within_rate_limit(client_ip(request)):
        return _too_many(request)
    if "draft" in request.POST:
        row = applying.find_draft(vacancy, request.POST["draft"])
        if row is None:
            error = _("This preview has expired. Please hand in your answers again.")
            return _page(request, vacancy, ApplyForm(), error=error, status=400)
        applying.send(row)
        return _sent(request, vacancy)
    form = ApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, vacancy, form, status=400)
    if form.cleaned_data["website"]:
        return _sent(request, vacancy)
    limits = uploads.Limits.from_settings()
    try:
        answers = applying.read_answers(
            link=form.cleaned_data["link"],
            upload=form.cleaned_data["file"],
            text=form.cleaned_data["text"],
            limits=limits,
        )
    except applying.ApplyError as exc:
        form.add_error(None, str(exc))
        return _page(request, vacancy, form, status=400)
    draft, row = applying.create_draft(vacancy=vacancy, person=form.person(), answers=answers)
    preview = applying.preview(row, limits=limits)
    if preview.error:
        row.delete()
        form.add_error(None, preview.error)
        return _page(request, vacancy, form, status=400)
    return _page(request, vacancy, form, preview=preview, draft=draft)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def apply_confirm(request, token):
    row = applying.find_confirmation(token)
    if row is None:
        return render(request, "interviews/apply/confirm_gone.html", status=404)
    if request.method == "GET":
        # Mail scanners open links: only the button's POST imports.
        return render(request, "interviews/apply/confirm.html", {"vacancy": row.vacancy})
    if not applying.within_rate_limit(client_ip(request)):
        return _too_many(request)
    report = applying.confirm(token, limits=uploads.Limits.from_settings())
    if report is None:
        return render(request, "interviews/apply/confirm_gone.html", status=404)
    failed = report.status == applying.importing.FAILED
    return render(
        request,
        "interviews/apply/confirmed.html",
        {"vacancy": row.vacancy, "failed": failed, "contact": settings.DEFAULT_FROM_EMAIL},
        status=500 if failed else 200,
    )

"""The scoring page of an application: its form, and the view ``ApplicationAdmin`` serves
at ``<id>/score/``. Which answers are scored and how a scorecard is saved is
``interviews.scoring``'s."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import roles
from ..models import Scorecard
from ..rendering import render_markdown
from ..scoring import answers_to_score, save_scorecard
from .copying import badges


class ScoringForm(forms.Form):
    """One score and comment per answer, plus the overall recommendation and summary."""

    recommendation = forms.ChoiceField(
        label=_("recommendation"),
        choices=[("", "—"), *Scorecard.Recommendation.choices],
        required=False,
    )
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea)

    def __init__(self, *args, items, scorecard=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if scorecard is not None:
            initial.update(recommendation=scorecard.recommendation, summary=scorecard.summary)
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            pk = item.answer.pk
            top = item.answer.question.max_score if item.answer.question else 5
            self.fields[f"score_{pk}"] = forms.TypedChoiceField(
                label=_("score"),
                choices=[("", "—"), *((n, n) for n in range(1, top + 1))],
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"comment_{pk}"] = forms.CharField(
                label=_("comment"), required=False, widget=forms.Textarea({"rows": 2})
            )
            if item.score is not None:
                initial[f"score_{pk}"] = item.score.score
                initial[f"comment_{pk}"] = item.score.comment

    def clean(self):
        data = super().clean()
        if "submit" in self.data:
            if not data.get("recommendation"):
                self.add_error("recommendation", _("Choose a recommendation to submit."))
            missing = [i for i in self.items if data.get(f"score_{i.answer.pk}") is None]
            if missing:
                raise forms.ValidationError(
                    ngettext(
                        "%(count)d answer has no score yet.",
                        "%(count)d answers have no score yet.",
                        len(missing),
                    )
                    % {"count": len(missing)}
                )
        return data

    def scores(self):
        return {
            item.answer.pk: (
                self.cleaned_data[f"score_{item.answer.pk}"],
                self.cleaned_data[f"comment_{item.answer.pk}"],
            )
            for item in self.items
        }


def score_view(request, model_admin, pk):
    """A reviewer's scorecard for one application: a score and comment per answer of its
    latest sheet, then a recommendation; read-only once submitted."""
    if not request.user.has_perm("interviews.add_scorecard"):
        raise PermissionDenied
    application = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    scorecard = Scorecard.objects.filter(application=application, reviewer=request.user).first()
    read_only = scorecard is not None and scorecard.is_submitted
    items = answers_to_score(application, scorecard)
    if request.method == "POST" and not read_only:
        form = ScoringForm(request.POST, items=items)
        if form.is_valid():
            submit = "submit" in request.POST
            save_scorecard(
                application=application,
                reviewer=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                summary=form.cleaned_data["summary"],
                submit=submit,
            )
            model_admin.message_user(
                request,
                _("Scorecard submitted.") if submit else _("Draft saved."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
    else:
        form = ScoringForm(items=items, scorecard=scorecard)
    others = []
    if read_only or roles.is_hr_manager(request.user):
        others = list(
            roles.visible_scorecards(request.user, Scorecard.objects.all())
            .filter(application=application, submitted_at__isnull=False)
            .exclude(reviewer=request.user)
            .select_related("reviewer")
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Score %(application)s") % {"application": application},
        "opts": model_admin.model._meta,
        "application": application,
        "scorecard": scorecard,
        "read_only": read_only,
        "form": form,
        "rows": [
            {
                "answer": item.answer,
                "question": item.answer.question,
                "rendered": render_markdown(item.answer.body),
                "rubric": render_markdown(item.answer.question.rubric)
                if item.answer.question and item.answer.question.rubric
                else "",
                "score_field": form[f"score_{item.answer.pk}"],
                "comment_field": form[f"comment_{item.answer.pk}"],
            }
            for item in items
        ],
        "others": others,
        "copied": badges(request.user, [item.answer.pk for item in items]),
    }
    return TemplateResponse(request, "admin/interviews/application/score.html", context)

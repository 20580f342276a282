"""The same person twice: finding candidates who share contacts, and merging them.

Contacts are stored normalised (``interviews.sheets.contacts``), so equality finds duplicates.
Merging moves everything attached to one candidate onto the other in one transaction.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from .models import (
    Application,
    Candidate,
    DataProtectionEvent,
    Interview,
    Message,
    Scorecard,
    SkillClaim,
    StageChange,
    Submission,
)


class MergeError(Exception):
    """The merge cannot be done as asked; the message says why, in one line."""


def _same_email(value):
    """The e-mail equal to ``value`` whatever the case, written as the unique index on
    LOWER(email) WHERE email <> '' is, so that the lookup is an index probe (``iexact``
    compiles to UPPER(), which no index has, and reads the whole table)."""
    return Q(Exact(Lower("email"), value)) & ~Q(email="")


def with_duplicate_flag(queryset):
    """Annotate ``has_duplicate``: another candidate has the same e-mail, phone or handle."""
    others = Candidate.objects.exclude(pk=OuterRef("pk"))
    same = (
        _same_email(Lower(OuterRef("email")))
        | Q(phone=OuterRef("phone"), phone__gt="")
        | Q(telegram=OuterRef("telegram"), telegram__gt="")
    )
    return queryset.annotate(has_duplicate=Exists(others.filter(same)))


def duplicates_of(candidate: Candidate):
    """Other candidates sharing an e-mail, phone or Telegram handle with ``candidate``."""
    same = Q()
    for field in ("email", "phone", "telegram"):
        if value := getattr(candidate, field):
            same |= _same_email(value.lower()) if field == "email" else Q(**{field: value})
    if not same:
        return Candidate.objects.none()
    return Candidate.objects.filter(same).exclude(pk=candidate.pk)


CONSENT_FIELDS = ("consent_at", "consent_method", "legal_basis")


def stronger_consent(first: Candidate, second: Candidate) -> Candidate:
    """The one of two records of a person whose consent the merged record keeps.

    Stronger means: a recorded consent (a date) beats none; of two recorded consents, the
    more recent one, as the person's latest word; without a date on either, a recorded
    legal basis or method beats none. On a tie, ``first``. The three fields always come
    from the same record: a date is never paired with another record's method or basis.
    """

    def strength(candidate):
        given = candidate.consent_at
        return (
            given is not None,
            given.timestamp() if given is not None else 0.0,
            bool(candidate.legal_basis or candidate.consent_method),
        )

    return second if strength(second) > strength(first) else first


@transaction.atomic
def merge_candidates(
    *, keep: Candidate, merge: Candidate, stages_from: str | None = None, by=None
) -> Candidate:
    """Move ``merge``'s applications, submissions, scorecards, skills and history onto
    ``keep`` and delete ``merge``. The kept record takes the stronger of the two consents
    (``stronger_consent``); the merge event records whose it was.

    When both applied to the same vacancy, the two applications become one. If they stand
    in different stages, ``stages_from`` must say which wins: ``"keep"`` or ``"merge"``;
    otherwise MergeError is raised and nothing changes.
    """
    if keep.pk == merge.pk:
        raise MergeError(_("A candidate cannot be merged with itself."))
    keep = Candidate.objects.select_for_update().get(pk=keep.pk)
    merge = Candidate.objects.select_for_update().get(pk=merge.pk)

    kept_apps = {a.vacancy_id: a for a in Application.objects.filter(candidate=keep)}
    for app in Application.objects.filter(candidate=merge).select_related("vacancy"):
        twin = kept_apps.get(app.vacancy_id)
        if twin is None:
            Application.objects.filter(pk=app.pk).update(candidate=keep)
            continue
        if twin.stage_id != app.stage_id and stages_from not in ("keep", "merge"):
            raise MergeError(
                _(
                    "Both candidates applied for “%(vacancy)s” and stand in different stages; "
                    "choose whose stage wins."
                )
                % {"vacancy": app.vacancy}
            )
        reviewers = set(twin.scorecards.values_list("reviewer_id", flat=True))
        if app.scorecards.filter(reviewer_id__in=reviewers).exists():
            raise MergeError(
                _("A reviewer scored both applications for “%(vacancy)s”; merge by hand.")
                % {"vacancy": app.vacancy}
            )
        for model in (Submission, Interview, Scorecard, StageChange, Message):
            model.objects.filter(application=app).update(application=twin)
        if stages_from == "merge" and twin.stage_id != app.stage_id:
            twin.move_to(app.stage, by=by, comment=_("merged candidates"))
        app.delete()

    Submission.objects.filter(candidate=merge).update(candidate=keep)
    SkillClaim.objects.filter(candidate=merge).update(candidate=keep)
    Message.objects.filter(candidate=merge).update(candidate=keep)
    DataProtectionEvent.objects.filter(candidate=merge).update(candidate=keep)
    # The merged record's audit trail continues under the kept one.
    Candidate.history.filter(id=merge.pk).update(id=keep.pk)
    Application.history.filter(candidate_id=merge.pk).update(candidate_id=keep.pk)

    for field in ("email", "phone", "telegram", "source"):
        if not getattr(keep, field) and getattr(merge, field):
            setattr(keep, field, getattr(merge, field))
    if merge.notes:
        keep.notes = "\n\n".join(filter(None, [keep.notes, merge.notes]))
    consent = stronger_consent(keep, merge)
    for field in CONSENT_FIELDS:
        setattr(keep, field, getattr(consent, field))
    consent_from = consent.pk if any(getattr(consent, f) for f in CONSENT_FIELDS) else None
    merged_pk = merge.pk
    # Free the unique e-mail before the kept record takes it over.
    merge.delete()
    keep.save()
    DataProtectionEvent.objects.create(
        kind=DataProtectionEvent.Kind.MERGED,
        candidate=keep,
        candidate_ref=keep.pk,
        by=by,
        details={"merged": merged_pk, "consent_from": consent_from},
    )
    return keep

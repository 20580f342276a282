"""The three roles of Zvonok and what each may see.

Groups carry the model permissions (created by migration 0003); this module adds the rules
that depend on the row: which applications an interviewer may open, whose scorecards a
reviewer may read (blind feedback) and write, and who may be named in a user field; and
the fields a role may not read at all: the candidates' contacts, wherever they are kept.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce

HR_MANAGER = "HR manager"
RECRUITER = "Recruiter"
INTERVIEWER = "Interviewer"
ROLES = (HR_MANAGER, RECRUITER, INTERVIEWER)

# Model permissions per role: model name -> actions. HR managers get every permission of
# the app. Row-level limits live in the admin's querysets (see below).
ROLE_PERMISSIONS = {
    RECRUITER: {
        # Deleting a person erases their history: HR managers only (migration 0007).
        "candidate": ["view", "add", "change"],
        # Deleting an application erases its stage history, which is HR-only.
        "application": ["view", "add", "change"],
        "stage": ["view", "add", "change", "delete"],
        "stagechange": ["view"],
        "interview": ["view", "add", "change", "delete"],
        "submission": ["view", "add", "change"],
        "answer": ["view"],
        "questionnaire": ["view"],
        "question": ["view"],
        "vacancy": ["view", "add", "change"],
        "scorecard": ["view", "add", "change"],
        "answerscore": ["view", "add", "change"],
        "messagetemplate": ["view", "add", "change", "delete"],
        # Adding a message is writing to a candidate (the write page, "send again").
        "message": ["view", "add"],
        # Their own background imports (interviews.admin.uploads limits the rows).
        "uploadjob": ["view"],
        # The list of reasons is what the funnel counts: HR managers keep it.
        "rejectionreason": ["view"],
        # Which texts every answer is compared against is HR managers' to keep; recruiters
        # read them, as they read the side-by-side view of an answer and a source.
        "knownsource": ["view"],
        "sourceanswer": ["view"],
    },
    # Interviewers do not write to candidates, nor see what was written to them (the
    # messages carry the address): no message templates, no messages.
    INTERVIEWER: {
        "candidate": ["view"],
        "application": ["view"],
        "stage": ["view"],
        "interview": ["view"],
        "submission": ["view"],
        "answer": ["view"],
        "questionnaire": ["view"],
        "question": ["view"],
        "vacancy": ["view"],
        "scorecard": ["view", "add", "change"],
        "answerscore": ["view", "add", "change"],
    },
}

CONTACT_FIELDS = ("email", "phone", "telegram")
# A submission keeps the file verbatim, front matter (e-mail, phone, Telegram) included,
# and its import warnings may quote the e-mail or name a candidate with the same phone.
# A link to the candidate's repository names their account on the host.
SHEET_FIELDS_WITH_CONTACTS = ("original_text", "warnings", "source_url", "source_raw_url")


def _groups(user) -> frozenset[str]:
    # Cached on the user object: the admin asks many times per request. The request's
    # user comes with it already (interviews.backends.RoleBackend).
    if not hasattr(user, "_zvonok_groups"):
        remember_groups(user, user.groups.values_list("name", flat=True))
    return user._zvonok_groups


def remember_groups(user, names) -> None:
    """Cache the names of the user's groups (at least those in ROLES) on the user object."""
    user._zvonok_groups = frozenset(names)


def is_hr_manager(user) -> bool:
    return user.is_active and (user.is_superuser or HR_MANAGER in _groups(user))


def is_recruiter(user) -> bool:
    return user.is_active and RECRUITER in _groups(user)


def is_interviewer_only(user) -> bool:
    """An interviewer and nothing more: sees only their own applications, no contacts."""
    return not (is_hr_manager(user) or is_recruiter(user)) and INTERVIEWER in _groups(user)


def sees_contacts(user) -> bool:
    return not is_interviewer_only(user)


def fields_with_contacts(model) -> frozenset[str]:
    """Names of ``model``'s fields that hold candidates' contacts: every field of this app
    named like a contact (so a new model with contacts is covered, history models too),
    and the parts of a submission that quote them. Staff users' e-mails are no secret."""
    opts = model._meta
    if opts.app_label != "interviews":
        return frozenset()
    names = {field.name for field in opts.fields if field.name in CONTACT_FIELDS}
    # simple_history's models name the model they record as instance_type.
    if getattr(model, "instance_type", model)._meta.model_name == "submission":
        names.update(SHEET_FIELDS_WITH_CONTACTS)
    return frozenset(names)


def unreadable_fields(user, model) -> frozenset[str]:
    """Fields of ``model`` that ``user`` may not read, nor filter, order or search by."""
    return frozenset() if sees_contacts(user) else fields_with_contacts(model)


def may_read(user, model, path: str) -> bool:
    """Whether ``user`` may read what ``path`` names from ``model``: a field, or a lookup
    through relations such as ``candidate__email__startswith``. No field along the way may
    be one the user may not read."""
    return not any(
        field.name in unreadable_fields(user, owner) for owner, field in _fields_along(model, path)
    )


def leads_to_contacts(model, path: str) -> bool:
    """Whether ``path`` reads a field with contacts of the row's own candidate or sheet:
    through foreign keys alone (``candidate__email``, ``submission__original_text``), not
    through a reverse or many-to-many relation, which would test other rows."""
    fields = list(_fields_along(model, path))
    if not fields:
        return False
    *way, (owner, last) = fields
    through_foreign_keys = all(field.many_to_one for _owner, field in way)
    return through_foreign_keys and last.name in fields_with_contacts(owner)


def _fields_along(model, path: str):
    """(model, field) for each field that ``path`` names from ``model``, up to the first
    name that is no field (a transform or a lookup such as ``startswith``)."""
    for name in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return
        yield model, field
        if field.related_model is None:
            return
        model = field.related_model


def can_export(user) -> bool:
    return is_hr_manager(user) or is_recruiter(user)


def may_write_to_candidates(user) -> bool:
    """Writing to candidates (and sending a failed letter again) is adding a Message: HR
    managers and recruiters. Interviewers may not, nor see the addresses it needs."""
    return user.is_active and user.has_perm("interviews.add_message")


def sees_copied_answers(user) -> bool:
    """Whether the user may read the answer an answer is similar to and learn whose it
    is (the side-by-side view, the report): HR managers and recruiters. Interviewers see
    only that an answer of their candidate is similar to another, and how much."""
    return is_hr_manager(user) or is_recruiter(user)


def visible_applications(user, queryset):
    """Applications the user may open: interviewers only those with an interview they
    are on."""
    if is_interviewer_only(user):
        on_panel = _model("Interview").objects.filter(application=OuterRef("pk"), interviewers=user)
        return queryset.filter(Exists(on_panel))
    return queryset


def visible_application_count(user, field):
    """How many applications the user may open point at the row through ``field`` (a
    correlated subquery): counts on other pages follow the same visibility."""
    applications = visible_applications(user, _applications().filter(**{field: OuterRef("pk")}))
    counted = applications.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def submitted_own_scorecard(user, application_ref="application"):
    """Condition: the user has submitted a scorecard for the row's application."""
    return Exists(
        _model("Scorecard").objects.filter(
            application=OuterRef(application_ref), reviewer=user, submitted_at__isnull=False
        )
    )


def readable_feedback(user, prefix=""):
    """The one rule of blind feedback, as a condition on scorecards (at ``prefix``, e.g.
    "scorecard__" for scores): HR managers read every scorecard; everybody else reads
    their own, and other reviewers' submitted ones for applications where their own is
    submitted too (never others' drafts: lists, compare and print agree); interviewers
    only for applications they are still on the panel of."""
    if is_hr_manager(user):
        return Q()
    others = Q(**{f"{prefix}submitted_at__isnull": False}) & submitted_own_scorecard(
        user, f"{prefix}application"
    )
    rule = Q(**{f"{prefix}reviewer": user}) | others
    if is_interviewer_only(user):
        rule &= Q(**{f"{prefix}application__in": visible_applications(user, _applications())})
    return rule


def visible_scorecards(user, queryset):
    """Scorecards under the blind feedback rule (:func:`readable_feedback`)."""
    return queryset.filter(readable_feedback(user))


def visible_scores(user, queryset):
    """AnswerScores under the same rule as their scorecards."""
    return queryset.filter(readable_feedback(user, "scorecard__"))


def may_write_scorecard(user, scorecard) -> bool:
    """A scorecard and its scores are written by its reviewer until it is submitted; after
    that by HR managers alone (django-simple-history records their edits)."""
    if is_hr_manager(user):
        return True
    return scorecard.reviewer_id == user.pk and not scorecard.is_submitted


def writable_scorecards(user, queryset):
    """The scorecards of ``queryset`` the user may add scores to (:func:`may_write_scorecard`)."""
    if is_hr_manager(user):
        return queryset
    return queryset.filter(reviewer=user, submitted_at__isnull=True)


def assignable_users():
    """Who a form may name as a reviewer, an interviewer or an owner: active staff (as
    ``Scorecard.clean`` checks a new scorecard's reviewer)."""
    return (
        get_user_model()._default_manager.filter(is_active=True, is_staff=True).order_by("username")
    )


def _applications():
    return _model("Application").objects.all()


def _model(name):
    # Through the app registry: interviews.models uses these rules (Scorecard.clean), so
    # this module stays below it and never imports it.
    return apps.get_model("interviews", name)

"""Zvonok's data: questionnaires and their questions, candidates, the answer sheets they
submit, and the applications that tie a candidate to a vacancy.

Rules that concern one row live here; workflows that touch several models (importing,
for one) live in their own modules.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import roles
from .db.functions import AnswerDocument
from .messaging.templates import TemplateRefused, compile_template
from .rendering import truncate
from .sheets import contacts


class SlugManager(models.Manager):
    """Fixtures name questionnaires and vacancies by slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Questionnaire(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # The files candidates return start with a heading of their own ("# ZvonokTest"),
    # which need not be the title people read in the admin.
    sheet_title = models.CharField(
        _("heading of the answer files"),
        max_length=200,
        blank=True,
        help_text=_(
            "The first heading (# ...) of the files candidates send back. An import "
            "recognises the questionnaire by it, or by its title."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)


class QuestionManager(models.Manager):
    def get_by_natural_key(self, questionnaire_slug, number):
        return self.get(questionnaire__slug=questionnaire_slug, number=number)


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    number = models.CharField(
        _("number"), max_length=20, help_text=_('As the questionnaire writes it: "1", "2.1".')
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    rubric = models.TextField(
        _("rubric"), blank=True, help_text=_("What a good answer contains; shown to scorers.")
    )
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=5)

    objects = QuestionManager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="interviews_question_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(max_score__gte=1) & Q(max_score__lte=100),
                name="interviews_question_max_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {truncate(self.text, 60)}"

    def natural_key(self):
        return (*self.questionnaire.natural_key(), self.number)

    natural_key.dependencies = ["interviews.questionnaire"]


class Vacancy(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vacancies",
        verbose_name=_("questionnaire"),
    )
    is_open = models.BooleanField(_("open"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_vacancies",
        verbose_name=_("owner"),
        help_text=_("Gets an e-mail for each answer sheet handed in through the public link."),
    )
    # The public link's secret part (interviews.applying); empty while the link is off.
    # Not editable in forms: only the admin's actions set it, so it is always random.
    apply_token = models.CharField(
        _("public link token"), max_length=64, blank=True, default="", editable=False
    )
    apply_closes_at = models.DateTimeField(
        _("public link closes"),
        null=True,
        blank=True,
        help_text=_("After this moment the public link says it is closed. Empty: no date."),
    )

    objects = SlugManager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["title"]
        constraints = [
            # Each link leads to one vacancy; the empty token (link off) repeats freely.
            models.UniqueConstraint(
                fields=["apply_token"],
                condition=~models.Q(apply_token=""),
                name="vacancy_apply_token_unique",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["interviews.questionnaire"]


class ConsentMethod(models.TextChoices):
    FORM = "form", _("checkbox in a form")
    EMAIL = "email", _("e-mail")
    VERBAL = "verbal", _("verbal")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("consent (152-FZ art. 9, GDPR art. 6(1)(a))")
    CONTRACT = "contract", _("steps before a contract (GDPR art. 6(1)(b))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest (GDPR art. 6(1)(f))")


class Candidate(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    telegram = models.CharField(_("telegram"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the candidate came from.")
    )
    notes = models.TextField(_("notes"), blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_method = models.CharField(
        _("consent obtained by"), max_length=20, choices=ConsentMethod, blank=True
    )
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis, blank=True)
    # Retention is counted from here: imports, stage moves and edits bring it forward.
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    anonymized_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # Archiving hides a candidate from the everyday lists without deleting anything:
    # the soft alternative for everyone who may not delete.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["full_name", "id"]
        constraints = [
            # One person, one record: the same address in another case is the same person.
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="interviews_candidate_unique_email_ci",
            ),
        ]
        indexes = [
            # Candidate changelist sorted by newest first.
            models.Index(fields=["-created_at"], name="interviews_cand_created_idx"),
            # Duplicate detection: "another candidate with this phone / telegram".
            models.Index(fields=["phone"], name="interviews_cand_phone_idx"),
            models.Index(fields=["telegram"], name="interviews_cand_telegram_idx"),
            # The "retention passed" filter and anonymize_candidates --retention-passed.
            models.Index(fields=["last_activity_at"], name="interviews_cand_activity_idx"),
            # The changelist's source filter lists the sources from this index
            # (interviews.db.queries.distinct_values).
            models.Index(fields=["source"], name="interviews_cand_source_idx"),
            # Candidate changelist in its default order, archived hidden: the first page
            # without sorting the table, the keys of a deep page from the index alone.
            models.Index(
                fields=["full_name", "id"], include=["archived_at"], name="interviews_cand_name_idx"
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        fields = self.contact_fields(email=self.email, phone=self.phone, telegram=self.telegram)
        for name, value in fields.items():
            setattr(self, name, value)
        if not self._state.adding:
            self.last_activity_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "last_activity_at"}
        super().save(*args, **kwargs)

    @classmethod
    def contact_fields(cls, *, email: str, phone: str, telegram: str) -> dict[str, str]:
        """The contact fields as stored: one canonical form, so that duplicates are found
        by plain equality, cut to their columns. The import and ``save()`` both use it."""
        return {
            "email": contacts.normalise_email(email),
            "phone": contacts.normalise_phone(phone)[: cls._meta.get_field("phone").max_length],
            "telegram": contacts.normalise_telegram(telegram)[
                : cls._meta.get_field("telegram").max_length
            ],
        }

    @property
    def retention_deadline(self):
        return self.last_activity_at + timedelta(days=settings.ZVONOK_RETENTION_DAYS)

    @property
    def is_anonymized(self):
        return self.anonymized_at is not None


class StageKind(models.TextChoices):
    ACTIVE = "active", _("active")
    HIRED = "hired", _("hired")
    REJECTED = "rejected", _("rejected")


class Stage(models.Model):
    """A step of the hiring pipeline. Stored as data so that HR can rename and reorder."""

    Kind = StageKind

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_ru = models.CharField(_("name in Russian"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.ACTIVE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=StageKind.values),
                name="interviews_stage_kind_valid",
            ),
        ]

    def __str__(self):
        if self.name_ru and (get_language() or "").startswith("ru"):
            return self.name_ru
        return self.name

    @classmethod
    def initial(cls):
        """The stage a new application starts in: the first active one."""
        return cls.objects.filter(kind=cls.Kind.ACTIVE).order_by("order", "id").first()


REJECTION_REASON_REQUIRED = _(
    "Choose a rejection reason: an application moved to a rejection stage needs one."
)


class RejectionReason(models.Model):
    """Why an application was rejected, from a list HR keeps (the funnel counts them),
    optionally with the rejection letter to offer once applications are rejected."""

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    template = models.ForeignKey(
        "MessageTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to={"purpose": "rejection"},
        related_name="rejection_reasons",
        verbose_name=_("rejection letter"),
        help_text=_("Offered for sending after applications are rejected with this reason."),
    )

    class Meta:
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        ordering = ["position", "id"]
        constraints = [
            # Picked from a list by name; "Нет опыта" and "нет опыта" could not be told apart.
            models.UniqueConstraint(
                Lower("name"),
                name="interviews_rejectionreason_name",
                violation_error_message=_("There is a rejection reason with this name already."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # limit_choices_to guides the form; a letter of another purpose is refused here too.
        if self.template_id is not None and self.template.purpose != MessagePurpose.REJECTION:
            raise ValidationError({"template": _("Choose a template meant for rejections.")})


class ApplicationQuerySet(models.QuerySet):
    def open_many(self, pairs, *, by=None, source="") -> dict[tuple[int, int], int]:
        """(candidate id, vacancy id) -> application id for each pair, opening the missing
        ones in bulk as ``Application.save()`` opens one: in the initial stage, with its
        StageChange (``by``, comment ``source``) and a "+" row in the audit history."""
        pairs = set(pairs)
        if not pairs:
            return {}
        condition = Q()
        for candidate_id, vacancy_id in pairs:
            condition |= Q(candidate_id=candidate_id, vacancy_id=vacancy_id)
        found = {
            (c, v): pk
            for pk, c, v in self.filter(condition).values_list("id", "candidate_id", "vacancy_id")
        }
        stage = Stage.initial()
        now = timezone.now()
        missing = [
            Application(candidate_id=c, vacancy_id=v, stage=stage, stage_changed_at=now)
            for c, v in sorted(pairs - found.keys())
        ]
        if not missing:
            return found
        # No savepoint inside the import's transaction: one only when called alone.
        with transaction.atomic(using=self.db, savepoint=False):
            self.bulk_create(missing)
            Application.history.bulk_history_create(missing, default_user=by, default_date=now)
            if stage is not None:
                StageChange.objects.bulk_create(
                    StageChange(application=a, to_stage=stage, at=now, by=by, comment=source)
                    for a in missing
                )
        found.update({(a.candidate_id, a.vacancy_id): a.pk for a in missing})
        return found

    def move_to(self, stage, *, by=None, reason=None) -> list[int]:
        """Move the applications to ``stage`` one by one (``Application.move_to``: each
        with its StageChange and history row), each row locked first; returns the ids of
        those that moved. ``reason`` is set on the moved ones when given."""
        moved = []
        with transaction.atomic(using=self.db):
            # A plain query for the lock: a changelist's outer joins cannot be locked.
            ids = list(self.values_list("pk", flat=True))
            locked = Application.objects.using(self.db).select_for_update().filter(pk__in=ids)
            for application in locked.order_by("pk"):
                if application.stage_id != stage.pk:
                    application.move_to(stage, by=by, reason=reason)
                    moved.append(application.pk)
        return moved

    def with_feedback(self, user):
        """Scorecard figures per application (``_submitted``, ``_average``, one count per
        recommendation, and ``_hidden``), as correlated subqueries so that a changelist and
        its COUNT(*) stay cheap; the admin, the table exports and the comparison read them.
        Figures from other reviewers are hidden (NULL) until the user's own scorecard for
        that application is submitted, except for HR managers."""
        submitted = Scorecard.objects.filter(application=OuterRef("pk"), submitted_at__isnull=False)

        def count(queryset):
            return Coalesce(
                Subquery(
                    queryset.order_by().values("application").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            )

        average = Subquery(
            AnswerScore.objects.filter(
                scorecard__application=OuterRef("pk"), scorecard__submitted_at__isnull=False
            )
            .order_by()
            .values("scorecard__application")
            .annotate(a=Avg("score"))
            .values("a")
        )
        figures = {
            "_submitted": count(submitted),
            "_average": average,
            **{
                f"_{value}": count(submitted.filter(recommendation=value))
                for value in Scorecard.Recommendation.values
            },
        }
        if roles.is_hr_manager(user):
            return self.annotate(**figures, _hidden=Value(False))
        own = roles.submitted_own_scorecard(user, "pk")
        # How many scorecards are in is no secret; what they say is.
        blind = {
            name: value if name == "_submitted" else Case(When(own, then=value), default=None)
            for name, value in figures.items()
        }
        return self.annotate(
            **blind, _hidden=Case(When(own, then=Value(False)), default=Value(True))
        )


class Application(models.Model):
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("candidate"),
    )
    vacancy = models.ForeignKey(
        Vacancy,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("vacancy"),
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("stage"),
    )
    # Denormalised from the latest StageChange so that "days in stage" sorts and filters
    # without a subquery per row; written in the same transaction as the StageChange.
    stage_changed_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_applications",
        verbose_name=_("owner"),
    )
    # Set by people who reject in the admin (required there: check_rejection_reason);
    # imports and scripts may leave it empty. A reason in use is kept: the funnel counts it.
    rejection_reason = models.ForeignKey(
        "RejectionReason",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("rejection reason"),
    )
    # Free text: what the list of reasons does not say. Personal data (erased by privacy).
    rejection_comment = models.TextField(_("rejection comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "vacancy"], name="interviews_application_unique_pair"
            ),
        ]
        indexes = [
            # "Applications for this vacancy, newest first" (vacancy filter on the changelist).
            models.Index(fields=["vacancy", "-created_at"], name="interviews_app_vacancy_idx"),
            # Funnel report and the stage filter: applications per vacancy and stage.
            models.Index(fields=["stage", "vacancy"], name="interviews_app_stage_idx"),
            # Application changelist, newest first: the first page without sorting the
            # table, the keys of a deep page from the index alone.
            models.Index(fields=["-created_at", "-id"], name="interviews_app_created_idx"),
        ]

    def __str__(self):
        return f"{self.candidate} → {self.vacancy}"

    def save(self, *args, stage_changed_by=None, stage_comment="", **kwargs):
        """Save, recording a StageChange in the same transaction whenever the stage moved,
        however the change was made (admin form, action, import, shell)."""
        if self._state.adding and self.stage_id is None:
            self.stage = Stage.initial()
        update_fields = kwargs.get("update_fields")
        tracks_stage = update_fields is None or "stage" in update_fields
        previous = None
        with transaction.atomic(using=kwargs.get("using")):
            moved = self._state.adding
            if not self._state.adding and tracks_stage:
                # Lock the row and read the stage it has now, not the one loaded earlier:
                # two people moving it at once are then recorded in order, each change
                # starting from the stage the other one left.
                previous = (
                    Application.objects.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("stage_id", flat=True)
                    .first()
                )
                moved = previous != self.stage_id
            if moved:
                self.stage_changed_at = timezone.now()
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "stage_changed_at"}
            super().save(*args, **kwargs)
            if moved and self.stage_id is not None:
                StageChange.objects.create(
                    application=self,
                    from_stage_id=previous,
                    to_stage_id=self.stage_id,
                    by=stage_changed_by,
                    at=self.stage_changed_at,
                    comment=stage_comment,
                )

    def move_to(self, stage, *, by=None, comment="", reason=None):
        """Move to ``stage`` and record who did it and why (``reason``: a RejectionReason,
        kept when given)."""
        self.stage = stage
        if reason is not None:
            self.rejection_reason = reason
        self.save(stage_changed_by=by, stage_comment=comment)

    @staticmethod
    def check_rejection_reason(stage, reason) -> None:
        """People who move applications to a rejection stage say why: the admin's forms
        and its action call this. Imports and scripts may leave the reason empty, so it is
        no database constraint."""
        if stage is not None and stage.kind == StageKind.REJECTED and reason is None:
            raise ValidationError(REJECTION_REASON_REQUIRED, code="rejection_reason_required")

    @property
    def days_in_stage(self):
        return (timezone.now() - self.stage_changed_at).days


class StageChange(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="stage_changes",
        verbose_name=_("application"),
    )
    from_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from stage"),
    )
    to_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to stage")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["application", "at", "id"]
        indexes = [
            # An application's history in order; time spent in each stage is derived from it.
            models.Index(fields=["application", "at"], name="interviews_stagechange_idx"),
        ]

    def __str__(self):
        return f"{self.from_stage or '—'} → {self.to_stage}"


class SubmissionQuerySet(models.QuerySet):
    def latest_revisions(self):
        """The rows that are the latest revision of their sheet: no revision of the same
        candidate and questionnaire is newer, whatever else filters this queryset (an older
        revision is never "the latest" because the newer one is filtered out). Sheets
        without a questionnaire are one sheet per candidate."""
        newer = Submission.objects.filter(
            Q(questionnaire_id=OuterRef("questionnaire_id"))
            | Q(IsNull(OuterRef("questionnaire_id"), True), questionnaire__isnull=True),
            candidate_id=OuterRef("candidate_id"),
            revision__gt=OuterRef("revision"),
        )
        return self.filter(~Exists(newer))


class Submission(models.Model):
    """One imported answer sheet, kept verbatim. Re-importing changed content for the same
    candidate and questionnaire adds a revision; earlier revisions stay untouched."""

    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("candidate"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("questionnaire"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("application"),
    )
    source_name = models.CharField(_("source file"), max_length=500, blank=True)
    # A sheet fetched from a link remembers where from, so it can be fetched again.
    source_url = models.URLField(_("link"), max_length=1000, blank=True)
    source_raw_url = models.URLField(_("downloaded from"), max_length=1000, blank=True)
    source_etag = models.CharField(_("ETag"), max_length=200, blank=True)
    source_commit = models.CharField(_("commit"), max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_text = models.TextField(_("original text"))
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    preamble = models.TextField(
        _("preamble"), blank=True, help_text=_("Text before the first answer.")
    )
    trailer = models.TextField(_("trailer"), blank=True, help_text=_("Text after the answers."))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_(
            "Imported although it does not look like an answer sheet (no questions found); "
            "its warnings say why."
        ),
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-imported_at", "-id"]
        constraints = [
            # Revisions are numbered per candidate and questionnaire; a sheet without a
            # questionnaire has its own sequence (NULLs never collide in a unique index).
            models.UniqueConstraint(
                fields=["candidate", "questionnaire", "revision"],
                condition=Q(questionnaire__isnull=False),
                name="interviews_submission_unique_revision",
            ),
            models.UniqueConstraint(
                fields=["candidate", "revision"],
                condition=Q(questionnaire__isnull=True),
                name="interviews_submission_unique_revision_no_q",
            ),
            models.CheckConstraint(
                condition=Q(revision__gte=1), name="interviews_submission_revision_positive"
            ),
        ]
        indexes = [
            # Re-import: "which of these file hashes do we already have" in one query.
            models.Index(fields=["sha256"], name="interviews_sub_sha256_idx"),
            # Submission changelist, newest first (its full ordering, so that the keys of
            # a deep page come from the index alone).
            models.Index(fields=["-imported_at", "-id"], name="interviews_sub_imported_id_idx"),
            # Submission changelist filtered to the sheets that need review: a few rows
            # among many, newest first, without reading the others.
            models.Index(
                fields=["-imported_at", "-id"],
                condition=Q(needs_review=True),
                name="interviews_sub_review_idx",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} · {self.questionnaire or '—'} · r{self.revision}"

    def is_sheet_of(self, application) -> bool:
        """Whether ``application`` is scored on this sheet: the candidate's, linked to the
        application or on its vacancy's questionnaire (``scoring.latest_submissions``
        picks the newest of these)."""
        if application.pk is None or self.candidate_id != application.candidate_id:
            return False
        questionnaire_id = application.vacancy.questionnaire_id
        return self.application_id == application.pk or (
            questionnaire_id is not None and self.questionnaire_id == questionnaire_id
        )


class Answer(models.Model):
    # No index of its own: the unique (submission, position) index starts with it and
    # serves a sheet's answers and the cascade; one index fewer to write on every import.
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("submission"),
        db_index=False,
    )
    # SET_NULL: deleting or renumbering a question must never delete what a candidate wrote.
    # Indexed by interviews_answer_question_idx (Meta), not a second copy of it.
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("question"),
        db_index=False,
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    question_text = models.TextField(_("question as written"), blank=True)
    body = models.TextField(_("answer"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    line = models.PositiveIntegerField(_("source line"), default=1)
    # Full-text search (interviews.search): the database keeps it in step with the text.
    # A NULL constant on SQLite, which has no tsvector.
    search_vector = models.GeneratedField(
        expression=AnswerDocument(),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("search vector"),
    )
    # The answer's LSH band hashes (similarity.pack_bands), computed by the import with
    # the parse, so that matching it later (copying.match_answers, a task) needs no text
    # hashing; NULL for a short answer, a sheet without a questionnaire, an anonymised
    # person's or one imported before the column existed.
    fingerprint = models.BinaryField(_("fingerprint"), null=True, editable=False)

    # The vector and the fingerprint are derived from the text the history already records.
    history = HistoricalRecords(excluded_fields=["search_vector", "fingerprint"])

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="interviews_answer_unique_position"
            ),
        ]
        indexes = [
            # Answer changelist in its default order: the keys of a deep page from the
            # index alone (the unique constraint's index has no id).
            models.Index(
                fields=["submission", "position"],
                include=["id"],
                name="interviews_answer_order_idx",
            ),
            # "All answers to this question" across candidates.
            models.Index(fields=["question"], name="interviews_answer_question_idx"),
        ]

    def __str__(self):
        return f"{self.label or '—'} {self.question_text[:60]}".strip()


class InterviewKind(models.TextChoices):
    SCREENING = "screening", _("screening")
    TECHNICAL = "technical", _("technical")
    FINAL = "final", _("final")
    OTHER = "other", _("other")


class InterviewStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Interview(models.Model):
    Kind = InterviewKind

    Status = InterviewStatus

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="interviews",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TECHNICAL)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=60)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="interviews",
        blank=True,
        verbose_name=_("interviewers"),
    )
    location = models.CharField(_("location or call link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True)
    # The iCalendar SEQUENCE of the invitations sent (interviews.scheduling raises it when
    # the time, length or place changes and on cancelling): a calendar applies an update
    # only if it carries a higher number than the copy it holds.
    sequence = models.PositiveIntegerField(_("invitation version"), default=0, editable=False)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InterviewKind.values),
                name="interviews_interview_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InterviewStatus.values),
                name="interviews_interview_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="interviews_interview_duration_positive"
            ),
        ]
        indexes = [
            # Feedback reminders: interviews that ended, by time.
            models.Index(fields=["status", "scheduled_at"], name="interviews_interview_due_idx"),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.scheduled_at), "SHORT_DATETIME_FORMAT")
        return f"{self.application} · {self.get_kind_display()} {self.round} · {when}"

    @property
    def ends_at(self):
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)


class ScorecardRecommendation(models.TextChoices):
    STRONG_NO = "strong_no", _("strong no")
    NO = "no", _("no")
    YES = "yes", _("yes")
    STRONG_YES = "strong_yes", _("strong yes")


class Scorecard(models.Model):
    """One reviewer's assessment of one application. A draft until submitted; after that
    it is read-only for its reviewer and visible to the other reviewers who submitted."""

    Recommendation = ScorecardRecommendation

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="scorecards",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="scorecards",
        verbose_name=_("reviewer"),
    )
    interview = models.ForeignKey(
        Interview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scorecards",
        verbose_name=_("interview"),
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="interviews_scorecard_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=["", *ScorecardRecommendation.values]),
                name="interviews_scorecard_recommendation_valid",
            ),
            # A submitted scorecard always carries a recommendation.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(recommendation=""),
                name="interviews_scorecard_submitted_has_recommendation",
            ),
        ]
        indexes = [
            # The application changelist's tallies: submitted scorecards per application.
            models.Index(
                fields=["application", "submitted_at"], name="interviews_scorecard_app_idx"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    def clean(self):
        errors = {}
        # Checked when the scorecard is written, not later: a reviewer who has left, or
        # has left the panel, keeps their past scorecards.
        if self._state.adding:
            if self.reviewer_id is None:
                pass  # not chosen yet: the form says so
            elif not (self.reviewer.is_active and self.reviewer.is_staff):
                errors["reviewer"] = _("The reviewer must be an active staff user.")
            elif self.application_id is not None:
                applications = Application.objects.filter(pk=self.application_id)
                if not roles.visible_applications(self.reviewer, applications).exists():
                    errors["application"] = _("The reviewer may not see this application.")
        elif self.application_id is not None:
            # The application may have changed: the scores stay on its sheets.
            scores = self.scores.select_related("answer__submission")
            if any(not s.answer.submission.is_sheet_of(self.application) for s in scores):
                errors["application"] = _(
                    "This scorecard's scores are on another application's sheet."
                )
        if (
            self.interview_id is not None
            and self.application_id is not None
            and self.interview.application_id != self.application_id
        ):
            errors["interview"] = _("This interview is of another application.")
        if errors:
            raise ValidationError(errors)


class AnswerScore(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="scores", verbose_name=_("scorecard")
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="scores", verbose_name=_("answer")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer score")
        verbose_name_plural = _("answer scores")
        ordering = ["scorecard", "answer__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "answer"], name="interviews_answerscore_unique"
            ),
            # The upper bound is the question's max_score: checked in clean(), as a
            # database CHECK cannot look at another table.
            models.CheckConstraint(
                condition=Q(score__gte=1), name="interviews_answerscore_score_positive"
            ),
        ]
        indexes = [
            # Average score per answer on the comparison page.
            models.Index(fields=["answer"], name="interviews_answerscore_ans_idx"),
        ]

    def __str__(self):
        return f"{self.score} · {self.answer}"

    @property
    def max_score(self):
        question = self.answer.question if self.answer_id else None
        return question.max_score if question else Question._meta.get_field("max_score").default

    def clean(self):
        errors = {}
        if self.score is not None and self.answer_id and not 1 <= self.score <= self.max_score:
            errors["score"] = _("Score must be between 1 and %(max)s.") % {"max": self.max_score}
        # The scorecard may be a new one, not saved yet (the admin's inline rows): read it
        # from the instance, not by id.
        try:
            application, answer = self.scorecard.application, self.answer
        except ObjectDoesNotExist:
            application = None  # not chosen yet: the form says so
        if application is not None and not answer.submission.is_sheet_of(application):
            errors["answer"] = _("This answer is not on a sheet of the scorecard's application.")
        if errors:
            raise ValidationError(errors)


class FeedbackReminder(models.Model):
    """A reminder e-mail sent, so that nobody is reminded twice in a day."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("interview")
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback reminder")
        verbose_name_plural = _("feedback reminders")
        ordering = ["-sent_at"]
        indexes = [
            # "Was this interviewer reminded of this interview in the last day?"
            models.Index(
                fields=["interview", "interviewer", "sent_at"], name="interviews_reminder_idx"
            ),
        ]

    def __str__(self):
        return f"{self.interviewer} · {self.interview_id} · {self.sent_at:%Y-%m-%d %H:%M}"


class SkillClaim(models.Model):
    """A candidate's own rating of a skill, read from an answer on import."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="skills", verbose_name=_("candidate")
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="skills", verbose_name=_("submission")
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="skills", verbose_name=_("answer")
    )
    skill = models.CharField(_("skill"), max_length=50)
    value = models.FloatField(_("rating"), null=True, blank=True)
    scale = models.PositiveSmallIntegerField(_("out of"), null=True, blank=True)
    years = models.FloatField(_("years"), null=True, blank=True)
    snippet = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("skill claim")
        verbose_name_plural = _("skill claims")
        ordering = ["candidate", "skill"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gt=0) & Q(value__lte=F("scale"))),
                name="interviews_skillclaim_value_in_scale",
            ),
        ]
        indexes = [
            # The skills filter: "FastAPI >= 7" finds candidates by skill and rating.
            models.Index(fields=["skill", "value"], name="interviews_skill_value_idx"),
        ]

    def __str__(self):
        if self.value is not None:
            return f"{self.skill} {self.value:g}/{self.scale}"
        return f"{self.skill} · {self.years:g} y"

    @property
    def rating10(self):
        """The rating on a 10-point scale, for comparing claims made on other scales."""
        if self.value is None or not self.scale:
            return None
        return round(self.value * 10 / self.scale, 1)


class DataProtectionKind(models.TextChoices):
    ANONYMIZED = "anonymized", _("anonymised")
    EXPORTED = "exported", _("subject access export")
    MERGED = "merged", _("merged into another candidate")


class DataProtectionEvent(models.Model):
    """What was done with a person's data and by whom: anonymisations and subject access
    exports. Holds no personal data itself, so it outlives the anonymisation it records."""

    Kind = DataProtectionKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_events",
        verbose_name=_("candidate"),
    )
    candidate_ref = models.PositiveBigIntegerField(_("candidate id"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("data protection event")
        verbose_name_plural = _("data protection events")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DataProtectionKind.values),
                name="interviews_dataevent_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · #{self.candidate_ref}"


class ApplyRequest(models.Model):
    """An answer sheet handed in through a vacancy's public link (interviews.applying),
    kept from the preview until its sender confirms the e-mail address and it is
    imported. Only hashes of the two secrets are stored: the preview's, which the
    sender's browser holds, and the confirmation link's, which goes to the address."""

    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.CASCADE, related_name="apply_requests", verbose_name=_("vacancy")
    )
    draft_hash = models.CharField(max_length=64)
    confirm_hash = models.CharField(max_length=64, blank=True, default="")
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    telegram = models.CharField(_("telegram"), max_length=100, blank=True)
    source_name = models.CharField(max_length=1000)
    # Where the sheet was downloaded from, for a link: importing.Origin's fields.
    origin = models.JSONField(default=dict, blank=True)
    data = models.BinaryField()
    consent_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    submission = models.ForeignKey(
        "Submission", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sheet handed in")
        verbose_name_plural = _("sheets handed in")
        constraints = [
            models.UniqueConstraint(fields=["draft_hash"], name="applyrequest_draft_hash_unique"),
            models.UniqueConstraint(
                fields=["confirm_hash"],
                condition=~models.Q(confirm_hash=""),
                name="applyrequest_confirm_hash_unique",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="applyrequest_expires_idx")]

    def __str__(self):
        return f"{self.full_name} → {self.vacancy_id}"


class MessagePurpose(models.TextChoices):
    # The values are the keys of interviews.messaging.defaults.
    QUESTIONNAIRE_INVITATION = "questionnaire_invitation", _("questionnaire invitation")
    RECEIPT = "receipt", _("receipt confirmation")
    INTERVIEW_INVITATION = "interview_invitation", _("interview invitation")
    REJECTION = "rejection", _("rejection")
    OFFER = "offer", _("offer")
    FREE = "free", _("free message")


class MessageLanguage(models.TextChoices):
    RU = "ru", _("in Russian")
    EN = "en", _("in English")


class MessageTemplate(models.Model):
    """A letter to candidates that HR writes once: subject and body in the small template
    language of ``interviews.messaging.templates``, with only its allowed variables."""

    Purpose = MessagePurpose
    Language = MessageLanguage

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["purpose", "language", "name"]
        constraints = [
            # HR picks a template by its name in a list: two with one name cannot be told apart.
            models.UniqueConstraint(fields=["name"], name="interviews_messagetemplate_name"),
            models.CheckConstraint(
                condition=Q(purpose__in=MessagePurpose.values),
                name="interviews_messagetemplate_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(language__in=MessageLanguage.values),
                name="interviews_messagetemplate_language_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # A template that does not compile would fail only when a letter is sent; refuse it
        # where it is written, on the field, with the line.
        errors = {}
        for field in ("subject", "body"):
            label = self._meta.get_field(field).verbose_name
            try:
                compile_template(getattr(self, field), field=capfirst(label))
            except TemplateRefused as exc:
                errors[field] = str(exc)
        if errors:
            raise ValidationError(errors)


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Message(models.Model):
    """A letter to a candidate as it was sent (or tried): kept on the candidate, so that
    HR sees what the person was told, and erased with their other personal data."""

    Status = MessageStatus

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="messages", verbose_name=_("candidate")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("application"),
    )
    # Kept when the template is deleted: the letter is stored whole below.
    template = models.ForeignKey(
        MessageTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message template"),
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    # An iCalendar invitation (with its METHOD) sent with the letter as invite.ics.
    calendar = models.TextField(_("calendar invitation"), blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values),
                name="interviews_message_status_valid",
            ),
        ]
        # The candidate page lists the person's messages, newest first.
        indexes = [models.Index(fields=["candidate", "-created_at"], name="message_candidate_idx")]

    def __str__(self):
        return self.subject


class UploadJobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


class UploadJob(models.Model):
    """A large admin upload imported in the background (interviews.upload_jobs): who
    started it, how far it got, and the report the upload page shows when it is done.

    The files wait in storage under ``token`` (interviews.uploads) until the job ends."""

    Status = UploadJobStatus

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=UploadJobStatus, default=UploadJobStatus.QUEUED
    )
    token = models.CharField(_("upload"), max_length=64, editable=False)
    # The keys of the files ticked in the preview although they look like no answer sheet.
    accepted = models.JSONField(_("ticked files"), default=list, blank=True, editable=False)
    total_files = models.PositiveIntegerField(_("files"))
    files_done = models.PositiveIntegerField(_("files done"), default=0)
    # interviews.importing.ImportReport.summary(), and one row per file (path, status,
    # questionnaire, submission id, error, warnings) for the report's table.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=list, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("answer import")
        verbose_name_plural = _("answer imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=UploadJobStatus.values),
                name="interviews_uploadjob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(files_done__lte=F("total_files")),
                name="interviews_uploadjob_done_within_total",
            ),
            # One job per upload: a confirmation sent twice (a double click, a retry)
            # finds the job of the first instead of importing the files again.
            models.UniqueConstraint(fields=["token"], name="interviews_uploadjob_token"),
        ]

    def __str__(self):
        return date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")

    @property
    def finished(self) -> bool:
        return self.status in (UploadJobStatus.DONE, UploadJobStatus.FAILED)


# -- copied answers (interviews.copying) ---------------------------------------------------


class KnownSource(models.Model):
    """Reference answers that candidates' answers are compared against too: a public
    "answers to the test" repository, or text HR pasted."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="known_sources",
        verbose_name=_("questionnaire"),
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("known source")
        verbose_name_plural = _("known sources")
        ordering = ["questionnaire", "title", "id"]

    def __str__(self):
        return self.title


class SourceAnswer(models.Model):
    """One reference answer of a known source, to one question."""

    source = models.ForeignKey(
        KnownSource, on_delete=models.CASCADE, related_name="answers", verbose_name=_("source")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="+", verbose_name=_("question")
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("source answer")
        verbose_name_plural = _("source answers")
        ordering = ["source", "question__position", "id"]

    def __str__(self):
        return f"{self.source} · {self.question.number}"


class AnswerBand(models.Model):
    """One LSH band hash of an answer's (or a source answer's) MinHash signature
    (interviews.sheets.similarity): answers that share a band hash are worth an exact
    comparison. Written with the answer; never read whole, only looked up by value."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Few rows: indexed only where set (Meta), not by a full index of NULLs.
    source_answer = models.ForeignKey(
        SourceAnswer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Denormalised from the answer's sheet so that the lookup needs no join.
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    band = models.BigIntegerField(_("band hash"))

    class Meta:
        verbose_name = _("LSH band hash")
        verbose_name_plural = _("LSH band hashes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__isnull=True) ^ Q(source_answer__isnull=True),
                name="interviews_answerband_one_owner",
            ),
        ]
        indexes = [
            # The neighbour lookup: "whose bands in this questionnaire equal one of these",
            # answered from the index alone (interviews.copying).
            # The answer last: the newest rows of a band first, from the index alone.
            models.Index(
                fields=["questionnaire", "band", "answer"],
                include=["source_answer"],
                name="interviews_band_lookup_idx",
            ),
            # Deleting a source answer's bands (the cascade).
            models.Index(
                fields=["source_answer"],
                condition=Q(source_answer__isnull=False),
                name="interviews_band_src_idx",
            ),
        ]

    def __str__(self):
        return f"{self.answer_id or self.source_answer_id}: {self.band}"


class AnswerMatch(models.Model):
    """A pair of similar answers, found when the later one arrived: stored, so that pages
    and filters read it instead of comparing texts."""

    # The later answer of the pair (the larger id, see the check below).
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="matches", verbose_name=_("answer")
    )
    other_answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matched_by",
        verbose_name=_("other answer"),
        db_index=False,
    )
    source_answer = models.ForeignKey(
        SourceAnswer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("source answer"),
        db_index=False,
    )
    similarity = models.FloatField(_("similarity"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)

    class Meta:
        verbose_name = _("answer match")
        verbose_name_plural = _("answer matches")
        ordering = ["-similarity", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_answer__isnull=True) ^ Q(source_answer__isnull=True),
                name="interviews_answermatch_one_other",
            ),
            # The later answer first: a pair is stored once, and never an answer with itself.
            models.CheckConstraint(
                condition=Q(other_answer__isnull=True) | Q(answer__gt=F("other_answer")),
                name="interviews_answermatch_later_first",
            ),
            models.CheckConstraint(
                condition=Q(similarity__gte=0) & Q(similarity__lte=1),
                name="interviews_answermatch_similarity_range",
            ),
            models.UniqueConstraint(
                fields=["answer", "other_answer"],
                condition=Q(other_answer__isnull=False),
                name="interviews_answermatch_unique_pair",
            ),
            models.UniqueConstraint(
                fields=["answer", "source_answer"],
                condition=Q(source_answer__isnull=False),
                name="interviews_answermatch_unique_source",
            ),
        ]
        indexes = [
            # A page's answers as the earlier one of a pair (matches_for, the filter).
            models.Index(
                fields=["other_answer"],
                condition=Q(other_answer__isnull=False),
                name="interviews_match_other_idx",
            ),
            # Deleting a source answer's matches (the cascade), its report.
            models.Index(
                fields=["source_answer"],
                condition=Q(source_answer__isnull=False),
                name="interviews_match_src_idx",
            ),
            # The report, highest first.
            models.Index(fields=["-similarity"], name="interviews_match_sim_idx"),
        ]

    def __str__(self):
        return f"{self.answer_id} ~ {self.other_answer_id or self.source_answer_id}"

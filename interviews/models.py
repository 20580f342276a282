"""Zvonok's data: questionnaires and their questions, candidates, the answer sheets they
submit, and the applications that tie a candidate to a vacancy.

Rules that concern one row live here; workflows that touch several models (importing,
for one) live in their own modules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class QuestionnaireManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Questionnaire(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = QuestionnaireManager()

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
        return f"{self.number}. {self.text[:60]}"

    def natural_key(self):
        return (*self.questionnaire.natural_key(), self.number)

    natural_key.dependencies = ["interviews.questionnaire"]


class VacancyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


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

    objects = VacancyManager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["interviews.questionnaire"]


class Candidate(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    telegram = models.CharField(_("telegram"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the candidate came from.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = self.email.strip()
        super().save(*args, **kwargs)


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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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
        ]

    def __str__(self):
        return f"{self.candidate} → {self.vacancy}"


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
            # Submission changelist, newest first.
            models.Index(fields=["-imported_at"], name="interviews_sub_imported_idx"),
        ]

    def __str__(self):
        return f"{self.candidate} · {self.questionnaire or '—'} · r{self.revision}"


class Answer(models.Model):
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("submission"),
    )
    # SET_NULL: deleting or renumbering a question must never delete what a candidate wrote.
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("question"),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    question_text = models.TextField(_("question as written"), blank=True)
    body = models.TextField(_("answer"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    line = models.PositiveIntegerField(_("source line"), default=1)

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
            # "All answers to this question" across candidates.
            models.Index(fields=["question"], name="interviews_answer_question_idx"),
        ]

    def __str__(self):
        return f"{self.label or '—'} {self.question_text[:60]}".strip()

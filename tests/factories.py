"""factory-boy factories for Zvonok's models."""

import hashlib
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from interviews import models


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-only")
    is_staff = True


def member(role: str, **kwargs):
    """A staff user in the group of ``role`` (migration 0003 creates the groups; a
    transactional test that runs after another one's flush finds them gone)."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = models.Questionnaire
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Анкета {n}")
    slug = factory.Sequence(lambda n: f"questionnaire-{n}")


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = models.Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Вопрос номер {n + 1}: расскажите о своём опыте?")
    rubric = "Конкретные примеры из практики."


class VacancyFactory(DjangoModelFactory):
    class Meta:
        model = models.Vacancy
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Python-разработчик {n}")
    slug = factory.Sequence(lambda n: f"vacancy-{n}")
    questionnaire = factory.SubFactory(QuestionnaireFactory)


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = models.Candidate

    full_name = factory.Sequence(lambda n: f"Кандидат Номер {n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    phone = "+79120000000"
    telegram = factory.Sequence(lambda n: f"candidate_{n}")
    source = "hh.ru"


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = models.Application

    candidate = factory.SubFactory(CandidateFactory)
    vacancy = factory.SubFactory(VacancyFactory)


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = models.Submission

    candidate = factory.SubFactory(CandidateFactory)
    questionnaire = factory.SubFactory(QuestionnaireFactory)
    source_name = factory.Sequence(lambda n: f"answers-{n}.md")
    original_text = factory.Sequence(lambda n: f"# Ответы {n}\n\n#### 1. Вопрос\nОтвет {n}\n")
    sha256 = factory.LazyAttribute(
        lambda s: hashlib.sha256(s.original_text.encode("utf-8")).hexdigest()
    )
    encoding = "utf-8"
    revision = 1


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = models.Answer

    submission = factory.SubFactory(SubmissionFactory)
    question = None
    label = factory.Sequence(lambda n: f"{n + 1}.")
    question_text = "Расскажите о своём опыте"
    body = "Пять лет на **Python**."
    position = factory.Sequence(lambda n: n + 1)
    line = 3


class InterviewFactory(DjangoModelFactory):
    class Meta:
        model = models.Interview
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    duration_minutes = 60

    @factory.post_generation
    def interviewers(self, create, extracted, **kwargs):
        if create and extracted:
            self.interviewers.add(*extracted)


class ScorecardFactory(DjangoModelFactory):
    class Meta:
        model = models.Scorecard

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)
    recommendation = models.Scorecard.Recommendation.YES
    summary = "Сильный кандидат"
    submitted_at = factory.LazyFunction(timezone.now)


class AnswerScoreFactory(DjangoModelFactory):
    class Meta:
        model = models.AnswerScore

    scorecard = factory.SubFactory(ScorecardFactory)
    answer = factory.SubFactory(AnswerFactory)
    score = 4


class MessageFactory(DjangoModelFactory):
    """A letter to an application's candidate, as the outbox keeps it (not sent)."""

    class Meta:
        model = models.Message

    application = factory.SubFactory(ApplicationFactory)
    candidate = factory.SelfAttribute("application.candidate")
    to = factory.SelfAttribute("candidate.email")
    subject = factory.Sequence(lambda n: f"Письмо {n}")
    body = "Здравствуйте!"
    template = factory.LazyFunction(lambda: models.MessageTemplate.objects.order_by("pk").first())
    sender = factory.SubFactory(UserFactory)

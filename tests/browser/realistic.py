"""A hiring round that looks like a real one: what the wide screens of the admin have to
hold at 1366 px.

Five candidates with long Russian names, e-mails and Telegram handles answer the shipped
questionnaire (the example sheets, renamed and with skills rated in them), two of them
with warnings; their applications sit at different stages of a vacancy with a long
title, and some are scored. Everything goes through the import pipeline, as in use.
"""

import re
from pathlib import Path

from django.core.management import call_command

from interviews.models import Application, Candidate, Stage, Submission, Vacancy
from interviews.scoring import save_scorecard
from tests.factories import InterviewFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHEETS = ["ivan_sokolov.md", "maria_kuznetsova.md", "timur_gareev.md"]
PEOPLE = [
    # name, e-mail, phone, Telegram, source
    (
        "Константин Александрович Преображенский-Долгоруков",
        "konstantin.preobrazhensky-dolgorukov@example-company.ru",
        "+7 (912) 345-67-89",
        "preobrazhensky_dolgorukov",
        "Рекомендация сотрудника",
    ),
    (
        "Анастасия Владимировна Верещагина-Ростовцева",
        "anastasia.vereshchagina-rostovtseva@example.org",
        "+7 (903) 111-22-33",
        "vereshchagina_rostovtseva",
        "hh.ru",
    ),
    (
        "Святослав Игоревич Кржижановский",
        "svyatoslav.krzhizhanovsky@example.net",
        "+7 (926) 987-65-43",
        "krzhizhanovsky_dev",
        "Хабр Карьера",
    ),
    (
        "Екатерина Максимилиановна Шереметьева",
        "ekaterina.sheremetyeva@example.com",
        "+7 (999) 000-11-22",
        "sheremetyeva_backend",
        "LinkedIn",
    ),
    (
        "Александр Вячеславович Добронравов",
        "aleksandr.dobronravov@example.ru",
        "+7 (916) 555-44-33",
        "dobronravov_py",
        "Конференция PyCon Russia",
    ),
]
SKILLS = (
    "\n\nСамооценка: Django 8/10; FastAPI 6/10; Flask — 5 из 10; PostgreSQL 7/10; "
    "Docker 7/10; Kubernetes 4/10; Celery 6/10; asyncio 6/10.\n"
)
LONG_VACANCY = "Ведущий Python-разработчик (бэкенд платёжной платформы, удалённо)"


def _sheet(index, name, email, phone, telegram):
    """An example sheet under another name, its third answer rating skills; the second
    and fourth sheets warn (a misspelt front matter key, a question left out)."""
    text = (EXAMPLES / SHEETS[index % len(SHEETS)]).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    extra = "vacansy: python\n" if index == 1 else ""
    sections = re.split(r"(?m)^(?=#{3,4} \d+\.)", body)  # [title, answer 1, answer 2, ...]
    sections[3] = sections[3].rstrip("\n") + SKILLS
    if index == 3:
        del sections[7]  # a question without an answer
    front = f"name: {name}\nemail: {email}\nphone: '{phone}'\ntelegram: {telegram}\n{extra}"
    return f"---\n{front}---\n" + "".join(sections)


def build(folder, *, admin, interviewer):
    """Imports the five sheets into applications to two vacancies, moves and scores
    some; returns the applications in the order of PEOPLE."""
    questionnaire_vacancy = Vacancy.objects.get(slug="python-developer")
    Vacancy.objects.get_or_create(
        slug="lead-python-payments",
        defaults={"title": LONG_VACANCY, "questionnaire": questionnaire_vacancy.questionnaire},
    )
    folder = Path(folder)
    for index, (name, email, phone, telegram, _source) in enumerate(PEOPLE):
        path = folder / f"sheet-{index + 1}.md"
        path.write_text(_sheet(index, name, email, phone, telegram), encoding="utf-8")
        vacancy = "lead-python-payments" if index % 2 else "python-developer"
        call_command("import_answers", str(path), vacancy=vacancy, verbosity=0)
    for _name, email, _phone, _telegram, source in PEOPLE:
        Candidate.objects.filter(email=email).update(source=source)

    applications = [
        Application.objects.select_related("candidate").get(candidate__email=email)
        for _name, email, *_ in PEOPLE
    ]
    stages = ["Screening", "Technical interview", "Final interview", "Offer", "Rejected"]
    for application, stage in zip(applications, stages, strict=True):
        for name in ["Screening", "Technical interview", "Final interview", "Offer"]:
            if stage == "Rejected" or name == stage:
                break
            application.move_to(Stage.objects.get(name=name), by=admin)
        comment = "Мало опыта с базами данных" if stage == "Rejected" else ""
        application.move_to(Stage.objects.get(name=stage), by=admin, comment=comment)
        Application.objects.filter(pk=application.pk).update(owner=admin)

    for application, scores, recommendation in [
        (applications[0], [4, 5, 4, 3, 4, 4, 3], "yes"),
        (applications[1], [5, 5, 4, 5, 4, 5, 4], "strong_yes"),
        (applications[2], [2, 3, 2, 3, 2, 2, 3], "no"),
    ]:
        InterviewFactory(application=application, interviewers=[interviewer])
        answers = Submission.objects.get(application=application).answers.order_by("position")
        save_scorecard(
            application=application,
            reviewer=interviewer,
            scores={a.pk: (s, "") for a, s in zip(answers, scores, strict=False)},
            recommendation=recommendation,
            summary="Уверенный Django, хорошие примеры оптимизации запросов.",
            submit=True,
        )
    return applications

"""The Russian translation: the catalogue is complete and well-formed, every admin page of
the app comes out in Russian (no English string of ours left on it), English is one
``Accept-Language`` away, and counts and dates are written the Russian way."""

import gettext
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext, trans_real

from interviews.models import (
    Answer,
    AnswerScore,
    Application,
    Candidate,
    Interview,
    KnownSource,
    Message,
    MessageTemplate,
    Question,
    Questionnaire,
    Scorecard,
    SourceAnswer,
    Stage,
    StageChange,
    Submission,
    UploadJob,
    Vacancy,
)
from interviews.reminders import DueReminder, reminder_email
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ScorecardFactory,
    SubmissionFactory,
    UserFactory,
    VacancyFactory,
)

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
BASE_DIR = Path(settings.BASE_DIR)
# What ``makemessages`` is run with (see the catalogue's up-to-date check below).
MAKEMESSAGES_IGNORE = [".venv", "tests", "bench", "staticfiles", "media"]

# %(name)s, %s, %d, {name}, {}: what must survive translation unchanged.
PLACEHOLDER = re.compile(
    r"%%|%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgG]"
    r"|\{\w*(?:![rsa])?(?::[^{}]*)?\}"
)

# Msgids that read the same in a Russian page: brand and technical names.
NEUTRAL = {"ID", "SHA-256", "Telegram", "Zvonok", "Markdown", "CSV", "XLSX", "JSON"}

MODELS = [
    "questionnaire",
    "question",
    "vacancy",
    "candidate",
    "application",
    "submission",
    "answer",
    "stage",
    "stagechange",
    "interview",
    "scorecard",
    "answerscore",
    "message",
]
# The audit trail is read-only: no add or delete page; letters are written on the write
# page, and kept as sent.
READ_ONLY = {"stagechange", "message"}


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The .mo files are git-ignored: compile them as ``make test`` does, with the
    project's own command (no GNU gettext needed), and drop catalogues Django may have
    cached before they existed."""
    call_command("compile_translations", verbosity=0)
    # Both Django and Python's gettext module keep the catalogues they have read.
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"


def catalogue():
    return polib.pofile(str(PO_PATH))


def live_entries():
    return [entry for entry in catalogue() if not entry.obsolete]


def placeholders(text):
    return {token for token in PLACEHOLDER.findall(text) if token != "%%"}


# -- the catalogue ---------------------------------------------------------------------


def test_catalogue_header_is_russian_utf8_with_three_plural_forms():
    po = catalogue()

    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "ru"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].startswith("nplurals=3; plural=")


def test_every_entry_is_translated_and_not_fuzzy():
    entries = live_entries()

    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    short_plurals = [
        e.msgid
        for e in entries
        if e.msgid_plural
        and (sorted(e.msgstr_plural) != [0, 1, 2] or not all(e.msgstr_plural.values()))
    ]
    assert len(entries) > 100
    assert untranslated == []
    assert fuzzy == []
    assert short_plurals == []


def test_translations_keep_the_placeholders_of_the_source():
    wrong = []
    for entry in live_entries():
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            # Every Russian form covers some n > 1 (21 uses the "one" form), so each
            # carries the plural's placeholders.
            translations = list(entry.msgstr_plural.values())
            assert placeholders(entry.msgid) <= expected, entry.msgid
        else:
            expected = placeholders(entry.msgid)
            translations = [entry.msgstr]
        for text in translations:
            if placeholders(text) != expected:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_catalogue_compiles_with_the_projects_own_command(tmp_path, settings):
    locale = tmp_path / "locale"
    target = locale / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO_PATH, target / "django.po")
    settings.LOCALE_PATHS = [locale]

    call_command("compile_translations", verbosity=0)

    compiled = polib.mofile(str(target / "django.mo"))
    assert len(compiled) == len([e for e in live_entries() if e.translated()])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_catalogue_holds_every_string_marked_in_the_code(tmp_path, settings, monkeypatch):
    """``makemessages`` on a copy of the code and the catalogue adds nothing: every string
    marked for translation has its Russian entry. (A copy: makemessages writes into every
    ``locale`` folder it comes across.)"""
    source = tmp_path / "src"
    shutil.copytree(
        BASE_DIR / "interviews",
        source / "interviews",
        ignore=shutil.ignore_patterns("locale", "__pycache__"),
    )
    locale = source / "locale"
    target = locale / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO_PATH, target / "django.po")
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(source)

    call_command("makemessages", locale=["ru"], ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0)

    refreshed = polib.pofile(str(target / "django.po"))
    missing = [e.msgid for e in refreshed if not e.obsolete and not e.translated()]
    assert missing == [], f"run makemessages -l ru and translate the new entries: {missing}"


# -- plural forms, dates ---------------------------------------------------------------


def test_counts_take_the_right_russian_plural_form():
    def moved(n):
        return ngettext(
            "%(count)d application moved to “%(stage)s”.",
            "%(count)d applications moved to “%(stage)s”.",
            n,
        ) % {"count": n, "stage": "Оффер"}

    def anonymised(n):
        return ngettext(
            "%(count)d candidate anonymised.", "%(count)d candidates anonymised.", n
        ) % {"count": n}

    with translation.override("ru"):
        assert moved(1) == "1 заявка переведена на этап «Оффер»."
        assert moved(2) == "2 заявки переведены на этап «Оффер»."
        assert moved(5) == "5 заявок переведено на этап «Оффер»."
        assert moved(11) == "11 заявок переведено на этап «Оффер»."
        assert moved(21) == "21 заявка переведена на этап «Оффер»."
        assert moved(22) == "22 заявки переведены на этап «Оффер»."
        assert anonymised(1) == "1 кандидат обезличен."
        assert anonymised(3) == "3 кандидата обезличены."
        assert anonymised(5) == "5 кандидатов обезличено."
    with translation.override("en"):
        assert moved(1) == "1 application moved to “Оффер”."
        assert moved(2) == "2 applications moved to “Оффер”."


@pytest.mark.django_db
def test_stage_move_action_reports_the_count_in_russian(admin_client, russian):
    applications = ApplicationFactory.create_batch(2)
    offer = Stage.objects.get(name="Offer")

    response = admin_client.post(
        reverse("admin:interviews_application_changelist"),
        {
            "action": f"move_to_stage_{offer.pk}",
            "_selected_action": [a.pk for a in applications],
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert "2 заявки переведены на этап «Оффер»." in response.content.decode()


@pytest.mark.django_db
def test_dates_on_pages_are_in_russian_format(admin_client, russian):
    candidate = CandidateFactory()
    created = timezone.localtime(candidate.created_at)

    content = admin_client.get(
        reverse("admin:interviews_candidate_changelist"), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    with translation.override("ru"):
        month = formats.date_format(created, "E")  # "ноября": the genitive, as in a date
        expected = formats.date_format(created, "DATETIME_FORMAT")
    assert re.fullmatch(r"[а-я]+", month)
    assert f"{created.day} {month} {created.year} г." in content
    assert expected in content


@pytest.mark.django_db
def test_numbers_on_pages_are_in_russian_format(admin_client, russian):
    answer = AnswerFactory(question=QuestionFactory(max_score=5))
    application = ApplicationFactory(candidate=answer.submission.candidate)
    answer.submission.application = application
    answer.submission.save()
    for score in (4, 5):
        AnswerScoreFactory(answer=answer, score=score, scorecard__application=application)

    content = admin_client.get(
        reverse("admin:interviews_question_answers", args=[answer.question.pk]),
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()

    assert "4,5 / 5" in content


# -- the language of the admin ---------------------------------------------------------


@pytest.mark.django_db
def test_admin_is_in_russian_by_default_and_in_english_on_request(admin_client, russian):
    url = reverse("admin:interviews_candidate_changelist")

    default = admin_client.get(url).content.decode()
    russian_page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    for content in (default, russian_page):
        assert '<html lang="ru"' in content
        assert "Кандидаты" in content
        assert "Импорт ответов" in content
    assert '<html lang="en"' in english
    assert "Select candidate to change" in english
    assert "Import answers" in english
    assert "Кандидаты" not in english


# -- every admin page in Russian -------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text a person reads on the page: text nodes outside scripts and styles, plus the
    attributes shown as text (button captions, tooltips, placeholders)."""

    HIDDEN = {"script", "style", "template"}
    SHOWN_ATTRIBUTES = {"title", "placeholder"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        attrs = dict(attrs)
        for name in self.SHOWN_ATTRIBUTES & attrs.keys():
            self.chunks.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.chunks.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.chunks.append(data)


def visible_text(html):
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(chunk.split()) for chunk in parser.chunks if chunk.strip()]


def _pattern(msgid):
    """A regex finding the English msgid as rendered: placeholders stand for any text,
    case-insensitive because the admin capitalises verbose names."""
    parts = []
    for piece in re.split(f"({PLACEHOLDER.pattern})", " ".join(msgid.split())):
        if not piece:
            continue
        if PLACEHOLDER.fullmatch(piece):
            parts.append(r".+?" if piece != "%%" else "%")
        else:
            parts.append(re.escape(piece))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def english_source_strings():
    """(msgid, pattern) for the catalogue's English strings that must not be seen on a
    Russian page: not those that read the same in Russian, not 1-2 letter words."""
    entries = live_entries()
    russian = {" ".join(text.split()).casefold() for e in entries for text in _msgstrs(e)}
    result = []
    for entry in entries:
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            literal = PLACEHOLDER.sub("", msgid).strip(" .,:;!?()")
            if len(literal) < 3 or msgid in NEUTRAL:
                continue
            if " ".join(msgid.split()).casefold() in russian:
                continue
            result.append((msgid, _pattern(msgid)))
    return result


def _msgstrs(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _russian_rows():
    """One row of every model, related rows included, with Russian data only (so that an
    English word found on a page is ours, not the test data's)."""
    reviewer = UserFactory(username="proveryayushchiy")
    questionnaire = QuestionnaireFactory(title="Анкета Python-разработчика", slug="anketa")
    first = QuestionFactory(questionnaire=questionnaire, text="Что такое GIL?")
    second = QuestionFactory(questionnaire=questionnaire, text="Как устроен asyncio?")
    vacancy = VacancyFactory(title="Бэкенд-разработчик", slug="bekend", questionnaire=questionnaire)
    applications, sheets = [], []
    for name, phone in (("Иван Петров", "+79000000001"), ("Мария Смирнова", "+79000000001")):
        candidate = CandidateFactory(full_name=name, phone=phone, source="ХедХантер")
        application = ApplicationFactory(candidate=candidate, vacancy=vacancy)
        submission = SubmissionFactory(
            candidate=candidate,
            questionnaire=questionnaire,
            application=application,
            source_name="otvety.md",
        )
        answers = [
            AnswerFactory(submission=submission, question=question, position=position)
            for position, question in enumerate((first, second), start=1)
        ]
        AnswerFactory(
            submission=submission, question=None, position=3, label="", question_text="Прочее"
        )
        applications.append(application)
        sheets.append(answers)
    scorecard = ScorecardFactory(
        application=applications[0], reviewer=reviewer, summary="Сильный кандидат"
    )
    AnswerScoreFactory(scorecard=scorecard, answer=sheets[0][0], comment="Хорошо")
    InterviewFactory(application=applications[0], interviewers=[reviewer], notes="Звонок")
    applications[0].move_to(Stage.objects.get(name="Offer"), comment="Сильные ответы")
    # An edit, so that the history page lists changed fields too.
    candidate = applications[0].candidate
    candidate.notes = "Перезвонить после обеда"
    candidate.save()
    message = Message.objects.create(
        candidate=candidate,
        application=applications[0],
        template=MessageTemplate.objects.get(name="Отказ"),
        to=candidate.email,
        subject="Ваш отклик",
        body="Здравствуйте, Иван!",
        sender=reviewer,
        status=Message.Status.FAILED,
        error="Сервер недоступен",
    )
    submission = Submission.objects.filter(application=applications[0]).get()
    upload_job = UploadJob.objects.create(
        created_by=reviewer,
        token="t" * 32,
        total_files=1,
        files_done=1,
        status=UploadJob.Status.DONE,
        summary={"files": 1, "created": 1, "revised": 0, "unchanged": 0, "failed": 0},
        results=[{"path": "otvety.md", "status": "created", "submission_id": submission.pk}],
    )
    source = KnownSource.objects.create(
        questionnaire=questionnaire, title="Ответы из открытого репозитория", created_by=reviewer
    )
    SourceAnswer.objects.create(source=source, question=first, text="GIL — глобальная блокировка")
    return {
        "questionnaire": questionnaire,
        "question": first,
        "vacancy": vacancy,
        "candidate": applications[0].candidate,
        "application": applications[0],
        "submission": Submission.objects.filter(application=applications[0]).get(),
        "answer": Answer.objects.filter(question=first).first(),
        "stage": Stage.objects.get(name="Offer"),
        "stagechange": StageChange.objects.filter(application=applications[0]).last(),
        "interview": Interview.objects.get(),
        "scorecard": scorecard,
        "answerscore": AnswerScore.objects.get(),
        "message": message,
        "uploadjob": upload_job,
        "knownsource": source,
        "applications": applications,
    }


def _admin_pages(rows):
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["interviews"])]
    for model in MODELS:
        pk = rows[model].pk
        pages += [
            reverse(f"admin:interviews_{model}_changelist"),
            reverse(f"admin:interviews_{model}_change", args=[pk]),
            reverse(f"admin:interviews_{model}_history", args=[pk]),
        ]
        if model not in READ_ONLY:
            pages += [
                reverse(f"admin:interviews_{model}_add"),
                reverse(f"admin:interviews_{model}_delete", args=[pk]),
            ]
    first, second = rows["applications"]
    pages += [
        reverse("admin:interviews_application_score", args=[first.pk]),
        reverse("admin:interviews_application_compare") + f"?ids={first.pk},{second.pk}",
        reverse("admin:interviews_application_funnel"),
        reverse("admin:interviews_application_print", args=[first.pk]),
        reverse("admin:interviews_answer_find"),
        reverse("admin:interviews_answer_find") + "?q=Python",
        reverse("admin:interviews_submission_import"),
        reverse("admin:interviews_question_answers", args=[rows["question"].pk]),
        # Filters and search on the changelists.
        reverse("admin:interviews_application_changelist") + "?recommendation=yes",
        reverse("admin:interviews_candidate_changelist") + "?duplicate=yes&retention=soon",
        reverse("admin:interviews_candidate_changelist") + "?q=Python",
    ]
    return pages


# Django's own name for the auto-created table of Interview.interviewers, on the delete
# confirmation page; built from class names, so not translatable.
DJANGO_THROUGH_MODEL = re.compile(r"\binterview-user\b|\bInterview_interviewers object\b")


def _leaks(html, patterns, data, matched=None):
    """(msgid, text) for each English string found in the page's visible text.

    ``matched`` (text -> the msgids found in it) is kept between the pages of one walk:
    the header, the sidebar and the buttons repeat on every page, and each of the ~1,000
    patterns need not search them again on each."""
    matched = {} if matched is None else matched
    found = set()
    for chunk in visible_text(html):
        if chunk in data or DJANGO_THROUGH_MODEL.search(chunk):
            continue
        if chunk not in matched:
            matched[chunk] = [msgid for msgid, pattern in patterns if pattern.search(chunk)]
        found.update((msgid, chunk) for msgid in matched[chunk])
    return found


@pytest.mark.django_db
def test_every_admin_page_of_the_app_is_in_russian(admin_client, russian, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = _russian_rows()
    patterns = english_source_strings()
    # Stored data shown as it is: the default stages' English names (the "name" column;
    # their Russian names are in "name_ru") and user names.
    data = set(Stage.objects.values_list("name", flat=True)) | {"root", "proveryayushchiy"}

    responses = {
        url: admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru") for url in _admin_pages(rows)
    }
    first, second = rows["applications"]
    changelist = reverse("admin:interviews_candidate_changelist")
    responses["merge form"] = admin_client.post(
        changelist,
        {
            "action": "merge_candidates",
            "_selected_action": [first.candidate.pk, second.candidate.pk],
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    sheet = "# Ответы\n\n#### 1. Что такое GIL?\nБлокировка интерпретатора.\n"
    responses["upload preview"] = admin_client.post(
        reverse("admin:interviews_submission_import"),
        {"files": [SimpleUploadedFile("otvety.md", sheet.encode(), "text/markdown")]},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    token = re.search(r'name="token" value="([^"]+)"', responses["upload preview"].content.decode())
    responses["upload result"] = admin_client.post(
        reverse("admin:interviews_submission_import_confirm"),
        {"token": token.group(1)},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    leaks = {}
    for url, response in responses.items():
        assert response.status_code == 200, url
        content = response.content.decode()
        assert '<html lang="ru"' in content, url
        if found := _leaks(content, patterns, data):
            leaks[url] = sorted(found)
    assert leaks == {}, "\n".join(f"{url}: {found}" for url, found in leaks.items())


@pytest.mark.django_db
def test_feedback_reminder_email_is_in_russian(russian):
    interviewer = UserFactory(first_name="Анна", last_name="Иванова")
    interviews = InterviewFactory.create_batch(2, interviewers=[interviewer])

    email = reminder_email(DueReminder(interviewer=interviewer, interviews=tuple(interviews)))

    assert email.subject == "Ждут оценки: 2 собеседования"
    assert email.body.startswith("Здравствуйте, Анна Иванова!")
    assert "Вы участвовали в 2 собеседованиях, по которым всё ещё ждут ваших оценок:" in email.body
    assert "техническое собеседование" in email.body
    assert "Оценить ответы:" in email.body


@pytest.mark.django_db
def test_the_walk_would_notice_an_english_page(admin_client, russian):
    """The check above is not vacuous: the same page in English is full of our msgids."""
    rows = _russian_rows()
    patterns = english_source_strings()

    content = admin_client.get(
        reverse("admin:interviews_application_change", args=[rows["application"].pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    found = {msgid for msgid, _chunk in _leaks(content, patterns, set())}
    assert {"stage history", "comment on the stage change", "rejection reason"} <= {
        msgid.casefold() for msgid in found
    }


@pytest.mark.django_db
def test_the_models_verbose_names_are_russian():
    with translation.override("ru"):
        names = {
            model._meta.verbose_name: model._meta.verbose_name_plural
            for model in (
                Candidate,
                Application,
                Questionnaire,
                Question,
                Vacancy,
                Stage,
                Interview,
                Scorecard,
            )
        }
        names = {str(k): str(v) for k, v in names.items()}
    assert names == {
        "кандидат": "кандидаты",
        "заявка": "заявки",
        "анкета": "анкеты",
        "вопрос": "вопросы",
        "вакансия": "вакансии",
        "этап": "этапы",
        "собеседование": "собеседования",
        "оценка": "оценки",
    }
    with translation.override("ru"):
        labels = [str(label) for label in Scorecard.Recommendation.labels]
    assert labels == ["однозначно нет", "нет", "да", "однозначно да"]

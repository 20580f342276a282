"""The vacancies' public links for candidates (interviews.applying) and the page they open."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interviews import applying, roles
from interviews.models import Application, ApplyRequest, Candidate, Stage, Submission, Vacancy
from tests.factories import QuestionFactory, VacancyFactory, member

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:interviews_vacancy_changelist")


def _act(client, action, *vacancies):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [v.pk for v in vacancies]},
        follow=True,
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def hr():
    client = Client()
    client.force_login(member(roles.HR_MANAGER))
    return client


def test_turning_on_gives_each_vacancy_its_own_long_random_link(hr, settings):
    settings.LANGUAGE_CODE = "ru"
    first, second = VacancyFactory.create_batch(2)

    response = _act(hr, "turn_on_public_link", first, second)

    assert _messages(response) == ["Публичная ссылка включена: 2 вакансии."]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.apply_token != second.apply_token
    assert len(first.apply_token) >= 40 and len(second.apply_token) >= 40


def test_turning_on_again_keeps_a_link_already_given_out(hr):
    vacancy = VacancyFactory()
    _act(hr, "turn_on_public_link", vacancy)
    vacancy.refresh_from_db()
    token = vacancy.apply_token

    _act(hr, "turn_on_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token == token


def test_replacing_the_link_kills_the_old_one(hr, client):
    vacancy = VacancyFactory()
    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()
    old = vacancy.apply_token

    _act(hr, "rotate_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token and vacancy.apply_token != old
    assert client.get(reverse("apply", args=[old])).status_code == 404
    assert client.get(reverse("apply", args=[vacancy.apply_token])).status_code == 200


def test_turning_off_closes_the_page(hr, client):
    vacancy = VacancyFactory()
    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()
    token = vacancy.apply_token

    _act(hr, "turn_off_public_link", vacancy)

    vacancy.refresh_from_db()
    assert vacancy.apply_token == ""
    assert client.get(reverse("apply", args=[token])).status_code == 404


@pytest.mark.parametrize("role, allowed", [(roles.RECRUITER, True), (roles.INTERVIEWER, False)])
def test_only_who_may_change_vacancies_turns_links_on(role, allowed):
    vacancy = VacancyFactory()
    client = Client()
    client.force_login(member(role))

    _act(client, "turn_on_public_link", vacancy)

    vacancy.refresh_from_db()
    assert bool(vacancy.apply_token) is allowed


def test_the_vacancy_page_shows_the_link(hr, settings):
    settings.ZVONOK_BASE_URL = "https://jobs.example.com/"
    vacancy = VacancyFactory()
    change = reverse("admin:interviews_vacancy_change", args=[vacancy.pk])
    assert "Выключена" in hr.get(change).content.decode()

    applying.turn_on(Vacancy.objects.filter(pk=vacancy.pk))
    vacancy.refresh_from_db()

    html = hr.get(change).content.decode()
    assert f'href="https://jobs.example.com/apply/{vacancy.apply_token}/"' in html


def test_the_token_cannot_be_set_through_the_form(hr):
    vacancy = VacancyFactory()
    change = reverse("admin:interviews_vacancy_change", args=[vacancy.pk])
    hr.post(
        change,
        {"title": vacancy.title, "slug": vacancy.slug, "apply_token": "chosen-by-hand"},
    )
    vacancy.refresh_from_db()
    assert vacancy.apply_token == ""


def _open_vacancy(**kwargs):
    vacancy = VacancyFactory(apply_token=applying.new_token(), **kwargs)
    return vacancy, reverse("apply", args=[vacancy.apply_token])


def test_the_page_shows_the_vacancy_and_its_questions_without_login(client):
    vacancy, url = _open_vacancy(title="Бэкенд <b>разработчик</b>")
    QuestionFactory(questionnaire=vacancy.questionnaire, number="1", text="Что такое GIL?")

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Бэкенд &lt;b&gt;разработчик&lt;/b&gt;" in html and "Что такое GIL?" in html
    # No admin chrome, nothing from elsewhere.
    assert "admin" not in html and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "closing",
    [
        {"is_open": False},
        {"apply_closes_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["vacancy closed", "closing date passed"],
)
def test_a_closed_link_says_it_is_closed(client, closing):
    _vacancy, url = _open_vacancy(**closing)

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 410
    assert "Ссылка закрыта" in response.content.decode()


def test_a_future_closing_date_keeps_the_link_open(client):
    _vacancy, url = _open_vacancy(apply_closes_at=timezone.now() + timedelta(days=1))
    assert client.get(url).status_code == 200


def test_the_page_speaks_the_browsers_language(client):
    _vacancy, url = _open_vacancy(is_open=False)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This link is closed" in html and 'lang="en"' in html


def test_an_unknown_token_finds_nothing(client):
    VacancyFactory(apply_token=applying.new_token())
    assert client.get(reverse("apply", args=["x" * 43])).status_code == 404
    assert applying.find("") is None


# -- handing in answers ------------------------------------------------------------------

SHEET = """# ZvonokTest
## Ответы на вопросы
#### 1. Какой опыт в коммерческой разработки на Python?
Три года в продакшене.
"""


@pytest.fixture
def python_vacancy(db, settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("loaddata", "zvonok_python", verbosity=0)
    vacancy = Vacancy.objects.get(slug="python-developer")
    vacancy.apply_token = applying.new_token()
    vacancy.save()
    return vacancy


def _form(**fields):
    data = {
        "full_name": "Анна Смирнова",
        "email": "anna@example.com",
        "phone": "",
        "telegram": "",
        "link": "",
        "text": "",
        "consent": "on",
        "website": "",
    }
    data.update(fields)
    return data


def _url(vacancy):
    return reverse("apply", args=[vacancy.apply_token])


def _draft(response):
    import re

    return re.search(r'name="draft" value="([^"]+)"', response.content.decode()).group(1)


def test_every_field_of_the_form_is_labelled(client, python_vacancy):
    import re

    html = client.get(_url(python_vacancy)).content.decode()
    ids = re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html)
    assert len(ids) == 9
    for field_id in ids:
        assert f'for="{field_id}"' in html


def test_preview_shows_each_question_with_its_answer_or_none(client, python_vacancy):
    response = client.post(_url(python_vacancy), _form(text=SHEET), HTTP_ACCEPT_LANGUAGE="ru")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ответ найден (строка 3): Три года в продакшене." in html
    assert html.count("Ответ не найден.") == 6
    # Nothing is imported yet.
    assert not Candidate.objects.exists()


def test_a_file_is_previewed_and_a_binary_one_refused(client, python_vacancy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(
        _url(python_vacancy),
        _form(file=SimpleUploadedFile("answers.md", SHEET.encode())),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Answer found (line 3)" in ok.content.decode()

    bad = client.post(
        _url(python_vacancy),
        _form(file=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50)),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert "Choose a .md, .markdown or .txt file." in bad.content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Give your answers one way"),
        ({"text": SHEET, "link": "https://github.com/a/b"}, "Give your answers one way"),
        ({"text": SHEET, "consent": ""}, "This field is required"),
        ({"text": SHEET, "email": "not-an-address"}, "Enter a valid email address"),
    ],
    ids=["nothing", "two ways", "no consent", "bad e-mail"],
)
def test_bad_input_is_said_and_nothing_kept(client, python_vacancy, fields, message):
    response = client.post(_url(python_vacancy), _form(**fields), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApplyRequest.objects.exists()


def test_too_long_text_is_refused(client, python_vacancy, settings):
    settings.ZVONOK_IMPORT_MAX_BYTES = 100
    response = client.post(_url(python_vacancy), _form(text="я" * 60), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The text is longer than" in response.content.decode()


def test_a_filled_honeypot_keeps_nothing_but_says_the_same(client, python_vacancy):
    from django.core import mail

    bot = client.post(_url(python_vacancy), _form(text=SHEET, website="http://spam.example"))
    human = client.post(
        _url(python_vacancy),
        {"draft": _draft(client.post(_url(python_vacancy), _form(text=SHEET)))},
    )

    assert bot.content == human.content
    assert ApplyRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def _send(client, vacancy, **fields):
    """Preview and send; the confirmation link from the e-mail."""
    import re

    from django.core import mail

    preview = client.post(_url(vacancy), _form(**{"text": SHEET, **fields}))
    client.post(_url(vacancy), {"draft": _draft(preview)})
    return re.search(r"https?://\S+/apply/confirm/\S+/", mail.outbox[-1].body).group(0)


def test_sending_imports_only_after_the_e_mail_is_confirmed(client, python_vacancy, settings):
    from django.core import mail

    settings.LANGUAGE_CODE = "ru"
    owner = member(roles.RECRUITER, email="owner@example.com")
    python_vacancy.owner = owner
    python_vacancy.save()

    link = _send(client, python_vacancy, phone="+7 900 000-00-00")
    assert mail.outbox[0].to == ["anna@example.com"]
    assert not Candidate.objects.exists()
    path = link.split("://", 1)[1].split("/", 1)[1]

    # Opening the link (a mail scanner does) imports nothing.
    assert client.get("/" + path).status_code == 200
    assert not Candidate.objects.exists()
    assert client.post("/" + path).status_code == 200

    candidate = Candidate.objects.get()
    assert candidate.email == "anna@example.com" and candidate.full_name == "Анна Смирнова"
    assert candidate.consent_method == "form" and candidate.legal_basis == "consent"
    assert candidate.consent_at is not None and candidate.source == "страница вакансии"
    assert candidate.phone
    application = Application.objects.get(candidate=candidate)
    assert (application.vacancy, application.stage) == (python_vacancy, Stage.initial())
    submission = Submission.objects.get(candidate=candidate)
    assert submission.answers.filter(question__number="1").exists()
    assert mail.outbox[-1].to == ["owner@example.com"]
    assert f"/admin/interviews/submission/{submission.pk}/" in mail.outbox[-1].body
    # The link works once; the sheet left the pending row.
    assert client.post("/" + path).status_code == 404
    assert bytes(ApplyRequest.objects.get().data) == b""


def test_sending_again_makes_a_new_revision(client, python_vacancy):
    first = _send(client, python_vacancy)
    client.post("/" + first.split("/", 3)[3])
    second = _send(client, python_vacancy, text=SHEET + "\nДобавлено.\n")
    client.post("/" + second.split("/", 3)[3])

    assert Candidate.objects.count() == 1
    assert sorted(Submission.objects.values_list("revision", flat=True)) == [1, 2]


def test_a_sheet_without_structure_may_be_sent_and_needs_review(client, python_vacancy):
    text = "Просто письмо без вопросов.\n"
    preview = client.post(_url(python_vacancy), _form(text=text), HTTP_ACCEPT_LANGUAGE="ru")
    assert "не распознаны" in preview.content.decode()
    import re

    from django.core import mail

    client.post(_url(python_vacancy), {"draft": _draft(preview)})
    link = re.search(r"/apply/confirm/\S+/", mail.outbox[-1].body).group(0)
    client.post(link)

    assert Submission.objects.get().needs_review


def test_the_preview_token_is_the_only_way_to_the_sheet(client, python_vacancy):
    client.post(_url(python_vacancy), _form(text=SHEET))
    response = client.post(_url(python_vacancy), {"draft": "guessed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "expired" in response.content.decode()
    # Only hashes are stored.
    row = ApplyRequest.objects.get()
    assert len(row.draft_hash) == 64 and row.confirm_hash == ""


def test_drafts_past_their_time_are_deleted(python_vacancy):
    from interviews import uploads

    now = timezone.now()
    _token, row = applying.create_draft(
        vacancy=python_vacancy,
        person={"full_name": "A", "email": "a@example.com"},
        answers=uploads.AnswerFile("a.md", SHEET.encode()),
        now=now - applying.DRAFT_MAX_AGE - timedelta(seconds=1),
    )
    assert applying.delete_stale(now=now) == 1
    assert not ApplyRequest.objects.filter(pk=row.pk).exists()


def test_anonymising_erases_what_was_handed_in_sent_or_pending(client, python_vacancy):
    from interviews import privacy

    link = _send(client, python_vacancy, phone="+7 900 000-00-00")
    client.post("/" + link.split("/", 3)[3])
    _send(client, python_vacancy, text=SHEET + "\nЕщё.\n")  # pending, same address
    other = _send(client, python_vacancy, email="other@example.com")
    assert other and ApplyRequest.objects.count() == 3

    privacy.anonymize(Candidate.objects.get(), force=True)

    erased = ApplyRequest.objects.exclude(email="other@example.com")
    assert erased.count() == 2
    for row in erased:
        assert (row.full_name, row.email, row.phone, bytes(row.data)) == ("", "", "", b"")
    assert ApplyRequest.objects.get(email="other@example.com").full_name == "Анна Смирнова"


def test_deleting_the_candidate_deletes_what_they_handed_in(client, python_vacancy):
    link = _send(client, python_vacancy)
    client.post("/" + link.split("/", 3)[3])
    _send(client, python_vacancy, email="other@example.com")

    Candidate.objects.get().delete()

    assert list(ApplyRequest.objects.values_list("email", flat=True)) == ["other@example.com"]


# -- abuse -------------------------------------------------------------------------------


def test_one_address_is_stopped_after_the_limit_and_others_are_not(
    client, python_vacancy, settings
):
    settings.ZVONOK_APPLY_RATE_LIMIT = 2
    url = _url(python_vacancy)
    first, second, third = (
        client.post(url, _form(text=SHEET), REMOTE_ADDR="203.0.113.5") for _ in range(3)
    )
    other = client.post(url, _form(text=SHEET), REMOTE_ADDR="203.0.113.6")

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert other.status_code == 200
    assert ApplyRequest.objects.count() == 3


def test_the_limit_counts_the_address_the_proxy_reports(client, python_vacancy, settings):
    settings.ZVONOK_APPLY_RATE_LIMIT = 1
    settings.ZVONOK_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    url = _url(python_vacancy)

    one = client.post(url, _form(text=SHEET), HTTP_X_REAL_IP="198.51.100.1")
    two = client.post(url, _form(text=SHEET), HTTP_X_REAL_IP="198.51.100.2")
    again = client.post(url, _form(text=SHEET), HTTP_X_REAL_IP="198.51.100.1")

    assert (one.status_code, two.status_code, again.status_code) == (200, 200, 429)


def test_the_limit_is_kept_in_the_shared_database_cache(python_vacancy, settings):
    from django.core.cache import cache
    from django.db import connection

    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    settings.ZVONOK_APPLY_RATE_LIMIT = 1
    assert applying.within_rate_limit("192.0.2.1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM zvonok_cache")
        assert cursor.fetchone()[0] == 1
    assert not applying.within_rate_limit("192.0.2.1")
    cache.clear()
    assert applying.within_rate_limit("192.0.2.1")


def test_the_form_needs_its_csrf_token(python_vacancy):
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(_url(python_vacancy), _form(text=SHEET))
    assert refused.status_code == 403

    page = strict.get(_url(python_vacancy))
    token = page.cookies["csrftoken"].value
    accepted = strict.post(
        _url(python_vacancy), {**_form(text=SHEET), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 200


XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_script_in_every_field_stays_text(client, python_vacancy):
    from django.core import mail

    fields = {
        "full_name": XSS,
        "phone": XSS[:40],
        "telegram": XSS,
        "text": f"#### 1. {XSS}\n{XSS}\n",
    }
    preview = client.post(_url(python_vacancy), _form(**fields))
    bad_email = client.post(_url(python_vacancy), _form(email=XSS, text=SHEET))
    bad_link = client.post(_url(python_vacancy), _form(link=f"https://example.com/{XSS}"))

    for response in (preview, bad_email, bad_link):
        html = response.content.decode()
        assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in preview.content.decode()

    client.post(_url(python_vacancy), {"draft": _draft(preview)})
    confirm = re.search(r"/apply/confirm/\S+/", mail.outbox[-1].body).group(0)
    client.post(confirm)
    candidate = Candidate.objects.get()
    assert candidate.full_name == XSS  # stored as given, escaped where shown
    admin_client = Client()
    admin_client.force_login(member(roles.HR_MANAGER))
    page = admin_client.get(
        reverse("admin:interviews_candidate_change", args=[candidate.pk])
    ).content.decode()
    assert XSS not in page


def test_redis_is_the_shared_cache_when_configured():
    import subprocess
    import sys

    from tests.production import ROOT, production_env

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    env = production_env(REDIS_URL="redis://cache.internal:6379/1")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/1",
    ]


def test_sending_the_same_sheet_again_keeps_one_revision(client, python_vacancy):
    for _ in range(2):
        link = _send(client, python_vacancy)
        response = client.post("/" + link.split("/", 3)[3])
        assert response.status_code == 200

    assert Submission.objects.count() == 1


def test_a_link_to_a_host_outside_the_allowed_list_is_refused_clearly(client, python_vacancy):
    response = client.post(
        _url(python_vacancy),
        _form(link="https://files.example.org/answers.md"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "files.example.org" in response.content.decode()
    assert not ApplyRequest.objects.exists()


def test_a_mail_server_down_when_telling_the_owner_loses_nothing(
    client, python_vacancy, settings, monkeypatch
):
    from django.core import mail

    python_vacancy.owner = member(roles.RECRUITER, email="owner@example.com")
    python_vacancy.save()
    link = _send(client, python_vacancy)

    def broken(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    response = client.post("/" + link.split("/", 3)[3])

    assert response.status_code == 200
    assert Submission.objects.count() == 1
    assert len(mail.outbox) == 1  # the confirmation only


# -- answers from a link (the local stand-in for the hosts, tests/links_server.py) --------

from tests import test_import_links as links  # noqa: E402

# Their fixtures, used here too.
server, hosts = links.server, links.hosts
README, REPO, Reply = links.README, links.REPO, links.Reply


def test_a_repository_link_is_previewed_and_imported_with_its_origin(client, python_vacancy, hosts):
    hosts.routes[README] = Reply(body=SHEET.encode(), headers={"ETag": '"r1"'})

    link = _send(client, python_vacancy, text="", link=REPO)
    client.post("/" + link.split("/", 3)[3])

    submission = Submission.objects.get()
    assert (submission.source_url, submission.source_etag) == (REPO, '"r1"')
    assert submission.answers.filter(question__number="1").exists()


def test_a_link_with_nothing_behind_it_is_said_clearly(client, python_vacancy, hosts):
    response = client.post(
        _url(python_vacancy), _form(link=REPO + "-gone"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert REPO + "-gone" in response.content.decode()
    assert not ApplyRequest.objects.exists()

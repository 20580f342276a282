"""Writing to candidates from applications: the action, the button, the write page, the
messages on the application page and "send again"; interviewers get none of it."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse

from interviews import roles
from interviews.admin.messaging import MAX_RECIPIENTS, write_url
from interviews.models import Message, MessageTemplate
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    VacancyFactory,
    member,
)
from tests.queries import VIEW_QUERIES, page_queries

pytestmark = pytest.mark.django_db

WRITE = "admin:interviews_application_write"


@pytest.fixture
def template():
    return MessageTemplate.objects.create(
        name="Приглашение",
        purpose=MessageTemplate.Purpose.FREE,
        language="ru",
        subject="{{ vacancy }}: приглашение",
        body="Здравствуйте, {{ first_name }}!\n{% if reason %}{{ reason }}{% endif %}",
    )


@pytest.fixture
def applications():
    vacancy = VacancyFactory(title="Python-разработчик")
    return [
        ApplicationFactory(
            vacancy=vacancy, candidate=CandidateFactory(full_name="Анна Смирнова", email="a@x.ru")
        ),
        ApplicationFactory(
            vacancy=vacancy, candidate=CandidateFactory(full_name="Борис Орлов", email="b@x.ru")
        ),
        ApplicationFactory(
            vacancy=vacancy, candidate=CandidateFactory(full_name="Вера Без Почты", email="")
        ),
    ]


@pytest.fixture
def hr(client):
    client.force_login(member(roles.HR_MANAGER))
    return client


def letters_posted(page):
    """The letters form as the page renders it: what a browser would post unchanged."""
    formset = page.context["letters"]
    data = {f"form-{key}": value for key, value in formset.management_form.initial.items()}
    for form in formset.forms:
        for name in ("application", "subject", "body"):
            data[form[name].html_name] = form.initial[name]
    return data


def send(client, url, data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def test_the_page_lists_the_recipients_and_skips_a_candidate_without_an_address(hr, applications):
    response = hr.get(write_url([a.pk for a in applications]))

    html = response.content.decode()
    assert response.status_code == 200
    recipients = re.search(r'<ul id="zvonok-recipients">(.*?)</ul>', html, re.S).group(1)
    assert "Анна Смирнова &lt;a@x.ru&gt;" in recipients
    assert "Борис Орлов &lt;b@x.ru&gt;" in recipients
    assert "Вера" not in recipients
    skipped = re.search(r'<ul id="zvonok-skipped">(.*?)</ul>', html, re.S).group(1)
    assert "Вера Без Почты (Python-разработчик): нет адреса электронной почты" in skipped


def test_a_chosen_template_is_rendered_for_each_recipient(hr, applications, template):
    url = write_url([a.pk for a in applications], template=template.pk, reason="Спасибо!")

    response = hr.get(url)

    rows = response.context["rows"]
    assert [(a.candidate.full_name, f.initial["subject"], f.initial["body"]) for f, a in rows] == [
        ("Анна Смирнова", "Python-разработчик: приглашение", "Здравствуйте, Анна!\nСпасибо!\n"),
        ("Борис Орлов", "Python-разработчик: приглашение", "Здравствуйте, Борис!\nСпасибо!\n"),
    ]
    html = response.content.decode()
    assert "Здравствуйте, Борис!" in html
    assert 'value="Отправить 2 письма"' in html


def test_sending_queues_each_letter_as_shown_or_as_edited_for_one(
    hr, applications, template, mailoutbox
):
    url = write_url([a.pk for a in applications], template=template.pk)
    data = letters_posted(hr.get(url))
    data["form-1-body"] = "Борис, только для вас."

    response = send(hr, url, data)

    assert response.status_code == 302
    assert response.url == reverse("admin:interviews_application_changelist")
    sent = Message.objects.order_by("to")
    assert [(m.to, m.subject, m.body, m.status) for m in sent] == [
        ("a@x.ru", "Python-разработчик: приглашение", "Здравствуйте, Анна!\n", "sent"),
        ("b@x.ru", "Python-разработчик: приглашение", "Борис, только для вас.\n", "sent"),
    ]
    assert {m.template for m in sent} == {template}
    assert sorted(m.to[0] for m in mailoutbox) == ["a@x.ru", "b@x.ru"]
    [note] = get_messages(response.wsgi_request)
    assert str(note) == "2 письма поставлены в очередь на отправку."


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 письмо поставлено"), (5, "5 писем поставлено")],
)
def test_the_success_message_counts_in_russian(hr, template, count, words):
    chosen = [ApplicationFactory(candidate__email=f"p{n}@x.ru") for n in range(count)]
    url = write_url([a.pk for a in chosen], template=template.pk)

    response = send(hr, url, letters_posted(hr.get(url)))

    [note] = get_messages(response.wsgi_request)
    assert str(note) == f"{words} в очередь на отправку."


def test_one_letter_leads_back_to_its_application(hr, applications, template):
    url = write_url([applications[0].pk], template=template.pk)

    response = send(hr, url, letters_posted(hr.get(url)))

    assert response.url == reverse("admin:interviews_application_change", args=[applications[0].pk])


def test_a_subject_on_two_lines_is_refused_and_nothing_is_sent(hr, applications, template):
    url = write_url([applications[0].pk], template=template.pk)
    data = letters_posted(hr.get(url))
    data["form-0-subject"] = "Тема\r\nBcc: all@example.com"

    response = send(hr, url, data)

    assert response.status_code == 200
    assert "Тема пишется в одну строку." in response.content.decode()
    assert not Message.objects.exists()


def test_a_letter_for_an_application_not_offered_is_refused(hr, applications, template):
    url = write_url([applications[0].pk], template=template.pk)
    data = letters_posted(hr.get(url))
    data["form-0-application"] = applications[2].pk  # the candidate without an address

    response = send(hr, url, data)

    assert response.status_code == 200
    assert "Получатели изменились" in response.content.decode()
    assert not Message.objects.exists()


def test_two_letters_for_one_application_are_refused(hr, applications, template):
    url = write_url([a.pk for a in applications[:2]], template=template.pk)
    data = letters_posted(hr.get(url))
    data["form-1-application"] = applications[0].pk

    response = send(hr, url, data)

    assert response.status_code == 200
    assert "Получатели изменились" in response.content.decode()
    assert not Message.objects.exists()


def test_an_unknown_template_is_refused_on_its_field(hr, applications):
    response = hr.get(write_url([applications[0].pk], template=999999))

    assert response.context["letters"] is None
    assert response.context["choose"].errors["template"]


def test_too_many_applications_are_refused(hr):
    ids = range(1, MAX_RECIPIENTS + 2)

    response = hr.get(write_url(ids))

    assert response.status_code == 302
    [note] = get_messages(response.wsgi_request)
    assert str(note).startswith(f"Выберите не больше {MAX_RECIPIENTS} заявок")


def test_ids_not_found_are_counted_not_named(hr, applications):
    response = hr.get(write_url([applications[0].pk, 999999]) + ",x")

    assert "1 из выбранных заявок не найдена." in response.content.decode()


def test_the_action_leads_to_the_write_page_with_the_selection(hr, applications):
    response = hr.post(
        reverse("admin:interviews_application_changelist"),
        {"action": "write_to_candidates", "_selected_action": [a.pk for a in applications[:2]]},
    )

    assert response.status_code == 302
    assert response.url == write_url(sorted(a.pk for a in applications[:2]))


def test_the_application_page_has_the_button_and_the_messages(hr, applications):
    application = applications[0]
    Message.objects.create(
        candidate=application.candidate,
        application=application,
        to="a@x.ru",
        subject="Первое письмо",
        body="…",
        status=Message.Status.FAILED,
        error="451 try later",
    )

    html = hr.get(
        reverse("admin:interviews_application_change", args=[application.pk])
    ).content.decode()

    assert f'href="{reverse(WRITE)}?ids={application.pk}"' in html
    assert "Первое письмо" in html and "451 try later" in html


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_hr_and_recruiters_are_offered_the_action(client, role):
    client.force_login(member(role))

    response = client.get(reverse("admin:interviews_application_changelist"))

    assert "write_to_candidates" in dict(response.context["action_form"].fields["action"].choices)


# -- interviewers ----------------------------------------------------------------------


@pytest.fixture
def interviewer(client, applications):
    user = member(roles.INTERVIEWER)
    InterviewFactory(application=applications[0], interviewers=[user])
    Message.objects.create(
        candidate=applications[0].candidate,
        application=applications[0],
        to="a@x.ru",
        subject="Письмо Анне",
        body="…",
    )
    client.force_login(user)
    return client


def test_interviewers_are_refused_the_write_page(interviewer, applications, template):
    url = write_url([applications[0].pk], template=template.pk)
    # One whole letter: a post that would queue it if it were allowed.
    letter = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-application": applications[0].pk,
        "form-0-subject": "Приглашение",
        "form-0-body": "Здравствуйте!",
    }

    got = interviewer.get(url)
    posted = send(interviewer, url, letter)

    assert (got.status_code, posted.status_code) == (403, 403)
    assert "a@x.ru" not in got.content.decode()
    assert not Message.objects.exclude(subject="Письмо Анне").exists()


def test_interviewers_have_no_action_no_button_and_no_messages(interviewer, applications):
    changelist = interviewer.get(reverse("admin:interviews_application_changelist"))
    page = interviewer.get(
        reverse("admin:interviews_application_change", args=[applications[0].pk])
    )

    actions = dict(changelist.context["action_form"].fields["action"].choices)
    assert "write_to_candidates" not in actions
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse(WRITE) not in html
    assert "Письмо Анне" not in html and "a@x.ru" not in html


def test_interviewers_cannot_open_the_messages(interviewer):
    response = interviewer.get(reverse("admin:interviews_message_changelist"))

    assert response.status_code == 403


# -- the messages' list and "send again" ----------------------------------------------


def test_a_failed_message_is_sent_again_from_the_list(hr, applications, mailoutbox):
    failed = Message.objects.create(
        candidate=applications[0].candidate,
        to="a@x.ru",
        subject="Не дошло",
        body="…",
        status=Message.Status.FAILED,
        error="451 try later",
    )

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = hr.post(
            reverse("admin:interviews_message_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk]},
        )

    failed.refresh_from_db()
    assert (failed.status, failed.error) == (Message.Status.SENT, "")
    assert [m.subject for m in mailoutbox] == ["Не дошло"]
    [note] = get_messages(response.wsgi_request)
    assert str(note) == "1 неотправленное письмо снова поставлено в очередь."


def test_the_write_page_costs_the_same_queries_whatever_the_recipients(hr, template):
    few = [ApplicationFactory() for _ in range(1)]
    many = [ApplicationFactory() for _ in range(8)]

    counts = [
        len(page_queries(hr, write_url([a.pk for a in chosen], template=template.pk)))
        for chosen in (few, many)
    ]

    assert counts == [VIEW_QUERIES["write to candidates, as an HR manager"]] * 2


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.RECRUITER])
def test_hr_and_recruiters_may_send_a_failed_message_again(client, role):
    client.force_login(member(role))
    Message.objects.create(
        candidate=CandidateFactory(), to="a@x.ru", subject="…", status=Message.Status.FAILED
    )

    response = client.get(reverse("admin:interviews_message_changelist"))

    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "send_again" in actions
    assert ("delete_selected" in actions) == (role == roles.HR_MANAGER)

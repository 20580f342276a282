"""Message templates written by HR: only the allowed variables, no way out of them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from interviews import roles
from interviews.messaging import defaults
from interviews.messaging.templates import (
    MAX_TEMPLATE_CHARS,
    VARIABLES,
    TemplateRefused,
    message_context,
    render_message,
)
from interviews.models import MessageTemplate
from tests.factories import member

SECRET = "s3cr3t-value-that-must-not-leak"


@pytest.fixture(autouse=True)
def _english():
    # Refusals are checked in English; one test checks the Russian translation.
    with translation.override("en"):
        yield


@pytest.fixture
def context():
    return message_context(
        first_name="Анна",
        vacancy="Python-разработчик",
        apply_link="https://zvonok.example/apply/abc/",
        interview_time=datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC),
        call_link="https://meet.example/xyz",
        reason="",
    )


def body(source, context):
    return render_message("s", source, context)[1]


def test_every_allowed_variable_renders(context):
    rendered = body(" ".join("[{{ " + name + " }}]" for name in VARIABLES), context)
    assert "[Анна]" in rendered
    assert "[Python-разработчик]" in rendered
    assert "[https://zvonok.example/apply/abc/]" in rendered
    assert "[https://meet.example/xyz]" in rendered
    assert "[]" in rendered  # the empty reason


def test_interview_time_is_written_in_the_zone_and_language():
    when = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
    ru = message_context(first_name="A", interview_time=when, language="ru")
    en = message_context(first_name="A", interview_time=when, language="en", time_zone="UTC")
    assert "12:30" in ru["interview_time"] and "декабря" in ru["interview_time"]
    assert "Europe/Moscow" in ru["interview_time"]
    assert "9:30" in en["interview_time"] and "Dec" in en["interview_time"]


def test_plain_text_is_not_escaped(context):
    ctx = {**context, "vacancy": "R&D <QA>"}
    assert body("{{ vacancy }}", ctx) == "R&D <QA>\n"


@pytest.mark.parametrize(
    "source",
    [
        "{{ candidate.email }}",
        "{{ settings.SECRET_KEY }}",
        "{{ request.user.password }}",
        "{{ application.candidate.email }}",
        "{% if settings %}{{ settings.SECRET_KEY }}{% endif %}",
        "{{ first_name.email }}",
    ],
)
def test_names_outside_the_context_render_nothing(source, context, settings):
    settings.SECRET_KEY = SECRET
    rendered = body("<" + source + ">", context)
    assert rendered == "<>\n"
    assert SECRET not in rendered


def test_a_caller_cannot_slip_an_object_into_the_context(context):
    with pytest.raises(TypeError):
        render_message("s", "b", {**context, "candidate": object()})
    with pytest.raises(TypeError):
        message_context(first_name=object())


@pytest.mark.parametrize(
    ("source", "tag", "line"),
    [
        ("{% load static %}", "load", 1),
        ("Hi\n\n{% include 'admin/base.html' %}", "include", 3),
        ("{% extends 'admin/base.html' %}", "extends", 1),
        ("a\n{% debug %}", "debug", 2),
        ("{% ssi '/etc/passwd' %}", "ssi", 1),
        ("{% for c in first_name %}{{ c }}{% endfor %}", "for", 1),
        ("{% templatetag openblock %}", "templatetag", 1),
        ("{% now 'Y' %}", "now", 1),
    ],
)
def test_tags_outside_the_allowed_set_are_refused_with_their_line(source, tag, line, context):
    with pytest.raises(TemplateRefused) as refused:
        render_message("s", source, context)
    assert f"Body, line {line}:" in str(refused.value)
    assert f"“{tag}”" in str(refused.value)


def test_the_refusal_is_translated(context):
    with translation.override("ru"), pytest.raises(TemplateRefused) as refused:
        render_message("{% load static %}", "", context)
    assert "Тема, строка 1: тег «load»" in str(refused.value)


@pytest.mark.parametrize(
    "source",
    [
        "{{ first_name.__class__ }}",
        "{{ first_name.__class__.__mro__ }}",
        "{{ vacancy._meta }}",
        "{% if first_name.__len__ %}x{% endif %}",
    ],
)
def test_underscore_attribute_walks_are_refused(source, context):
    with pytest.raises(TemplateRefused) as refused:
        render_message("s", "ok\n" + source, context)
    assert "Body, line 2:" in str(refused.value)


@pytest.mark.parametrize("source", ["{{ first_name|pprint }}", "{{ vacancy|center:'999999999' }}"])
def test_filters_outside_the_allowed_set_are_refused(source, context):
    with pytest.raises(TemplateRefused):
        render_message("s", source, context)


def test_allowed_tags_and_filters_work(context):
    source = (
        "{# a note for HR #}{% comment %}hidden{% endcomment %}"
        "{% if reason %}R{% elif call_link %}{{ first_name|upper }}{% else %}E{% endif %}"
        " {{ reason|default:'—' }}"
    )
    assert body(source, context) == "АННА —\n"


def test_a_subject_is_one_line(context):
    ctx = {**context, "first_name": "Anna\nBcc: victim@example.org"}
    subject, _ = render_message("Hello\n{{ first_name }}", "b", ctx)
    assert "\n" not in subject
    assert subject == "Hello Anna Bcc: victim@example.org"


def test_an_overlong_template_is_refused(context):
    with pytest.raises(TemplateRefused):
        render_message("s", "x" * (MAX_TEMPLATE_CHARS + 1), context)


@pytest.mark.parametrize("key", sorted(defaults.DEFAULT_TEMPLATES))
def test_every_shipped_default_renders_with_the_allowed_variables(key, context, settings):
    subject, text = defaults.DEFAULT_TEMPLATES[key]
    rendered_subject, rendered_body = render_message(subject, text, context)
    assert "Python-разработчик" in rendered_subject
    assert "Анна" in rendered_body
    assert "{" not in rendered_subject + rendered_body


def test_defaults_cover_every_purpose_in_russian_and_english():
    assert set(defaults.DEFAULT_TEMPLATES) == {
        (purpose, language) for purpose in defaults.PURPOSES for language in defaults.LANGUAGES
    }


def test_a_rejection_with_a_reason_includes_it(context):
    subject, text = defaults.DEFAULT_TEMPLATES[(defaults.REJECTION, "en")]
    with_reason = render_message(subject, text, {**context, "reason": "Position filled."})
    assert "Position filled." in with_reason[1]
    assert "Position filled." not in render_message(subject, text, context)[1]


@pytest.mark.django_db
@pytest.mark.parametrize("language", defaults.LANGUAGES)
def test_shipped_defaults_are_in_the_database_after_migrate(language, context):
    stored = MessageTemplate.objects.filter(language=language)

    assert sorted(stored.values_list("purpose", flat=True)) == sorted(defaults.PURPOSES)
    for template in stored:
        subject, text = render_message(template.subject, template.body, context)
        assert context["vacancy"] in subject
        assert context["first_name"] in text
        template.full_clean()


def _template_form(**values):
    return {
        "name": "Своё письмо",
        "purpose": MessageTemplate.Purpose.FREE,
        "language": "ru",
        "subject": "Здравствуйте",
        "body": "Здравствуйте, {{ first_name }}!",
        **values,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "source"),
    [
        ("body", "{% load static %}{{ first_name }}"),
        ("body", "{% include 'admin/base.html' %}"),
        ("subject", "{% debug %}"),
        ("body", "{% if first_name %}не закрыт"),
    ],
)
def test_admin_refuses_a_template_that_does_not_compile_on_its_field(client, field, source):
    client.force_login(member(roles.RECRUITER))

    response = client.post(
        reverse("admin:interviews_messagetemplate_add"), _template_form(**{field: source})
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert "line 1" in errors[field][0] or "строка 1" in errors[field][0]
    assert not MessageTemplate.objects.filter(name="Своё письмо").exists()


@pytest.mark.django_db
def test_admin_saves_a_template_that_compiles(client):
    client.force_login(member(roles.RECRUITER))

    response = client.post(reverse("admin:interviews_messagetemplate_add"), _template_form())

    assert response.status_code == 302
    saved = MessageTemplate.objects.get(name="Своё письмо")
    assert saved.body == "Здравствуйте, {{ first_name }}!"


@pytest.mark.django_db
def test_interviewers_cannot_open_message_templates(client):
    client.force_login(member(roles.INTERVIEWER))

    response = client.get(reverse("admin:interviews_messagetemplate_changelist"))

    assert response.status_code == 403

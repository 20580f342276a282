"""Model names read right in the Russian admin: every model shown there declares its case
forms (``interviews.grammar``), and every admin page, ours and the third-party apps', puts
those forms where a sentence needs them. The expected text is built from each model's
declared forms and Django's own sentences, never typed out here."""

import json
import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, override

from interviews import grammar
from interviews.messaging.templates import ALLOWED_TAGS, VARIABLES
from interviews.models import MessageTemplate, Question, Stage
from tests.factories import QuestionnaireFactory
from tests.test_translations import (  # noqa: F401 - the fixture compiles the catalogue
    _compiled_translations,
    _russian_rows,
    visible_text,
)

# The Russian plural rule, by example: which numbers share a form.
ONE, FEW, MANY = (1, 21, 101), (2, 3, 4, 22), (0, 5, 11, 12, 25, 100)

# Latin words a Russian page may show: the product, brands and technologies (skills in the
# test data), formats, keys, standards and code.
LATIN_ALLOWED = {
    *("Zvonok", "Axes", "Python", "Django", "Docker", "FastAPI", "Flask", "PostgreSQL"),
    *("SQLAlchemy", "Telegram", "Markdown", "GIL", "asyncio", "ID", "SHA", "CSV", "XLSX"),
    *("JSON", "UTF", "utf", "URL", "IP", "LDAP", "GDPR", "Control", "Command", "Mac"),
    *("HTTP", "Accept", "Single", "Sing-On"),  # "Single Sign-On" in Django's own Russian
    "or",  # the search's operator, as the find-answers page tells it is typed
    # The language switch: each language named in itself, as switches do.
    *("RU", "EN", "English"),
    *("Excel", "ETag", "README", "GitHub", "Gist", "https"),
}
# A word of two or more Latin letters standing alone: not part of a hash, a number or a
# Cyrillic word ("Python-разработчик" is data).
LATIN_WORD = re.compile(r"(?<![\w@.-])[A-Za-z]{2,}(?:-[A-Za-z]+)*(?![\w@-])")
# E-mail addresses and the auto-created through tables of many-to-many fields, which
# Django names from class names on delete pages ("Interview_interviewers object (1)").
NOT_WORDS = re.compile(r"\S+@\S+|\S*\*\*\*\S*|\w+_\w+ object \(\d+\)|\b[a-z]+-[a-z]+\b")


@pytest.fixture(autouse=True)
def _russian(settings):
    settings.LANGUAGE_CODE = "ru"


def _admin_models():
    return list(admin.site._registry)


def _suffix(text, number):
    assert text.startswith(f"{number} "), text
    return text[len(str(number)) + 1 :]


# -- the declared forms ------------------------------------------------------------------


def test_every_model_has_declared_forms():
    missing = [
        model._meta.label_lower
        for model in [*_admin_models(), *apps.get_app_config("interviews").get_models()]
        if grammar.noun(model) is None
        and not model._meta.label_lower.startswith("interviews.historical")
    ]

    assert missing == []


@pytest.mark.parametrize("label", sorted(grammar.NOUNS))
def test_counts_follow_the_russian_plural_rule(label):
    model = apps.get_model(label)
    noun = grammar.NOUNS[label]

    with override("ru"):
        name = str(model._meta.verbose_name)
        one = {_suffix(noun.count(n), n) for n in ONE}
        few = {_suffix(noun.count(n), n) for n in FEW}
        many = {_suffix(noun.count(n), n) for n in MANY}
        russian = [str(noun.accusative), str(noun.selected), str(noun.add_another)]
    with override("en"):
        english = [str(noun.accusative), noun.count(2), str(noun.add_another)]
        english_names = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)

    # 1 and 21 take the model's own name; 2-4 one form, 0 and 5-20 another.
    assert one == {name}
    assert len(few) == 1 and len(many) == 1
    assert few != many and few != one and many != one
    # Every form is translated (not the English msgid) and reads in English as before.
    assert all(re.search("[а-яё]", form) for form in russian)
    assert english == [
        english_names[0],
        f"2 {english_names[1]}",
        f"Add another {english_names[0]}",
    ]


# -- the walk --------------------------------------------------------------------------


def _third_party_rows():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [
        AccessAttempt.objects.create(
            username="root", ip_address="127.0.0.1", failures_since_start=1
        ),
        AccessLog.objects.create(username="root", ip_address="127.0.0.1"),
        AccessFailureLog.objects.create(username="root", ip_address="127.0.0.1"),
    ]


def _object_for(model, rows):
    name = model._meta.model_name
    if model._meta.app_label == "interviews" and name in rows:
        return rows[name]
    return model._default_manager.order_by("pk").first()


def _urls(model, obj, request):
    """The model's admin pages this superuser may open (read-only models have no add or
    delete page)."""
    model_admin = admin.site._registry[model]
    info = model._meta.app_label, model._meta.model_name
    urls = {"changelist": reverse("admin:{}_{}_changelist".format(*info))}
    if model_admin.has_add_permission(request):
        urls["add"] = reverse("admin:{}_{}_add".format(*info))
    if obj is not None:
        urls["change"] = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        urls["history"] = reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
        record = obj.history.order_by("history_id").last() if hasattr(obj, "history") else None
        if record is not None:  # simple_history's page of one past version
            urls["version"] = reverse(
                "admin:{}_{}_simple_history".format(*info), args=[obj.pk, record.history_id]
            )
        if model_admin.has_delete_permission(request, obj):
            urls["delete"] = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
    return urls


def _wrong_forms(model):
    """Sentences with the nominative where the accusative belongs: what Django writes."""
    with override("ru"):
        name = str(model._meta.verbose_name)
        accusative = str(grammar.noun(model).accusative)
        if name.casefold() == accusative.casefold():
            return []
        return [
            gettext(msgid) % name
            for msgid in ("Select %s to change", "Select %s to view", "Add %s", "Change %s")
        ]


def _texts(response):
    return visible_text(response.content.decode())


def _inline_captions(response):
    html = response.content.decode()
    return [
        json.loads(unescape(data))["options"]["addText"]
        for data in re.findall(r'data-inline-formset="([^"]+)"', html)
    ]


def _shown_data(rows):
    """Latin words of stored data shown as it is: the default stages' English names (beside
    "name_ru"), the roles' groups, user names, slugs and file names, what the login records
    keep (user agent, path)."""
    shown = [
        *Stage.objects.values_list("name", flat=True),
        *Group.objects.values_list("name", flat=True),
        *get_user_model().objects.values_list("username", "password"),
        *(str(obj) for obj in _third_party_rows()),
        rows["questionnaire"].slug,
        rows["vacancy"].slug,
        rows["submission"].source_name,
        # The shipped message templates (English ones too) and, in the editor's help, the
        # names of the variables and tags a template may use: code, not prose.
        *(
            text
            for texts in MessageTemplate.objects.values_list("name", "subject", "body")
            for text in texts
        ),
        *VARIABLES,
        *ALLOWED_TAGS,
    ]
    return {word for text in shown for word in LATIN_WORD.findall(str(text))} | {"unknown"}


def _latin_words(texts, data):
    page_text = NOT_WORDS.sub(" ", "\n".join(texts))
    return {w for w in LATIN_WORD.findall(page_text) if w not in LATIN_ALLOWED | data}


def _expected_sentences(model, obj, request):
    """Per page, what it must say, built from the model's declared forms."""
    model_admin = admin.site._registry[model]
    changes = model_admin.has_change_permission(request)
    with override("ru"):
        accusative = str(grammar.noun(model).accusative)
        add = capfirst(gettext("Add %s") % accusative)
        count = grammar.noun(model).count(model_admin.get_queryset(request).count())
        listing = gettext("Select %s to change" if changes else "Select %s to view")
        expected = {
            "changelist": [listing % accusative, count],
            "add": [add],
            # An object's page may only read where the list changes (an imported sheet).
            "change": [
                gettext(
                    "Change %s" if model_admin.has_change_permission(request, obj) else "View %s"
                )
                % accusative
            ],
            "history": [],
            # Its breadcrumb: either verb, with the name in the accusative.
            "version": [
                capfirst(gettext("Revert %s") % accusative),
                capfirst(gettext("View %s") % accusative),
            ],
            # One of: the confirmation, or the refusal when protected rows depend on it.
            "delete": [
                gettext(msgid) % {"object_name": accusative, "escaped_object": str(obj)}
                for msgid in (
                    'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? '
                    "All of the following related items will be deleted:",
                    "Deleting the %(object_name)s '%(escaped_object)s' would require deleting "
                    "the following protected related objects:",
                )
            ],
        }
    if model_admin.has_add_permission(request):
        expected["changelist"].append(add)
    if model_admin.get_actions(request):
        with override("ru"):
            expected["changelist"].append(
                gettext("0 of %(cnt)s selected")
                % {"cnt": model_admin.get_queryset(request).count()}
            )
    return expected


def _form_problems(model, page, expected, texts, response, request, obj):
    problems = []
    page_text = "\n".join(texts)
    if page in ("delete", "version"):
        if not any(sentence in page_text for sentence in expected):
            problems.append(("missing", expected[0]))
    else:
        problems += [("missing", s) for s in expected if s not in texts and s not in page_text]
    for wrong in _wrong_forms(model):
        if any(text == wrong or text.startswith(f"{wrong} |") for text in texts):
            problems.append(("wrong form", wrong))
    model_admin = admin.site._registry[model]
    inlines = [inline.model for inline in model_admin.get_inline_instances(request, obj)]
    captions = _inline_captions(response)
    if page in ("add", "change") and captions:
        with override("ru"):
            declared = [str(grammar.noun(inline).add_another) for inline in inlines]
        if captions != declared:
            problems.append(("inline", captions, declared))
    return problems


@pytest.mark.django_db
def test_every_admin_page_names_its_model_in_the_right_form(admin_client, django_user_model):
    rows = _russian_rows()
    data = _shown_data(rows)
    request = _request(django_user_model)
    problems = []

    for model in _admin_models():
        obj = _object_for(model, rows)
        expected = _expected_sentences(model, obj, request)
        for page, url in _urls(model, obj, request).items():
            response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
            if response.status_code != 200:
                problems.append((url, response.status_code))
                continue
            texts = _texts(response)
            problems += [(url, "latin", word) for word in _latin_words(texts, data)]
            problems += [
                (url, *problem)
                for problem in _form_problems(
                    model, page, expected[page], texts, response, request, obj
                )
            ]

    assert sorted(problems, key=str) == [], "\n".join(map(str, sorted(problems, key=str)))


def _request(django_user_model):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = django_user_model.objects.get(is_superuser=True)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0, 1, 2, 5, 21])
def test_changelist_counts_rows_in_the_right_plural_form(admin_client, number):
    questionnaire = QuestionnaireFactory()
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, number=str(i), position=i, text=f"Вопрос {i}")
        for i in range(1, number + 1)
    )

    response = admin_client.get(
        reverse("admin:interviews_question_changelist"), HTTP_ACCEPT_LANGUAGE="ru"
    )

    with override("ru"):
        expected = grammar.noun(Question).count(number)
        wrong = f"{number} {Question._meta.verbose_name_plural}"
    texts = _texts(response)
    assert expected in texts
    if wrong != expected:
        assert wrong not in texts


@pytest.mark.django_db
def test_delete_action_confirms_and_reports_in_the_models_forms(admin_client):
    stages = [Stage.objects.create(name=f"Extra {i}", name_ru=f"Доп. {i}") for i in range(2)]
    url = reverse("admin:interviews_stage_changelist")
    data = {"action": "delete_selected", "_selected_action": [s.pk for s in stages]}

    confirm = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
    done = admin_client.post(url, {**data, "post": "yes"}, HTTP_ACCEPT_LANGUAGE="ru", follow=True)

    noun = grammar.noun(Stage)
    with override("ru"):
        asked = gettext(
            "Are you sure you want to delete the selected %(objects_name)s? All of the "
            "following objects and their related items will be deleted:"
        ) % {"objects_name": noun.selected}
        action = gettext("Delete selected %(verbose_name_plural)s") % {
            "verbose_name_plural": noun.selected
        }
        reported = gettext("Deleted: %(items)s.") % {"items": noun.count(2)}
    assert asked in _texts(confirm)
    assert reported in _texts(done)
    assert action in _texts(done)
    assert not Stage.objects.filter(pk__in=[s.pk for s in stages]).exists()


@pytest.mark.django_db
def test_custom_pages_have_no_english_words(admin_client):
    rows = _russian_rows()
    data = _shown_data(rows)
    first, second = rows["applications"]
    user = get_user_model().objects.get(username="root")
    pages = [
        reverse("admin:index"),
        reverse("admin:app_list", args=["interviews"]),
        reverse("admin:interviews_application_score", args=[first.pk]),
        reverse("admin:interviews_application_compare") + f"?ids={first.pk},{second.pk}",
        reverse("admin:interviews_application_funnel"),
        reverse("admin:interviews_application_print", args=[first.pk]),
        reverse("admin:interviews_application_write") + f"?ids={first.pk},{second.pk}",
        reverse("admin:interviews_application_write")
        + f"?ids={first.pk},{second.pk}&template={MessageTemplate.objects.get(name='Отказ').pk}",
        reverse("admin:interviews_answer_find") + "?q=Python",
        reverse("admin:interviews_submission_import"),
        reverse("admin:interviews_question_answers", args=[rows["question"].pk]),
        reverse("admin:auth_user_password_change", args=[user.pk]),
        reverse("admin:password_change"),
    ]
    problems = {}

    for url in pages:
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200, url
        if words := _latin_words(_texts(response), data):
            problems[url] = sorted(words)

    assert problems == {}, problems

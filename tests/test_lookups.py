"""Query strings of the admin's lists.

Nobody learns a candidate's contacts by guessing them in a query string. For an
interviewer, every lookup on a field that holds contacts (a candidate's e-mail, phone and
Telegram, a sheet's original text and import warnings) answers 400, on every model of the
admin and through its foreign keys; no ordering and no search reads them either. Those who
may read contacts (HR managers, recruiters) filter, order and search by them. The fields
are found here by walking the admin's registered models and their foreign keys, not read
from interviews.roles: a model added with contacts is covered without a word.

And a lookup the database cannot run (a bad pattern, a NUL character) answers 400, not a
server error, on every list."""

import pytest
from django.contrib import admin
from django.contrib.admin import site
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import CharField, F, JSONField, OrderBy, TextField
from django.db.models.constants import LOOKUP_SEP
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from interviews import roles
from interviews.models import Candidate, Submission
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    CandidateFactory,
    InterviewFactory,
    ScorecardFactory,
    SubmissionFactory,
    member,
)

pytestmark = pytest.mark.django_db

CONTACT_NAMES = ("email", "phone", "telegram")
EMAIL, PHONE, TELEGRAM = "alice.p@example.com", "+79005551234", "alice_tg"
SHEET = f"---\nemail: {EMAIL}\nphone: {PHONE}\ntelegram: {TELEGRAM}\n---\n# Answers\n"

# Every lookup Django offers on text, with a value of the right shape ("" is the bare
# field name, an exact match).
LOOKUPS = {
    "": "alice",
    "exact": "alice",
    "iexact": "ALICE",
    "contains": "lic",
    "icontains": "LIC",
    "startswith": "alice.p",
    "istartswith": "ALICE.P",
    "endswith": "tg",
    "iendswith": "TG",
    "regex": "^alice",
    "iregex": "^ALICE",
    "in": "alice,bob",
    "isnull": "0",
    "gt": "a",
    "gte": "a",
    "lt": "z",
    "lte": "z",
}


def holds_contacts(field):
    """A field of the app named like a contact, or a sheet's verbatim text or warnings."""
    if field.model._meta.app_label != "interviews":
        return False
    if field.model is Submission and field.name in ("original_text", "warnings"):
        return True
    return field.name in CONTACT_NAMES


def _paths(model, prefix="", seen=()):
    for field in model._meta.fields:
        if holds_contacts(field):
            yield prefix + field.name, field
        elif (
            field.many_to_one
            and field.related_model._meta.app_label == "interviews"
            and field.related_model not in seen
        ):
            yield from _paths(field.related_model, prefix + field.name + LOOKUP_SEP, (*seen, model))


def registered_models():
    return sorted(
        (model for model in site._registry if model._meta.app_label == "interviews"),
        key=lambda model: model._meta.model_name,
    )


def contact_paths():
    """(model, path, field) for every field with contacts that a registered model reaches
    through its foreign keys: ``email``, ``candidate__email``, ``submission__original_text``,
    ``scorecard__application__candidate__phone``..."""
    return [(model, path, field) for model in registered_models() for path, field in _paths(model)]


PATHS = contact_paths()


def touches_contacts(model, path):
    """Whether the lookup path from ``model`` reads a field with contacts on its way."""
    for name in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a transform, a lookup, "pk"
            return False
        if holds_contacts(field):
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


def changelist(model):
    return reverse(f"admin:interviews_{model._meta.model_name}_changelist")


@pytest.fixture
def users():
    return {
        "interviewer": member(roles.INTERVIEWER),
        roles.HR_MANAGER: member(roles.HR_MANAGER),
        roles.RECRUITER: member(roles.RECRUITER),
    }


@pytest.fixture
def world(users):
    """One candidate with every kind of row that leads to them, on the interviewer's
    panel, so that each list has the candidate's rows to show."""
    candidate = CandidateFactory(full_name="Алиса Пэ", email=EMAIL, phone=PHONE, telegram=TELEGRAM)
    application = ApplicationFactory(candidate=candidate)
    interview = InterviewFactory(application=application, interviewers=[users["interviewer"]])
    submission = SubmissionFactory(
        candidate=candidate,
        application=application,
        original_text=SHEET,
        warnings=["no candidate name: named after the e-mail (alice.p)"],
    )
    answer = AnswerFactory(submission=submission)
    scorecard = ScorecardFactory(
        application=application, reviewer=users["interviewer"], interview=interview
    )
    AnswerScoreFactory(scorecard=scorecard, answer=answer)
    return users


def _query(path, field, *, reader):
    """The query string of every lookup on ``path``. Readers are not asked for JSON
    containment: it is a lookup of JSON documents, not of text, and SQLite has none."""
    return {
        path + LOOKUP_SEP + lookup if lookup else path: value
        for lookup, value in LOOKUPS.items()
        if not (reader and isinstance(field, JSONField) and lookup == "contains")
    }


def _allowed(user, model, query):
    """The lookups of ``query`` that the model's admin allows ``user``: what its list
    checks for each before it filters (refused, the list answers 400)."""
    request = RequestFactory().get(changelist(model))
    request.user = user
    model_admin = site._registry[model]
    return sorted(
        key for key, value in query.items() if model_admin.lookup_allowed(key, value, request)
    )


def test_the_walk_finds_contacts_through_foreign_keys():
    found = {(model._meta.model_name, path) for model, path, _field in PATHS}

    assert {
        ("candidate", "email"),
        ("application", "candidate__telegram"),
        ("submission", "original_text"),
        ("submission", "warnings"),
        ("answer", "submission__candidate__phone"),
        ("answerscore", "answer__submission__original_text"),
        ("scorecard", "interview__application__candidate__email"),
    } <= found


@pytest.mark.parametrize(
    ("model", "path", "field"),
    PATHS,
    ids=[f"{model._meta.model_name}:{path}" for model, path, _field in PATHS],
)
def test_every_lookup_on_contacts_is_refused_to_interviewers_and_allowed_to_hr(
    client, users, model, path, field
):
    interviewer = users["interviewer"]
    asked = {who: _query(path, field, reader=who != "interviewer") for who in users}
    # Without the permission to view the list at all, the answer is 403 before any lookup.
    refused = 400 if interviewer.has_perm(f"interviews.view_{model._meta.model_name}") else 403

    allowed = {who: _allowed(user, model, asked[who]) for who, user in users.items()}
    statuses = {}
    for who in ("interviewer", roles.HR_MANAGER):
        client.force_login(users[who])
        statuses[who] = client.get(changelist(model), asked[who]).status_code

    assert allowed == {
        "interviewer": [],
        roles.HR_MANAGER: sorted(asked[roles.HR_MANAGER]),
        roles.RECRUITER: sorted(asked[roles.RECRUITER]),
    }
    assert statuses == {"interviewer": refused, roles.HR_MANAGER: 200}


def test_contact_readers_find_the_row_by_a_contact_through_a_relation(client, world):
    client.force_login(world[roles.HR_MANAGER])
    url = changelist(Submission)

    right = client.get(url, {"application__candidate__email__startswith": "alice.p"})
    wrong = client.get(url, {"application__candidate__email__startswith": "alice.q"})

    assert right.context["cl"].result_count == 1
    assert wrong.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("model_name", "path"),
    [
        ("vacancy", "applications__candidate__email__startswith"),
        ("stage", "applications__candidate__phone__contains"),
        ("questionnaire", "submissions__original_text__contains"),
        ("question", "answers__submission__candidate__telegram__regex"),
    ],
)
def test_interviewer_is_refused_contacts_through_reverse_relations(client, users, model_name, path):
    client.force_login(users["interviewer"])

    response = client.get(reverse(f"admin:interviews_{model_name}_changelist"), {path: "a"})

    assert response.status_code == 400


# -- ordering --------------------------------------------------------------------------


def _ordered_paths(response):
    """The field paths the changelist's rows are ordered by (none when the list is
    forbidden: interviewers do not see the stage history)."""
    assert response.status_code in (200, 403)
    if response.status_code == 403:
        return []
    return _ordered_paths_of(response.context["cl"].queryset)


def _ordered_paths_of(queryset):
    paths = []
    for part in queryset.query.order_by:
        if isinstance(part, str):
            paths.append(part.lstrip("-"))
        elif isinstance(part, OrderBy) and isinstance(part.expression, F):
            paths.append(part.expression.name)
        elif isinstance(part, F):
            paths.append(part.name)
    return paths


def _every_column(client, model):
    """``o=`` naming every column of the list as HR managers see it, both ways."""
    columns = len(client.get(changelist(model)).context["cl"].list_display)
    return [".".join(str(i) for i in range(columns)), ".".join(f"-{i}" for i in range(columns))]


@pytest.mark.parametrize(
    "model", registered_models(), ids=[m._meta.model_name for m in registered_models()]
)
def test_interviewer_never_orders_by_contacts(client, users, model):
    client.force_login(users[roles.HR_MANAGER])
    orderings = _every_column(client, model)
    client.force_login(users["interviewer"])

    ordered = [
        path
        for order in orderings
        for path in _ordered_paths(client.get(changelist(model), {"o": order}))
        if touches_contacts(model, path)
    ]

    assert ordered == []


def test_hr_manager_orders_candidates_by_contacts(client, users):
    client.force_login(users[roles.HR_MANAGER])
    orderings = _every_column(client, Candidate)

    ordered = {
        path
        for order in orderings
        for path in _ordered_paths(client.get(changelist(Candidate), {"o": order}))
    }

    assert set(CONTACT_NAMES) <= ordered


class CandidatesByEmail(type(site._registry[Candidate])):
    """The candidates' admin as it would be with a default order and a column that sort
    by contacts: no such admin is registered today."""

    ordering = ["email", "id"]
    list_display = ["full_name", "contact"]

    @admin.display(ordering="telegram")
    def contact(self, obj):
        return obj.full_name


def _ordered_by_contacts(user, where):
    """The contacts that ``where`` orders CandidatesByEmail's rows by for ``user``: its
    queryset (where the autocomplete and every page start), its list, its list sorted by
    the column."""
    model_admin = CandidatesByEmail(Candidate, site)
    request = RequestFactory().get("/")
    request.user = user
    if where == "queryset":
        queryset = model_admin.get_queryset(request)
    else:
        if where == "column":
            columns = model_admin.get_changelist_instance(request).list_display
            request.GET = QueryDict(f"o={columns.index('contact')}")
        queryset = model_admin.get_changelist_instance(request).queryset
    return {path for path in _ordered_paths_of(queryset) if touches_contacts(Candidate, path)}


@pytest.mark.parametrize(
    ("where", "hr_order"),
    [("queryset", {"email"}), ("list", {"email"}), ("column", {"telegram", "email"})],
)
def test_interviewer_rows_are_never_ordered_by_contacts(users, where, hr_order):
    orders = {
        who: _ordered_by_contacts(users[who], where) for who in ("interviewer", roles.HR_MANAGER)
    }

    assert orders == {"interviewer": set(), roles.HR_MANAGER: hr_order}


# -- search ----------------------------------------------------------------------------

CONTACT_VALUES = {"email": EMAIL, "phone": PHONE, "telegram": TELEGRAM}


def _contact_searches():
    """(model, search field, value to search for) for each search field of each admin,
    as HR managers have them, that reads a contact."""
    searches = []
    for model in registered_models():
        for name in site._registry[model].search_fields:
            path = name.lstrip("^=@")
            if touches_contacts(model, path):
                # The sheet's text holds every contact: the e-mail will do.
                value = CONTACT_VALUES.get(path.split(LOOKUP_SEP)[-1], EMAIL)
                searches.append((model, path, value))
    return searches


SEARCHES = _contact_searches()


def test_some_admins_search_by_contacts():
    assert {(model._meta.model_name, path) for model, path, _value in SEARCHES} >= {
        ("candidate", "email"),
        ("candidate", "phone"),
        ("application", "candidate__email"),
    }


@pytest.mark.parametrize(
    ("model", "path", "value"),
    SEARCHES,
    ids=[f"{model._meta.model_name}:{path}" for model, path, _value in SEARCHES],
)
def test_search_by_a_contact_finds_the_row_for_hr_and_nothing_for_interviewers(
    client, world, model, path, value
):
    counts = {}
    for who in (roles.HR_MANAGER, "interviewer"):
        client.force_login(world[who])
        counts[who] = client.get(changelist(model), {"q": value}).context["cl"].result_count

    assert counts == {roles.HR_MANAGER: 1, "interviewer": 0}


# -- query strings the database cannot run ---------------------------------------------


@pytest.fixture
def hr_client(users):
    # A server error comes back as a 500, as a browser would see it.
    client = Client(raise_request_exception=False)
    client.force_login(users[roles.HR_MANAGER])
    return client


def _text_field(model):
    return next(
        field.name
        for field in model._meta.fields
        if isinstance(field, CharField | TextField) and not field.choices
    )


# An unbalanced parenthesis: no database compiles it. NUL: PostgreSQL text cannot hold it.
BAD_VALUES = {"regex": "(", "iregex": "(", "contains": "a\x00b"}


@pytest.mark.parametrize(
    "model", registered_models(), ids=[m._meta.model_name for m in registered_models()]
)
def test_bad_patterns_and_nul_characters_answer_400_on_every_list(hr_client, model):
    field = _text_field(model)

    statuses = {
        lookup: hr_client.get(changelist(model), {f"{field}__{lookup}": value}).status_code
        for lookup, value in BAD_VALUES.items()
    }

    assert statuses == dict.fromkeys(BAD_VALUES, 400)


def test_a_pattern_only_postgresql_cannot_compile_answers_400_there(hr_client):
    # Python's named group: SQLite runs Python's re, PostgreSQL has no such syntax.
    response = hr_client.get(changelist(Candidate), {"full_name__regex": "(?P<name>a)"})

    assert response.status_code == (400 if connection.vendor == "postgresql" else 200)


def test_json_containment_answers_400_where_the_database_has_none(hr_client):
    response = hr_client.get(changelist(Submission), {"warnings__contains": "a"})

    assert response.status_code == (
        200 if connection.features.supports_json_field_contains else 400
    )


def test_a_nul_character_in_a_list_filter_answers_400(hr_client):
    response = hr_client.get(changelist(Candidate), {"source": "hh\x00ru"})

    assert response.status_code == 400


def test_a_nul_character_in_an_autocomplete_term_answers_400(hr_client):
    response = hr_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "interviews",
            "model_name": "application",
            "field_name": "candidate",
            "term": "a\x00b",
        },
    )

    assert response.status_code == 400

"""Every form of the admin, as each role, offers and accepts only the rows of that role.

For each model in the admin's registry, each of its inlines and each foreign-key and
many-to-many field on them, ``FIELDS`` says which rows the choices are; each role's rows
are written out below from the data built once for the module. A model, inline or field
added to the admin without an entry here fails ``test_every_registered_form_is_covered``.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import transaction
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from interviews import roles
from interviews.models import (
    AnswerScore,
    KnownSource,
    MessageTemplate,
    Scorecard,
    SourceAnswer,
    Stage,
)
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
    member,
)

pytestmark = pytest.mark.django_db

ROLES = ["hr", "recruiter", "panelist", "idle"]

# The scorecards a user may add scores to: HR managers any, everybody else their own
# drafts. Every other field offers the rows the role sees of the related model.
WRITABLE_SCORECARDS = "writable scorecards"
# A reason's letter: the message templates meant for rejections.
REJECTION_LETTERS = "rejection letters"

# (model, inline or None, field) -> what its choices are.
FIELDS = {
    ("auth.group", None, "permissions"): "auth.permission",
    ("auth.user", None, "groups"): "auth.group",
    ("auth.user", None, "user_permissions"): "auth.permission",
    ("interviews.question", None, "questionnaire"): "interviews.questionnaire",
    ("interviews.vacancy", None, "questionnaire"): "interviews.questionnaire",
    ("interviews.vacancy", None, "owner"): "auth.user",
    ("interviews.candidate", "ApplicationInline", "vacancy"): "interviews.vacancy",
    ("interviews.candidate", "ApplicationInline", "stage"): "interviews.stage",
    ("interviews.candidate", "ApplicationInline", "rejection_reason"): (
        "interviews.rejectionreason"
    ),
    ("interviews.candidate", "ApplicationInline", "owner"): "auth.user",
    ("interviews.application", None, "candidate"): "interviews.candidate",
    ("interviews.application", None, "vacancy"): "interviews.vacancy",
    ("interviews.application", None, "stage"): "interviews.stage",
    ("interviews.application", None, "owner"): "auth.user",
    ("interviews.application", None, "rejection_reason"): "interviews.rejectionreason",
    ("interviews.rejectionreason", None, "template"): REJECTION_LETTERS,
    ("interviews.submission", None, "candidate"): "interviews.candidate",
    ("interviews.submission", None, "questionnaire"): "interviews.questionnaire",
    ("interviews.submission", None, "application"): "interviews.application",
    ("interviews.answer", None, "submission"): "interviews.submission",
    ("interviews.answer", None, "question"): "interviews.question",
    ("interviews.interview", None, "application"): "interviews.application",
    ("interviews.interview", None, "interviewers"): "auth.user",
    ("interviews.scorecard", None, "application"): "interviews.application",
    ("interviews.scorecard", None, "reviewer"): "auth.user",
    ("interviews.scorecard", None, "interview"): "interviews.interview",
    ("interviews.scorecard", "AnswerScoreInline", "answer"): "interviews.answer",
    ("interviews.answerscore", None, "scorecard"): WRITABLE_SCORECARDS,
    ("interviews.answerscore", None, "answer"): "interviews.answer",
    ("interviews.knownsource", None, "questionnaire"): "interviews.questionnaire",
}
# Registered models whose forms have no foreign-key or many-to-many choice to offer, or
# no form anybody may write (the audit trail of stage moves, login records).
WITHOUT_CHOICES = {
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "interviews.message",  # read only: letters are written on the write page
    "interviews.messagetemplate",
    "interviews.questionnaire",
    "interviews.stage",
    "interviews.stagechange",
    "interviews.uploadjob",  # read-only: jobs come from confirming an upload
}
INLINES_WITHOUT_CHOICES = {
    "MessageInline",
    "SourceAnswerInline",
    "QuestionInline",
    "InterviewInline",
    "StageChangeInline",
    "SubmissionInline",
}


def _build():
    users = SimpleNamespace(
        root=UserFactory(username="root", is_superuser=True),
        hr=member(roles.HR_MANAGER, username="hr"),
        recruiter=member(roles.RECRUITER, username="recruiter"),
        panelist=member(roles.INTERVIEWER, username="panelist"),
        idle=member(roles.INTERVIEWER, username="idle"),
        colleague=member(roles.INTERVIEWER, username="colleague"),
        gone=UserFactory(username="gone-user", is_active=False),
        outsider=UserFactory(username="not-staff-user", is_staff=False),
    )
    questionnaire = QuestionnaireFactory(title="Общая анкета")
    q1, q2 = (QuestionFactory(questionnaire=questionnaire, number=n) for n in ("1", "2"))
    first, second = (VacancyFactory(questionnaire=questionnaire) for _ in range(2))

    def application(name, vacancy, panel):
        application = ApplicationFactory(
            candidate=CandidateFactory(full_name=name), vacancy=vacancy
        )
        interview = InterviewFactory(application=application, interviewers=panel)
        submission = SubmissionFactory(
            candidate=application.candidate, questionnaire=questionnaire, application=application
        )
        return application, interview, submission

    mine, mine_interview, mine_sheet = application(
        "Своя Кандидатка", first, [users.panelist, users.colleague]
    )
    other, _interview, other_sheet = application("Чужой Кандидат", first, [users.colleague])
    spare, spare_interview, spare_sheet = application("Запасной Кандидат", second, [])
    answers = SimpleNamespace(
        mine1=AnswerFactory(submission=mine_sheet, question=q1, question_text="Свой вопрос 1"),
        mine2=AnswerFactory(submission=mine_sheet, question=q2, question_text="Свой вопрос 2"),
        other=AnswerFactory(submission=other_sheet, question=q1, question_text="Чужой вопрос"),
        spare=AnswerFactory(submission=spare_sheet, question=q1, question_text="Запасной вопрос"),
    )

    def scorecard(application, reviewer, *, submitted, answer=None):
        scorecard = ScorecardFactory(
            application=application,
            reviewer=reviewer,
            **({} if submitted else {"submitted_at": None, "recommendation": ""}),
        )
        score = answer and AnswerScoreFactory(scorecard=scorecard, answer=answer)
        return scorecard, score

    panelist_draft, panelist_score = scorecard(
        mine, users.panelist, submitted=False, answer=answers.mine2
    )
    colleague_mine, colleague_mine_score = scorecard(
        mine, users.colleague, submitted=True, answer=answers.mine1
    )
    scorecard(other, users.colleague, submitted=True, answer=answers.other)
    recruiter_mine, recruiter_mine_score = scorecard(
        mine, users.recruiter, submitted=True, answer=answers.mine1
    )
    recruiter_other, _ = scorecard(other, users.recruiter, submitted=False)

    def pks(*rows):
        return {row.pk for row in rows}

    staff = pks(users.root, users.hr, users.recruiter, users.panelist, users.idle, users.colleague)
    everything = {
        label: set(admin_model._default_manager.values_list("pk", flat=True))
        for admin_model in admin.site._registry
        if (label := admin_model._meta.label_lower).startswith("interviews.")
    }
    everything["auth.user"] = staff
    scope = {
        "hr": everything,
        "recruiter": {
            **everything,
            # Their own, and others' submitted ones where theirs is submitted.
            "interviews.scorecard": pks(recruiter_mine, recruiter_other, colleague_mine),
            "interviews.answerscore": pks(recruiter_mine_score, colleague_mine_score),
        },
        "panelist": {
            **everything,
            "interviews.candidate": pks(mine.candidate),
            "interviews.application": pks(mine),
            "interviews.stagechange": pks(*mine.stage_changes.all()),
            "interviews.submission": pks(mine_sheet),
            "interviews.answer": pks(answers.mine1, answers.mine2),
            "interviews.interview": pks(mine_interview),
            "interviews.scorecard": pks(panelist_draft),
            "interviews.answerscore": pks(panelist_score),
        },
    }
    # The idle interviewer sees none of the rows the panelist sees only some of.
    scope["idle"] = {
        label: set() if rows != everything[label] else rows
        for label, rows in scope["panelist"].items()
    }
    writable = {
        "hr": everything["interviews.scorecard"],
        "recruiter": pks(recruiter_other),
        "panelist": pks(panelist_draft),
        "idle": set(),
    }
    # A known source with an answer, so that its page (and the inline of its answers) is
    # among the forms walked.
    source = KnownSource.objects.create(questionnaire=questionnaire, title="Ответы из сети")
    SourceAnswer.objects.create(source=source, question=q1, text="Ответ из сети")
    return SimpleNamespace(
        users=users,
        scope=scope,
        writable=writable,
        questionnaire=questionnaire,
        question=q1,
        vacancy=first,
        mine=mine,
        other=other,
        spare=spare,
        mine_interview=mine_interview,
        spare_interview=spare_interview,
        mine_sheet=mine_sheet,
        answers=answers,
        panelist_draft=panelist_draft,
        recruiter_other=recruiter_other,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Built once for the module, in a transaction of its own: each test's transaction is
    # a savepoint inside it, and the whole is rolled back at the end.
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def expected_choices(world, role, key):
    target = FIELDS[key]
    if target == WRITABLE_SCORECARDS:
        return world.writable[role]
    if target == REJECTION_LETTERS:
        return set(MessageTemplate.objects.filter(purpose="rejection").values_list("pk", flat=True))
    return world.scope[role][target]


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _choice_fields(form):
    # Not an inline row's own key: it only ever picks among the parent's rows.
    own_key = form._meta.model._meta.pk.name
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, ModelChoiceField) and name != own_key
    }


def writable_forms(request, model_admin, obj):
    """(inline name or None, form) for each form the user may write on the add page and
    on the change page of ``obj`` (when given): the ModelAdmin's and each inline's."""
    pages = []
    if model_admin.has_add_permission(request):
        pages.append(None)
    if obj is not None and model_admin.has_change_permission(request, obj):
        pages.append(obj)
    for page in pages:
        form_class = model_admin.get_form(request, page, change=page is not None)
        yield None, form_class(instance=page)
        for formset_class, inline in model_admin.get_formsets_with_inlines(request, page):
            parent = page if page is not None else model_admin.model()
            yield type(inline).__name__, formset_class(instance=parent).empty_form


def sample(model_admin, request, rows):
    """An object of the model the user may see, changeable if there is one."""
    candidates = list(model_admin.get_queryset(request).filter(pk__in=rows).order_by("pk"))
    changeable = [o for o in candidates if model_admin.has_change_permission(request, o)]
    return (changeable or candidates or [None])[0]


def test_every_registered_form_is_covered(world):
    request = request_of(world.users.root)
    found, inlines = set(), set()
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        for inline, form in writable_forms(request, model_admin, obj):
            inlines.add(inline)
            for name in _choice_fields(form):
                found.add((model._meta.label_lower, inline, name))

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert found == set(FIELDS)
    assert registered == {model for model, _inline, _field in FIELDS} | WITHOUT_CHOICES
    declared = {inline for _model, inline, _field in FIELDS if inline}
    assert inlines - {None} == declared | INLINES_WITHOUT_CHOICES


@pytest.mark.parametrize("role", ROLES)
def test_every_form_offers_only_the_roles_rows(world, role):
    request = request_of(getattr(world.users, role))
    offered, expected = {}, {}

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        obj = sample(model_admin, request, world.scope[role].get(label, ()))
        for inline, form in writable_forms(request, model_admin, obj):
            for name, field in _choice_fields(form).items():
                key = (label, inline, name, "add" if obj is None else "change")
                offered[key] = set(field.queryset.values_list("pk", flat=True))
                expected[key] = expected_choices(world, role, (label, inline, name))

    assert offered == expected
    assert offered, "the role writes no form at all: nothing was checked"


# -- through the pages: what an add form names, and what a POST saves -------------------


def _client(world, role):
    client = Client()
    client.force_login(getattr(world.users, role))
    return client


def _panelist_without_a_scorecard(world):
    # The one application the panelist is on already has their draft.
    Scorecard.objects.filter(pk=world.panelist_draft.pk).delete()


def _stage():
    return Stage.initial().pk


# Valid add-form data per model and role: the main form, and one row per inline whose
# fields offer choices. None where the role has nothing valid to add.
VALID = {
    "interviews.question": lambda w, role: {
        "questionnaire": w.questionnaire.pk,
        "number": "99",
        "position": 99,
        "text": "Новый вопрос",
        "rubric": "",
        "max_score": 5,
    },
    "interviews.vacancy": lambda w, role: {
        "title": "Новая вакансия",
        "slug": "new-vacancy",
        "questionnaire": w.questionnaire.pk,
        "is_open": "on",
    },
    "interviews.candidate": lambda w, role: {
        "full_name": "Новый Кандидат",
        "email": "new-candidate@example.com",
        "phone": "",
        "telegram": "",
        "source": "",
        "notes": "",
        "consent_at_0": "",
        "consent_at_1": "",
        "consent_method": "",
        "legal_basis": "",
    },
    "interviews.application": lambda w, role: {
        "candidate": w.spare.candidate_id,
        "vacancy": w.vacancy.pk,
        "stage": _stage(),
        "stage_comment": "",
        "owner": w.users.hr.pk,
        "rejection_reason": "",
        "rejection_comment": "",
    },
    "interviews.rejectionreason": lambda w, role: {
        "name": "Новая причина",
        "position": 5,
        "template": MessageTemplate.objects.filter(purpose="rejection").first().pk,
    },
    "interviews.submission": lambda w, role: {
        "candidate": w.spare.candidate_id,
        "questionnaire": "",
        "application": "",
        "source_name": "new.md",
    },
    "interviews.answer": lambda w, role: {
        "submission": w.mine_sheet.pk,
        "question": w.question.pk,
        "label": "9.",
        "question_text": "",
        "body": "Ответ",
        "position": 99,
        "line": 1,
    },
    "interviews.interview": lambda w, role: {
        "application": w.spare.pk,
        "kind": "technical",
        "round": 1,
        "scheduled_at_0": "2030-01-10",
        "scheduled_at_1": "10:00",
        "duration_minutes": 60,
        "interviewers": [w.users.colleague.pk],
        "location": "",
        "status": "planned",
        "notes": "",
    },
    "interviews.scorecard": lambda w, role: (
        None
        if role == "idle"
        else {
            "application": (w.mine if role == "panelist" else w.spare).pk,
            # A field of HR managers' form alone; a recruiter may see every application.
            "reviewer": w.users.recruiter.pk,
            "interview": (w.mine_interview if role == "panelist" else w.spare_interview).pk,
            "recommendation": "",
            "summary": "",
            "submitted_at_0": "",
            "submitted_at_1": "",
        }
    ),
    "interviews.answerscore": lambda w, role: (
        None
        if role == "idle"
        else {
            "scorecard": (w.panelist_draft if role == "panelist" else w.recruiter_other).pk,
            "answer": (w.answers.mine1 if role == "panelist" else w.answers.other).pk,
            "score": 3,
            "comment": "",
        }
    ),
    "interviews.knownsource": lambda w, role: {
        "questionnaire": w.question.questionnaire_id,
        "title": "Публичные ответы",
        "url": "",
        "text": f"## {w.question.number}. {w.question.text}\n\nОтвет из открытого источника.\n",
    },
}
INLINE_ROWS = {
    "ApplicationInline": lambda w, role: {
        "vacancy": w.vacancy.pk,
        "stage": _stage(),
        "rejection_reason": "",
        "owner": w.users.hr.pk,
    },
    "AnswerScoreInline": lambda w, role: {
        "answer": (w.answers.mine1 if role == "panelist" else w.answers.spare).pk,
        "score": 3,
        "comment": "",
    },
}
# What the database must hold before the role can add the row at all.
PREPARE = {("interviews.scorecard", "panelist"): _panelist_without_a_scorecard}


def _rows_outside(world, role, key):
    """Rows the field must not offer the role: the first and the last by id (for scores'
    scorecards, a draft out of sight and one's own submitted one), to keep the walk short."""
    model = _related_model(key)
    inside = expected_choices(world, role, key)
    rows = list(model._default_manager.exclude(pk__in=inside).order_by("pk"))
    return rows[:1] + rows[1:][-1:]


def _related_field(key):
    label, inline, name = key
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    if inline is not None:
        model = next(i.model for i in admin.site._registry[model].inlines if i.__name__ == inline)
    return model._meta.get_field(name)


def _related_model(key):
    return _related_field(key).related_model


def _post_data(world, role, label, response, rows=None):
    """The add form's data: VALID, every inline formset empty but those in ``rows``
    (inline name -> one row's data)."""
    data = dict(VALID[label](world, role) or {})
    rows = rows or {}
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        formset = inline_admin_formset.formset
        name = type(inline_admin_formset.opts).__name__
        row = rows.get(name)
        data[f"{formset.prefix}-TOTAL_FORMS"] = 1 if row is not None else 0
        data[f"{formset.prefix}-INITIAL_FORMS"] = 0
        for field, value in (row or {}).items():
            data[f"{formset.prefix}-0-{field}"] = value
    return data


def _fields_on_the_page(response):
    """(inline name or None, field name) of each field the page's forms have."""
    fields = {(None, name) for name in response.context["adminform"].form.fields}
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        name = type(inline_admin_formset.opts).__name__
        fields |= {(name, field) for field in inline_admin_formset.formset.empty_form.fields}
    return fields


def _holding(key, row):
    """How many rows of the form's model (or the inline's) name ``row`` in the field."""
    field = _related_field(key)
    return field.model._default_manager.filter(**{field.name: row}).count()


def _errors(response, inline):
    if inline is None:
        return response.context["adminform"].form.errors
    for inline_admin_formset in response.context["inline_admin_formsets"]:
        if type(inline_admin_formset.opts).__name__ == inline:
            return inline_admin_formset.formset.forms[0].errors
    raise AssertionError(f"no inline {inline} on the page")


def _counts(label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    return model._default_manager.count(), AnswerScore.objects.count()


ADD_CASES = [(role, label) for role in ROLES for label in sorted({key[0] for key in FIELDS})]


@pytest.mark.parametrize(("role", "label"), ADD_CASES)
def test_add_form_names_and_accepts_only_the_roles_rows(world, role, label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    model_admin = admin.site._registry[model]
    request = request_of(getattr(world.users, role))
    if not model_admin.has_add_permission(request):
        pytest.skip("the role adds no such row (tests/test_roles.py: permission matrix)")
    assert label in VALID, f"{label}: say in VALID what {role} may add"
    prepare = PREPARE.get((label, role))
    if prepare is not None:
        prepare(world)
    client = _client(world, role)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    form_fields = [key for key in FIELDS if key[0] == label]
    outside = {key: _rows_outside(world, role, key) for key in form_fields}

    # Named: the add form given rows out of sight in its query string (one at a time for
    # a foreign key, all at once for a many-to-many field) shows none of them.
    in_query = {key: rows for key, rows in outside.items() if rows and key[1] is None}
    for n in range(max((len(rows) for rows in in_query.values()), default=1)):
        query = {
            key[2]: (
                ",".join(str(row.pk) for row in rows)
                if _related_field(key).many_to_many
                else rows[n % len(rows)].pk
            )
            for key, rows in in_query.items()
        }
        response = client.get(url + "?" + urlencode(query))
        assert response.status_code == 200
        content = response.content.decode()
        for key, rows in outside.items():
            for row in rows:
                assert escape(str(row)) not in content, (key, row)

    # Accepted: each row out of sight, in each field, is refused by that field; a field
    # the role's form does not have (the reviewer, for all but HR managers) is ignored,
    # and no row takes the value.
    on_form = _fields_on_the_page(response)
    for key, rows in outside.items():
        _label, inline, name = key
        for row in rows:
            inline_rows = {}
            if inline is not None:
                inline_rows[inline] = {**INLINE_ROWS[inline](world, role), name: row.pk}
            data = _post_data(world, role, label, response, inline_rows)
            if inline is None:
                data[name] = [row.pk] if isinstance(data.get(name), list) else row.pk
            before = _counts(label)
            holding = _holding(key, row)

            # Each POST in a savepoint rolled back: an ignored field's POST may save.
            with transaction.atomic():
                answer = client.post(url, data)

                assert _holding(key, row) == holding, (key, row)
                if (inline, name) in on_form:
                    assert answer.status_code == 200, (key, row)
                    assert name in _errors(answer, inline), (key, row)
                    assert _counts(label) == before
                transaction.set_rollback(True)

    # And the same form with the role's own rows is saved, so the refusals above were
    # the choices' doing.
    if VALID[label](world, role) is not None:
        rows = {
            inline: INLINE_ROWS[inline](world, role)
            for (_label, inline, _name) in form_fields
            if inline is not None
        }
        before = _counts(label)[0]

        saved = client.post(url, _post_data(world, role, label, response, rows))

        assert saved.status_code == 302, _errors(saved, None)
        assert _counts(label)[0] == before + 1


AUTOCOMPLETE = sorted(
    (model._meta.label_lower, name)
    for model, model_admin in admin.site._registry.items()
    for name in model_admin.autocomplete_fields
)


@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_offers_only_the_roles_rows(world, role):
    client = _client(world, role)
    offered, expected = {}, {}

    for label, name in AUTOCOMPLETE:
        app_label, model_name = label.split(".")
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": name, "term": ""},
        )
        assert response.status_code in (200, 403), (label, name)
        results = response.json()["results"] if response.status_code == 200 else []
        offered[label, name] = {int(result["id"]) for result in results}
        # Refused (403) where the role may not see the related rows at all.
        expected[label, name] = (
            expected_choices(world, role, (label, None, name))
            if response.status_code == 200
            else set()
        )

    assert offered == expected

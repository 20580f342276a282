"""Rejection reasons: the list, the old free text migrated to it, the reason asked for on
every admin path to a rejection stage (and not on imports), the letter offered after, the
funnel's rejections by reason, and anonymisation of the comment."""

import re
from html import unescape
from importlib import import_module

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from interviews import privacy, reports, roles
from interviews.admin.messaging import write_url
from interviews.models import Application, MessageTemplate, RejectionReason, Stage
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    UserFactory,
    VacancyFactory,
    member,
)
from tests.migrating import migrate_to, migrate_to_just_before
from tests.queries import VIEW_QUERIES, listing, page_queries
from tests.test_reports import _table

pytestmark = pytest.mark.django_db

MIGRATION = "0020_rejection_reasons"
REQUIRED_RU = "Выберите причину отказа: без неё заявку нельзя перевести на этап отказа."
CHANGELIST = reverse("admin:interviews_application_changelist")


def stage(name):
    return Stage.objects.get(name=name)


def reason(name):
    return RejectionReason.objects.get(name=name)


def _action(stage_name):
    return f"move_to_stage_{stage(stage_name).pk}"


# -- the migration of the old free text ------------------------------------------------


def test_migration_maps_known_texts_to_reasons_and_keeps_the_rest_as_comments(on_postgres):
    old = migrate_to_just_before(MIGRATION)
    vacancy = old.get_model("interviews", "Vacancy").objects.create(title="Аналитик", slug="an")
    texts = {
        "ru": "  вакансия   ЗАКРЫТА ",
        "en": "Candidate Withdrew",
        "other": "Уехал в другой город",
        "near": "Вакансия закрыта, но откроется",
        "empty": "",
    }
    ids = {}
    for key, text in texts.items():
        candidate = old.get_model("interviews", "Candidate").objects.create(full_name=key)
        ids[key] = (
            old.get_model("interviews", "Application")
            .objects.create(candidate=candidate, vacancy_id=vacancy.pk, rejection_reason=text)
            .pk
        )

    new = migrate_to(MIGRATION)
    rows = {
        key: row
        for key, pk in ids.items()
        for row in new.get_model("interviews", "Application")
        .objects.filter(pk=pk)
        .values_list("rejection_reason__name", "rejection_comment")
    }
    shipped = list(
        new.get_model("interviews", "RejectionReason")
        .objects.order_by("position")
        .values_list("name", "template__name")
    )
    with connection.cursor() as cursor:
        # The funnel's summary counts the mapped ones under their reasons.
        cursor.execute(
            "SELECT r.name, f.applications FROM interviews_funnel_now f "
            "LEFT JOIN interviews_rejectionreason r ON r.id = f.reason_id "
            "WHERE f.vacancy_id = %s ORDER BY 1",
            [vacancy.pk],
        )
        summary = cursor.fetchall()
    assert rows == {
        "ru": ("Вакансия закрыта", ""),
        "en": ("Кандидат отказался", ""),
        "other": (None, "Уехал в другой город"),
        "near": (None, "Вакансия закрыта, но откроется"),
        "empty": (None, ""),
    }
    module = import_module(f"interviews.migrations.{MIGRATION}")
    assert [name for name, _letter in shipped] == [r[0] for r in module.DEFAULT_REASONS]
    # The shipped Russian rejection letter goes with the reasons that reject the candidate.
    assert shipped[0] == ("Недостаточный опыт", "Отказ")
    assert ("Кандидат отказался", None) in shipped
    assert summary == [("Вакансия закрыта", 1), ("Кандидат отказался", 1), (None, 3)]


# -- the rule ------------------------------------------------------------------------------


def test_a_rejection_stage_needs_a_reason_and_other_stages_do_not():
    with pytest.raises(ValidationError) as refused:
        Application.check_rejection_reason(stage("Rejected"), None)

    assert refused.value.code == "rejection_reason_required"
    Application.check_rejection_reason(stage("Rejected"), reason("Другое"))
    Application.check_rejection_reason(stage("Screening"), None)


def test_code_outside_the_admin_may_reject_without_a_reason():
    application = ApplicationFactory()

    application.move_to(stage("Rejected"))

    application.refresh_from_db()
    assert (application.stage.name, application.rejection_reason) == ("Rejected", None)


def test_reason_names_are_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        RejectionReason.objects.create(name="Другое")


def test_reason_names_are_unique_whatever_their_case_on_postgresql(on_postgres):
    with pytest.raises(IntegrityError), transaction.atomic():
        RejectionReason.objects.create(name="ДРУГОЕ")


@pytest.mark.parametrize("name", ["Другое", "  Другое"])
def test_the_reason_form_refuses_a_name_in_use_with_a_russian_message(admin_client, name):
    url = reverse("admin:interviews_rejectionreason_add")

    response = admin_client.post(
        url, {"name": name, "position": 1, "template": ""}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 200
    assert "Причина отказа с таким названием уже есть." in response.content.decode()
    assert RejectionReason.objects.filter(name="Другое").count() == 1


def test_the_reason_form_refuses_a_name_in_use_whatever_its_case_on_postgresql(
    admin_client, on_postgres
):
    url = reverse("admin:interviews_rejectionreason_add")

    response = admin_client.post(url, {"name": "ДРУГОЕ", "position": 1, "template": ""})

    assert response.status_code == 200
    assert not RejectionReason.objects.filter(name="ДРУГОЕ").exists()


def test_a_reasons_letter_must_be_a_rejection_template():
    invitation = MessageTemplate.objects.filter(purpose="interview_invitation").first()
    candidate_reason = RejectionReason(name="Новая", template=invitation)

    with pytest.raises(ValidationError) as refused:
        candidate_reason.full_clean()

    assert "template" in refused.value.message_dict


# -- the changelist's action ---------------------------------------------------------


def _post_action(client, applications, stage_name, **extra):
    data = {
        "action": _action(stage_name),
        helpers.ACTION_CHECKBOX_NAME: [a.pk for a in applications],
        **extra,
    }
    return client.post(CHANGELIST, data, HTTP_ACCEPT_LANGUAGE="ru")


def test_the_rejection_action_asks_for_the_reason_first(admin_client):
    applications = [ApplicationFactory(), ApplicationFactory()]

    response = _post_action(admin_client, applications, "Rejected")

    assert response.status_code == 200
    content = response.content.decode()
    assert "2 заявки будут переведены на этап «Отказ»." in content
    assert '<label class="required" for="id_rejection_reason">Причина отказа:</label>' in content
    assert f'<option value="{reason("Другое").pk}">Другое</option>' in content
    assert Application.objects.filter(stage__name="Rejected").count() == 0


def test_the_rejection_action_refuses_to_move_without_a_reason(admin_client):
    application = ApplicationFactory()

    response = _post_action(
        admin_client, [application], "Rejected", confirm="Отказать", rejection_reason=""
    )

    assert response.status_code == 200
    assert REQUIRED_RU in response.content.decode()
    application.refresh_from_db()
    assert application.stage.name == "New"


def test_the_rejection_action_moves_with_the_reason(admin_client, admin_user):
    first, second = ApplicationFactory(), ApplicationFactory()
    third = ApplicationFactory()
    chosen = reason("Вакансия закрыта")
    chosen.template = None
    chosen.save()

    response = _post_action(
        admin_client, [first, second], "Rejected", confirm="Отказать", rejection_reason=chosen.pk
    )

    assert response.status_code == 302
    moved = Application.objects.filter(stage__name="Rejected")
    assert set(moved.values_list("pk", "rejection_reason")) == {
        (first.pk, chosen.pk),
        (second.pk, chosen.pk),
    }
    third.refresh_from_db()
    assert (third.stage.name, third.rejection_reason) == ("New", None)
    last = first.stage_changes.last()
    assert (last.to_stage.name, last.by) == ("Rejected", admin_user)
    shown = [str(m) for m in admin_client.get(CHANGELIST).context["messages"]]
    assert shown == ["2 заявки переведены на этап «Отказ»."]


def test_other_stages_move_at_once_without_a_reason(admin_client):
    application = ApplicationFactory()

    response = _post_action(admin_client, [application], "Screening")

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.stage.name, application.rejection_reason) == ("Screening", None)


def test_the_reason_page_keeps_the_changelists_filter_for_select_across(admin_client):
    # "Select all" across the pages: the page posts select_across back to the same
    # filtered address, so only the filtered applications move.
    kept = ApplicationFactory()
    vacancy = VacancyFactory()
    filtered = [ApplicationFactory(vacancy=vacancy) for _ in range(2)]
    url = CHANGELIST + f"?vacancy__id__exact={vacancy.pk}"
    data = {
        "action": _action("Rejected"),
        helpers.ACTION_CHECKBOX_NAME: [filtered[0].pk],
        "select_across": "1",
    }

    page = admin_client.post(url, data).content.decode()
    response = admin_client.post(
        url, {**data, "confirm": "1", "rejection_reason": reason("Другое").pk}
    )

    assert 'name="select_across" value="1"' in page
    assert response.status_code == 302
    assert set(Application.objects.filter(stage__name="Rejected").values_list("pk", flat=True)) == {
        a.pk for a in filtered
    }
    kept.refresh_from_db()
    assert kept.stage.name == "New"


# -- the change form and the candidate's rows ------------------------------------------


def _change_data(application, **fields):
    return {
        "candidate": application.candidate_id,
        "vacancy": application.vacancy_id,
        "stage": application.stage_id,
        "owner": "",
        "rejection_reason": "",
        "rejection_comment": "",
        "stage_comment": "",
        "interviews-TOTAL_FORMS": 0,
        "interviews-INITIAL_FORMS": 0,
        "stage_changes-TOTAL_FORMS": 0,
        "stage_changes-INITIAL_FORMS": 0,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
        **fields,
    }


def test_the_change_form_refuses_a_rejection_without_a_reason(admin_client):
    application = ApplicationFactory()
    url = reverse("admin:interviews_application_change", args=[application.pk])

    response = admin_client.post(
        url, _change_data(application, stage=stage("Rejected").pk), HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"rejection_reason": [REQUIRED_RU]}
    application.refresh_from_db()
    assert application.stage.name == "New"


def test_the_change_form_rejects_with_a_reason_and_a_comment(admin_client):
    application = ApplicationFactory()
    url = reverse("admin:interviews_application_change", args=[application.pk])
    data = _change_data(
        application,
        stage=stage("Rejected").pk,
        rejection_reason=reason("Другое").pk,
        rejection_comment="Мало опыта с PostgreSQL",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    application.refresh_from_db()
    assert (
        application.stage.name,
        application.rejection_reason.name,
        application.rejection_comment,
    ) == ("Rejected", "Другое", "Мало опыта с PostgreSQL")


def test_an_application_rejected_without_a_reason_by_an_import_can_still_be_edited(
    admin_client, admin_user
):
    application = ApplicationFactory()
    application.move_to(stage("Rejected"))
    url = reverse("admin:interviews_application_change", args=[application.pk])

    response = admin_client.post(url, _change_data(application, owner=admin_user.pk))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.owner == admin_user


def test_the_candidates_application_rows_ask_for_the_reason_too(admin_client):
    application = ApplicationFactory()
    candidate = application.candidate
    url = reverse("admin:interviews_candidate_change", args=[candidate.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "consent_at_0": "",
            "consent_at_1": "",
            "applications-TOTAL_FORMS": 1,
            "applications-INITIAL_FORMS": 1,
            "applications-0-id": application.pk,
            "applications-0-candidate": candidate.pk,
            "applications-0-vacancy": application.vacancy_id,
            "applications-0-stage": stage("Rejected").pk,
            "applications-0-rejection_reason": "",
            "applications-0-owner": "",
        }
    )
    for prefix in ("submissions", "messages"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})

    refused = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
    data["applications-0-rejection_reason"] = reason("Другое").pk
    accepted = admin_client.post(url, data)

    assert refused.status_code == 200
    assert REQUIRED_RU in refused.content.decode()
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    application.refresh_from_db()
    assert (application.stage.name, application.rejection_reason.name) == ("Rejected", "Другое")


# -- the letter offered after a rejection ------------------------------------------------


def _offers(client):
    """The links to the write page in the messages the next page shows."""
    shown = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    write = reverse("admin:interviews_application_write")
    links = [unescape(href) for m in shown for href in re.findall(r'href="([^"]+)"', m)]
    return [link for link in links if link.startswith(write)]


def test_a_rejection_offers_the_reasons_letter_on_the_write_page(admin_client):
    first, second = ApplicationFactory(), ApplicationFactory()
    chosen = reason("Недостаточный опыт")  # the shipped reasons come with the letter "Отказ"

    _post_action(admin_client, [second, first], "Rejected", confirm="1", rejection_reason=chosen.pk)

    (offer,) = _offers(admin_client)
    assert offer == write_url(
        sorted([first.pk, second.pk]), template=chosen.template_id, reason=chosen.name
    )
    page = admin_client.get(offer).content.decode()
    assert chosen.template.name == "Отказ"
    assert "Недостаточный опыт" in page
    assert first.candidate.full_name in page


def test_the_change_form_offers_the_letter_after_a_rejection(admin_client):
    application = ApplicationFactory()
    url = reverse("admin:interviews_application_change", args=[application.pk])
    chosen = reason("Вакансия закрыта")
    data = _change_data(application, stage=stage("Rejected").pk, rejection_reason=chosen.pk)

    admin_client.post(url, data)

    assert _offers(admin_client) == [
        write_url([application.pk], template=chosen.template_id, reason=chosen.name)
    ]


def test_a_reason_without_a_letter_offers_nothing(admin_client):
    application = ApplicationFactory()

    _post_action(
        admin_client,
        [application],
        "Rejected",
        confirm="1",
        rejection_reason=reason("Кандидат отказался").pk,
    )

    assert _offers(admin_client) == []


def test_who_may_not_write_to_candidates_is_offered_no_letter(client):
    # Staff who may move applications but not write to candidates (no role gives this
    # alone; interviewers may do neither).
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "change_application"])
    )
    client.force_login(user)
    application = ApplicationFactory()

    response = _post_action(
        client,
        [application],
        "Rejected",
        confirm="1",
        rejection_reason=reason("Недостаточный опыт").pk,
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage.name == "Rejected"
    assert _offers(client) == []


# -- who may write to candidates -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may"),
    [(roles.HR_MANAGER, True), (roles.RECRUITER, True), (roles.INTERVIEWER, False)],
)
def test_only_hr_managers_and_recruiters_write_to_candidates(role, may):
    assert roles.may_write_to_candidates(member(role)) is may


# -- the list of reasons ------------------------------------------------------------------


def test_the_reasons_list_counts_applications_in_constant_queries(admin_client):
    url = reverse("admin:interviews_rejectionreason_changelist")
    ApplicationFactory(rejection_reason=reason("Другое"))
    few = page_queries(admin_client, url)

    for _ in range(4):
        ApplicationFactory(rejection_reason=reason("Вакансия закрыта"))
    many = page_queries(admin_client, url)

    # Session, user, the page's count and the table's, rows with their letters and
    # application counts.
    assert (len(few), len(many)) == (5, 5), listing(many)
    shown = admin_client.get(url).context["cl"].result_list
    counts = {row.name: row._application_count for row in shown}
    assert (counts["Вакансия закрыта"], counts["Другое"]) == (4, 1)


# -- the funnel ------------------------------------------------------------------------


@pytest.fixture
def rejections():
    """One vacancy: three rejected for "Недостаточный опыт", one for "Вакансия закрыта",
    two without a reason (an import), and one moved on after a rejection's reason was set
    (not rejected now: not counted). Another vacancy with one rejection of its own."""
    vacancy = VacancyFactory(title="Тестировщик")
    rejected = stage("Rejected")

    def application(reason_name, to=rejected, on=vacancy):
        application = ApplicationFactory(vacancy=on, candidate=CandidateFactory())
        application.move_to(to, reason=reason(reason_name) if reason_name else None)
        return application

    for name in ["Недостаточный опыт"] * 3 + ["Вакансия закрыта", None, None]:
        application(name)
    application("Другое", to=stage("Screening"))
    application("Другое", on=VacancyFactory(title="Аналитик"))
    return vacancy


def test_funnel_counts_rejections_per_reason_in_the_lists_order(rejections):
    (funnel,) = reports.funnel(vacancy_ids=[rejections.pk])

    assert [(row.reason, row.count, round(row.share)) for row in funnel.rejections] == [
        ("Недостаточный опыт", 3, 50),
        ("Вакансия закрыта", 1, 17),
        ("", 2, 33),
    ]


def test_funnel_page_shows_rejections_by_reason(admin_client, rejections):
    url = reverse("admin:interviews_application_funnel") + f"?vacancy={rejections.pk}"

    response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru")

    assert _table(response, "zvonok-reasons") == [
        ["Причина отказа", "Заявки", "Доля отказов"],
        ["Недостаточный опыт", "3", "50%"],
        ["Вакансия закрыта", "1", "17%"],
        ["причина не указана", "2", "33%"],
    ]
    assert "Отказы по причинам" in response.content.decode()


def test_funnel_says_when_a_vacancy_has_no_rejections(admin_client):
    application = ApplicationFactory()
    url = reverse("admin:interviews_application_funnel") + f"?vacancy={application.vacancy_id}"

    content = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Отказов нет." in content
    assert 'class="zvonok-reasons"' not in content


# -- anonymisation -------------------------------------------------------------------------


def test_anonymisation_clears_the_comment_and_keeps_the_reason():
    candidate = CandidateFactory(full_name="Вера Павлова")
    application = ApplicationFactory(candidate=candidate)
    application.rejection_comment = "Вера Павлова просила не звонить"
    application.move_to(stage("Rejected"), reason=reason("Кандидат отказался"))
    said = Application.history.filter(rejection_comment__contains="Вера")
    assert said.exists()

    privacy.anonymize(candidate, force=True)

    application.refresh_from_db()
    assert (application.rejection_comment, application.rejection_reason.name) == (
        "",
        "Кандидат отказался",
    )
    assert not said.exists()


def test_the_reason_page_costs_the_same_queries_for_few_or_many_applications(admin_client):
    # The changelist's: session, user, stages (the actions), the filters' vacancies,
    # stages and owners, the table's count; the page's: the selection's count, reasons.
    few = [ApplicationFactory()]
    data = {"action": _action("Rejected")}

    one = page_queries(
        admin_client, CHANGELIST, {**data, "_selected_action": [a.pk for a in few]}, method="post"
    )
    many = few + [ApplicationFactory() for _ in range(25)]
    all_of_them = page_queries(
        admin_client, CHANGELIST, {**data, "_selected_action": [a.pk for a in many]}, method="post"
    )

    assert (len(one), len(all_of_them)) == (VIEW_QUERIES["reject"],) * 2, listing(all_of_them)

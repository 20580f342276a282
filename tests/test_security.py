"""Security checks across the whole admin: login lockout, response headers, production
cookies, and the server-side permission check of every admin view Zvonok adds."""

import importlib
import re
import subprocess
import sys

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from interviews import roles
from interviews.middleware import CONTENT_SECURITY_POLICY
from interviews.models import AnswerMatch, KnownSource, SourceAnswer, Stage
from tests.factories import (
    AnswerFactory,
    AnswerScoreFactory,
    ApplicationFactory,
    InterviewFactory,
    QuestionFactory,
    ScorecardFactory,
    SubmissionFactory,
    UserFactory,
    member,
)
from tests.production import ROOT, production_env

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's


# -- login lockout (django-axes) ---------------------------------------------------------


def log_in(username, password, ip):
    """A login through the admin's form, from ``ip``, in a fresh session."""
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_five_wrong_passwords_lock_out_that_user_from_that_address(settings):
    settings.AXES_FAILURE_LIMIT = 5
    victim = member(roles.RECRUITER, username="victim")
    for _ in range(4):
        assert log_in(victim.username, "wrong", "10.0.0.1").status_code == 200
    log_in(victim.username, "wrong", "10.0.0.1")

    right_password = log_in(victim.username, PASSWORD, "10.0.0.1")

    assert right_password.status_code == 429
    assert "_auth_user_id" not in right_password.wsgi_request.session


@pytest.mark.django_db
def test_lockout_spares_other_addresses_and_other_users(settings):
    settings.AXES_FAILURE_LIMIT = 5
    victim = member(roles.RECRUITER, username="victim")
    colleague = member(roles.RECRUITER, username="colleague")
    for _ in range(5):
        log_in(victim.username, "wrong", "10.0.0.1")

    same_user_elsewhere = log_in(victim.username, PASSWORD, "10.0.0.2")
    other_user_same_address = log_in(colleague.username, PASSWORD, "10.0.0.1")

    assert same_user_elsewhere.status_code == 302
    assert other_user_same_address.status_code == 302


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = member(roles.RECRUITER, username="forgetful")
    for _ in range(4):
        log_in(user.username, "wrong", "10.0.0.1")
    assert log_in(user.username, PASSWORD, "10.0.0.1").status_code == 302
    for _ in range(4):
        log_in(user.username, "wrong", "10.0.0.1")

    response = log_in(user.username, PASSWORD, "10.0.0.1")

    assert response.status_code == 302


@pytest.mark.django_db
def test_lockout_counts_the_address_the_proxy_reports(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.ZVONOK_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    user = member(roles.RECRUITER, username="behind-proxy")
    for _ in range(5):
        Client().post(
            reverse("admin:login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_REAL_IP="203.0.113.7",
        )

    # The same proxy, another client: not locked out.
    response = Client().post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_REAL_IP="203.0.113.8",
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_login_with_an_unsafe_next_lands_on_the_admin_index():
    user = member(roles.RECRUITER, username="followed-a-link")

    response = Client().post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
        REMOTE_ADDR="10.0.0.1",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


# -- response headers --------------------------------------------------------------------

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.parametrize(
    "url_name", ["admin:interviews_application_changelist", "admin:interviews_application_funnel"]
)
def test_admin_pages_send_security_headers(admin_client, url_name):
    response = admin_client.get(reverse(url_name))

    assert response.status_code == 200
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS


@pytest.mark.django_db
def test_login_page_sends_security_headers(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS


@pytest.mark.django_db
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_candidates_pages_send_security_headers(client, closed):
    """The public pages (interviews.applying) have no login in front: the same headers."""
    from interviews import applying
    from tests.factories import VacancyFactory

    vacancy = VacancyFactory(apply_token=applying.new_token(), is_open=not closed)
    for url in (reverse("apply", args=[vacancy.apply_token]), reverse("apply_confirm", args=["x"])):
        response = client.get(url)
        assert response.status_code in (200, 404, 410)
        assert {name: response.headers.get(name) for name in HEADERS} == HEADERS


def test_csp_forbids_inline_scripts_and_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


# -- production cookies ------------------------------------------------------------------


def test_cookies_are_secure_and_http_only_in_production_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


# -- every admin view we add checks permissions on the server ----------------------------

# The ModelAdmin's own views (interviews_<model>_<view>); the site's autocomplete is not
# named interviews_*.
STANDARD = re.compile(r"interviews_[a-z]+_(changelist|add|change|delete|history)")


def custom_admin_url_names():
    """Names of the admin URLs Zvonok adds (``get_urls`` overrides and simple_history's
    past-version pages), read from the admin site so that a new view cannot be forgotten."""

    def names(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return sorted(
        name
        for name in names(admin.site.get_urls())
        if name.startswith("interviews_") and not STANDARD.fullmatch(name)
    )


@pytest.fixture
def world():
    """An interviewer on the panel of ``mine`` but not of ``other``; every kind of row
    the custom views take, once for each application."""
    interviewer = member(roles.INTERVIEWER)
    question = QuestionFactory()
    rows = {"interviewer": interviewer, "question": question}
    for side in ("mine", "other"):
        panel = [interviewer] if side == "mine" else []
        application, second = ApplicationFactory.create_batch(
            2, vacancy__questionnaire=question.questionnaire
        )
        InterviewFactory(application=application, interviewers=panel)
        InterviewFactory(application=second, interviewers=panel)
        submission = SubmissionFactory(
            candidate=application.candidate, questionnaire=question.questionnaire
        )
        answer = AnswerFactory(submission=submission, question=question)
        reviewer = interviewer if side == "mine" else UserFactory()
        scorecard = ScorecardFactory(application=application, reviewer=reviewer)
        # The answer is much like the second candidate's and like a known source's.
        peer = AnswerFactory(
            submission=SubmissionFactory(
                candidate=second.candidate, questionnaire=question.questionnaire
            ),
            question=question,
        )
        AnswerMatch.objects.create(answer=peer, other_answer=answer, similarity=0.9)
        source_answer = SourceAnswer.objects.create(
            source=KnownSource.objects.create(questionnaire=question.questionnaire, title=side),
            question=question,
            text=answer.body,
        )
        AnswerMatch.objects.create(answer=answer, source_answer=source_answer, similarity=1)
        rows[side] = {
            "similar": [answer.pk, peer.pk],
            "source": [answer.pk, source_answer.pk],
            "application": application,
            "pair": f"{application.pk},{second.pk}",
            "candidate": application.candidate,
            "answer": answer,
            "scorecard": scorecard,
            "answerscore": AnswerScoreFactory(scorecard=scorecard, answer=answer),
        }
    stage = Stage.objects.order_by("order").first()
    stage.save()  # its first history row
    rows["mine"]["stage"] = rows["other"]["stage"] = stage
    return rows


def _version(obj):
    return [obj.pk, obj.history.latest().history_id]


# name -> (arguments from the rows of one side, query string)
ARGS = {
    "interviews_question_answers": (lambda w, s: [w["question"].pk], ""),
    "interviews_answer_find": (lambda w, s: [], "?q=Python"),
    "interviews_answer_copied": (lambda w, s: [], ""),
    "interviews_answer_similar": (lambda w, s: s["similar"], ""),
    "interviews_answer_similar_source": (lambda w, s: s["source"], ""),
    "interviews_application_compare": (lambda w, s: [], "?ids={pair}"),
    "interviews_application_funnel": (lambda w, s: [], ""),
    "interviews_application_score": (lambda w, s: [s["application"].pk], ""),
    "interviews_application_print": (lambda w, s: [s["application"].pk], ""),
    "interviews_application_write": (lambda w, s: [], "?ids={pair}"),
    "interviews_application_export_csv": (lambda w, s: [], ""),
    "interviews_application_export_csv_excel": (lambda w, s: [], ""),
    "interviews_application_export_xlsx": (lambda w, s: [], ""),
    "interviews_submission_import": (lambda w, s: [], ""),
    "interviews_submission_import_confirm": (lambda w, s: [], ""),
    "interviews_submission_import_cancel": (lambda w, s: [], ""),
    "interviews_application_delete": (lambda w, s: [s["application"].pk], ""),
    "interviews_interview_ics": (lambda w, s: [s["application"].interviews.get().pk], ""),
    **{
        f"interviews_{model}_simple_history": (
            lambda w, s, model=model: _version(s[model]),
            "",
        )
        for model in ("application", "candidate", "answer", "stage", "scorecard", "answerscore")
    },
}

# Columns: anonymous, interviewer on their own application, interviewer on another's,
# recruiter, HR manager. Anonymous visitors are sent to the login page (302).
# 404: a row the user may not open is not confirmed to exist. 405: POST-only steps.
# Compare answers 302 (back to the list: "not found") for applications the interviewer
# is not on.
TABLE = {
    "interviews_question_answers": (302, 200, 200, 200, 200),
    "interviews_answer_find": (302, 200, 200, 200, 200),
    # Copied answers: the other answer and whose it is, never for interviewers (they see
    # the badge alone), not even about their own candidate.
    "interviews_answer_copied": (302, 403, 403, 200, 200),
    "interviews_answer_similar": (302, 403, 403, 200, 200),
    "interviews_answer_similar_source": (302, 403, 403, 200, 200),
    "interviews_application_compare": (302, 200, 302, 200, 200),
    "interviews_application_funnel": (302, 403, 403, 200, 200),
    "interviews_application_score": (302, 200, 404, 200, 200),
    "interviews_application_print": (302, 200, 404, 200, 200),
    # Writing to candidates needs their addresses: never interviewers, whoever's the row.
    "interviews_application_write": (302, 403, 403, 200, 200),
    "interviews_application_export_csv": (302, 403, 403, 200, 200),
    "interviews_application_export_csv_excel": (302, 403, 403, 200, 200),
    "interviews_application_export_xlsx": (302, 403, 403, 200, 200),
    "interviews_submission_import": (302, 403, 403, 200, 200),
    "interviews_submission_import_confirm": (302, 403, 403, 405, 405),
    "interviews_submission_import_cancel": (302, 403, 403, 405, 405),
    # An interview's calendar file: HR, recruiters and that interview's interviewers.
    "interviews_interview_ics": (302, 200, 404, 200, 200),
    # A model page in the table: an application takes its stage history with it, so only
    # HR managers delete applications.
    "interviews_application_delete": (302, 403, 403, 403, 200),
    # Past versions: like the history pages, recruiters and HR managers only, and
    # scorecards (blind feedback) HR managers only.
    "interviews_application_simple_history": (302, 403, 403, 200, 200),
    "interviews_candidate_simple_history": (302, 403, 403, 200, 200),
    "interviews_answer_simple_history": (302, 403, 403, 200, 200),
    "interviews_stage_simple_history": (302, 403, 403, 200, 200),
    "interviews_scorecard_simple_history": (302, 403, 403, 403, 200),
    "interviews_answerscore_simple_history": (302, 403, 403, 403, 200),
}
VISITORS = ["anonymous", "interviewer-own", "interviewer-other", "recruiter", "hr-manager"]


def test_every_custom_admin_url_is_in_the_table():
    custom = sorted(name for name in TABLE if not STANDARD.fullmatch(name))
    assert custom_admin_url_names() == custom
    assert sorted(ARGS) == sorted(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TABLE))
def test_custom_admin_url_answers_each_role_as_expected(client, world, name):
    visitors = {
        "anonymous": (None, "other"),
        "interviewer-own": (world["interviewer"], "mine"),
        "interviewer-other": (world["interviewer"], "other"),
        "recruiter": (member(roles.RECRUITER), "other"),
        "hr-manager": (member(roles.HR_MANAGER), "other"),
    }
    args, query = ARGS[name]
    statuses = []

    for visitor in VISITORS:
        user, side = visitors[visitor]
        client.logout()
        if user is not None:
            client.force_login(user)
        url = reverse(f"admin:{name}", args=args(world, world[side]))
        response = client.get(url + query.format(pair=world[side]["pair"]))
        statuses.append(response.status_code)
        if user is None:
            assert response["Location"].startswith(reverse("admin:login"))

    assert dict(zip(VISITORS, statuses, strict=True)) == dict(
        zip(VISITORS, TABLE[name], strict=True)
    )


@pytest.mark.django_db
def test_interviewer_cannot_revert_a_candidate_through_a_past_version(client, world):
    candidate = world["mine"]["candidate"]
    client.force_login(world["interviewer"])

    response = client.post(
        reverse("admin:interviews_candidate_simple_history", args=_version(candidate)),
        {"full_name": "Подменённое имя"},
    )

    candidate.refresh_from_db()
    assert response.status_code == 403
    assert candidate.full_name != "Подменённое имя"


@pytest.mark.django_db
def test_recruiter_cannot_revert_someone_elses_scorecard(client, world):
    scorecard = world["other"]["scorecard"]
    client.force_login(member(roles.RECRUITER))

    response = client.post(
        reverse("admin:interviews_scorecard_simple_history", args=_version(scorecard)),
        {"application": scorecard.application_id, "summary": "взлом", "recommendation": "no"},
    )

    scorecard.refresh_from_db()
    assert response.status_code == 403
    assert scorecard.summary != "взлом"


# -- only HR managers delete candidates --------------------------------------------------


@pytest.mark.django_db
def test_migration_0007_takes_candidate_deletion_from_recruiters():
    from django.apps import apps
    from django.contrib.auth.models import Permission

    revoke = importlib.import_module(
        "interviews.migrations.0007_recruiters_do_not_delete_candidates"
    ).revoke
    group = Group.objects.get(name=roles.RECRUITER)
    group.permissions.add(Permission.objects.get(codename="delete_candidate"))

    revoke(apps, None)

    assert not group.permissions.filter(codename="delete_candidate").exists()
    assert group.permissions.filter(codename="change_candidate").exists()


@pytest.mark.django_db
def test_recruiter_cannot_delete_a_candidate(client, world):
    candidate = world["other"]["candidate"]
    client.force_login(member(roles.RECRUITER))

    response = client.post(
        reverse("admin:interviews_candidate_delete", args=[candidate.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(candidate).objects.filter(pk=candidate.pk).exists()

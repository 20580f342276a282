"""import_answers with links and --refresh, against the local stand-in for the hosts.

The policy is read from the settings as in production; only the resolver, the connector
and the trusted certificate authority are the test's (tests/links_server.py).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from interviews import roles
from interviews.links import client
from interviews.models import AnswerScore, Submission
from tests.factories import AnswerScoreFactory, ScorecardFactory, member
from tests.links_server import HostsServer, Reply

pytestmark = pytest.mark.django_db

SHEET = """# Ответы
#### 1. Какой опыт в коммерческой разработки на Python?
Три года, Django и Celery.
#### 2. Приходилось ли сильно оптимизировать Python код?
Да: профилировал через py-spy.
"""
REPO = "https://github.com/anna-dev/zvonok-answers"
README = ("raw.githubusercontent.com", "/anna-dev/zvonok-answers/HEAD/README.md")


@pytest.fixture(scope="module")
def server():
    running = HostsServer()
    yield running
    running.close()


@pytest.fixture
def hosts(server, monkeypatch, settings):
    settings.ZVONOK_FETCH_ALLOWED_HOSTS = [
        "github.com",
        "raw.githubusercontent.com",
        "gitlab.com",
        "files.example.org",
        "intranet.example.org",
    ]
    settings.ZVONOK_FETCH_TIMEOUT = 1.0
    settings.ZVONOK_IMPORT_MAX_BYTES = 10_000
    settings.LANGUAGE_CODE = "en"  # the messages asserted are the English ones, unless said
    production = client.Policy.from_settings.__func__

    def from_settings(cls, **overrides):
        policy = production(cls, **overrides)
        return dataclasses.replace(
            policy,
            resolve=server.resolve,
            connect=server.connect,
            ssl_context=server.client_context(),
        )

    monkeypatch.setattr(client.Policy, "from_settings", classmethod(from_settings))
    server.routes.clear()
    server.requests.clear()
    server.connections.clear()
    return server


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_answers", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_repository_link_imports_its_readme_and_remembers_where_from(hosts):
    hosts.routes[README] = Reply(body=SHEET.encode(), headers={"ETag": '"r1"'})
    out, err, failed = run(REPO)
    assert failed is None, err
    submission = Submission.objects.get()
    assert submission.source_url == REPO
    assert submission.source_raw_url == "https://" + "".join(README)
    assert submission.source_etag == '"r1"'
    assert submission.candidate.full_name == "anna-dev"
    assert submission.answers.count() == 2
    assert f"created   {REPO}" in out


def test_every_link_is_reported_and_a_refusal_never_stops_the_others(hosts, tmp_path):
    body = SHEET.encode()
    hosts.routes[("raw.githubusercontent.com", "/a/r/main/answers.md")] = Reply(body=body)
    hosts.routes[("raw.githubusercontent.com", "/b/r/main/README.md")] = Reply(
        body=body.replace(b"Celery", b"RQ")
    )
    hosts.routes[("files.example.org", "/moved.md")] = Reply(
        status=301, headers={"Location": "https://gitlab.com/c/r/-/raw/main/a.md"}
    )
    hosts.routes[("gitlab.com", "/c/r/-/raw/main/a.md")] = Reply(
        body=body.replace(b"Django", b"Flask")
    )
    hosts.routes[("files.example.org", "/big.md")] = Reply(body=b"x" * 20_000, chunked=True)
    hosts.routes[("files.example.org", "/photo.md")] = Reply(
        body=b"\x89PNG", content_type="image/png"
    )
    hosts.routes[("files.example.org", "/slow.md")] = Reply(body=body, delay=1.5)
    links = tmp_path / "links.txt"
    links.write_text(
        "# links from the candidates' e-mails\n"
        "https://github.com/a/r/blob/main/answers.md\n"
        "https://raw.githubusercontent.com/b/r/main/README.md\n"
        "https://files.example.org/moved.md\n"
        "\n"
        "https://files.example.org/missing.md\n"
        "https://files.example.org/big.md\n"
        "https://files.example.org/photo.md\n"
        "http://files.example.org/plain.md\n"
        "https://elsewhere.example.net/a.md\n"
        "https://intranet.example.org/a.md\n"
        "https://files.example.org/slow.md\n",
        encoding="utf-8",
    )
    out, _err, failed = run("--urls", str(links), "--format", "json")
    assert failed is not None and failed.returncode == 1
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert [f["status"] for f in files.values()][:3] == ["created"] * 3
    errors = {path: f["error"] for path, f in files.items() if f["error"]}
    assert "404" in errors["https://files.example.org/missing.md"]
    assert "larger than 10000 bytes" in errors["https://files.example.org/big.md"]
    assert "not a text file (image/png)" in errors["https://files.example.org/photo.md"]
    assert "only https" in errors["http://files.example.org/plain.md"]
    assert "not allowed" in errors["https://elsewhere.example.net/a.md"]
    assert "private or reserved" in errors["https://intranet.example.org/a.md"]
    assert "did not answer in time" in errors["https://files.example.org/slow.md"]
    assert len(errors) == 7
    assert Submission.objects.count() == 3
    moved = Submission.objects.get(source_url="https://files.example.org/moved.md")
    assert moved.source_raw_url == "https://gitlab.com/c/r/-/raw/main/a.md"


def test_a_bad_line_in_the_urls_file_is_named(hosts, tmp_path):
    links = tmp_path / "links.txt"
    links.write_text("https://github.com/a/r\nsee my repo\n", encoding="utf-8")
    _out, _err, failed = run("--urls", str(links))
    assert "line 2: not a link" in str(failed)


def test_refresh_unchanged_changed_and_gone(hosts):
    tag = {"value": '"v1"'}
    body = {"value": SHEET.encode()}

    def readme(handler):
        if handler.headers.get("If-None-Match") == tag["value"]:
            return Reply(status=304)
        return Reply(body=body["value"], headers={"ETag": tag["value"]})

    hosts.routes[README] = readme
    hosts.routes[("gitlab.com", "/c/r/-/raw/main/a.md")] = Reply(body=SHEET.encode())
    run(REPO, "https://gitlab.com/c/r/-/blob/main/a.md")
    first = Submission.objects.get(source_url=REPO)
    scorecard = ScorecardFactory()
    score = AnswerScoreFactory(scorecard=scorecard, answer=first.answers.first(), score=4)

    # Unchanged: the host's ETag saves the download; the same bytes without one say so too.
    out, err, failed = run("--refresh")
    assert failed is None, err
    assert [line.split()[0] for line in out.splitlines() if "→" in line] == ["unchanged"] * 2
    assert Submission.objects.count() == 2

    # Changed: a new revision for the same candidate; the old one keeps its scores.
    tag["value"], body["value"] = '"v2"', SHEET.replace("Celery", "Dramatiq").encode()
    out, err, failed = run("--refresh")
    assert failed is None, err
    latest = Submission.objects.filter(source_url=REPO).order_by("-revision").first()
    assert (latest.revision, latest.candidate_id) == (2, first.candidate_id)
    assert latest.source_etag == '"v2"'
    assert AnswerScore.objects.get(pk=score.pk).answer.submission_id == first.pk

    # Gone: a clear message, exit status 1, nothing changed.
    del hosts.routes[("gitlab.com", "/c/r/-/raw/main/a.md")]
    out, err, failed = run("--refresh")
    assert failed is not None and failed.returncode == 1
    assert err == (
        "https://gitlab.com/c/r/-/blob/main/a.md: the file was not found (404). "
        "The sheet imported before is kept.\n"
    )
    assert Submission.objects.count() == 3


def test_refresh_takes_no_paths(hosts):
    _out, _err, failed = run("--refresh", REPO)
    assert "--refresh" in str(failed)


# --- the admin: links on the upload page, "Refresh from source" ------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_admin_upload_takes_links_with_the_same_preview_and_confirm(hosts, media, admin_client):
    hosts.routes[README] = Reply(body=SHEET.encode(), headers={"ETag": '"r1"'})
    preview = admin_client.post(
        reverse("admin:interviews_submission_import"),
        {"links": f"{REPO}\nhttps://files.example.org/missing.md\n"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert preview.status_code == 200
    rows = preview.context["rows"]
    assert [row["file"].path for row in rows] == [REPO]
    assert rows[0]["file"].status == "created"
    page = preview.content.decode()
    assert "https://files.example.org/missing.md: файл не найден (404)." in page
    assert not Submission.objects.exists()  # the preview writes nothing

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    admin_client.post(reverse("admin:interviews_submission_import_confirm"), {"token": token})
    submission = Submission.objects.get()
    assert (submission.source_url, submission.source_etag) == (REPO, '"r1"')
    # Confirmed from the kept copy, not downloaded again.
    assert [path for _host, path, _headers in hosts.requests].count(README[1]) == 1


def test_admin_upload_with_only_bad_links_says_why(hosts, media, admin_client):
    response = admin_client.post(
        reverse("admin:interviews_submission_import"),
        {"links": "http://files.example.org/a.md\nnot a link"},
    )
    assert "Line 2 is not a link: not a link" in response.content.decode()
    response = admin_client.post(
        reverse("admin:interviews_submission_import"), {"links": "http://files.example.org/a.md"}
    )
    assert "only https links are accepted" in response.content.decode()
    assert not Submission.objects.exists()


def refresh_action(client, submissions):
    return client.post(
        reverse("admin:interviews_submission_changelist"),
        {"action": "refresh_from_source", "_selected_action": [s.pk for s in submissions]},
        follow=True,
    )


def test_refresh_action_makes_a_new_revision_for_hr_only(hosts, media, client):
    hosts.routes[README] = Reply(body=SHEET.encode())
    run(REPO)
    first = Submission.objects.get()
    hosts.routes[README] = Reply(body=SHEET.replace("Celery", "Dramatiq").encode())

    client.force_login(member(roles.INTERVIEWER))
    refresh_action(client, [first])
    assert Submission.objects.count() == 1

    client.force_login(member(roles.HR_MANAGER))
    response = refresh_action(client, [first])
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"{REPO} (anna-dev): changed, imported as a new revision."]
    assert Submission.objects.filter(candidate=first.candidate).count() == 2

    del hosts.routes[README]
    response = refresh_action(client, Submission.objects.all())
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"{REPO}: the repository has no README file. The sheet imported before is kept."
    ]

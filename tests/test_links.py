"""interviews.links: the hosts' link forms, and downloading through the production checks."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from interviews.links import client, hosts
from tests.links_server import PUBLIC, HostsServer, Reply

SHEET = "# Ответы\n\n#### 1. Опыт?\n\nТри года.\n".encode()


# --- link forms (pure) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "first_raw"),
    [
        (
            "https://github.com/ivan/zvonok-answers",
            "repository",
            "https://raw.githubusercontent.com/ivan/zvonok-answers/HEAD/README.md",
        ),
        (
            "https://github.com/ivan/zvonok-answers.git",
            "repository",
            "https://raw.githubusercontent.com/ivan/zvonok-answers/HEAD/README.md",
        ),
        (
            "https://github.com/ivan/zvonok-answers/tree/dev",
            "repository",
            "https://raw.githubusercontent.com/ivan/zvonok-answers/dev/README.md",
        ),
        (
            "https://github.com/ivan/zvonok-answers/blob/main/docs/Ответы.md",
            "file",
            "https://raw.githubusercontent.com/ivan/zvonok-answers/main/docs/%D0%9E%D1%82%D0%B2%D0%B5%D1%82%D1%8B.md",
        ),
        (
            "https://raw.githubusercontent.com/ivan/zvonok-answers/main/README.md",
            "raw",
            "https://raw.githubusercontent.com/ivan/zvonok-answers/main/README.md",
        ),
        (
            "https://gist.github.com/ivan/0123abcd",
            "gist",
            "https://gist.githubusercontent.com/ivan/0123abcd/raw",
        ),
        (
            "https://gitlab.com/group/sub/project",
            "repository",
            "https://gitlab.com/group/sub/project/-/raw/HEAD/README.md",
        ),
        (
            "https://gitlab.com/group/project/-/blob/main/answers.md",
            "file",
            "https://gitlab.com/group/project/-/raw/main/answers.md",
        ),
        (
            "https://gitlab.com/group/project/-/raw/main/answers.md",
            "raw",
            "https://gitlab.com/group/project/-/raw/main/answers.md",
        ),
        (
            "https://bitbucket.org/team/repo",
            "repository",
            "https://bitbucket.org/team/repo/raw/HEAD/README.md",
        ),
        (
            "https://bitbucket.org/team/repo/src/main/answers.md",
            "file",
            "https://bitbucket.org/team/repo/raw/main/answers.md",
        ),
        (
            "https://codeberg.org/anna/answers",
            "repository",
            "https://codeberg.org/api/v1/repos/anna/answers/raw/README.md",
        ),
        (
            "https://codeberg.org/anna/answers/src/branch/main/README.md",
            "file",
            "https://codeberg.org/anna/answers/raw/branch/main/README.md",
        ),
        ("https://files.example.org/a.md", "url", "https://files.example.org/a.md"),
    ],
)
def test_links_rewrite_to_raw_urls(url, kind, first_raw):
    resolved = hosts.resolve(url)
    assert resolved.kind == kind
    assert resolved.raw_urls[0] == first_raw


def test_a_repository_tries_every_readme_spelling_once():
    raw = hosts.resolve("https://github.com/ivan/answers").raw_urls
    names = [url.rsplit("/", 1)[1] for url in raw]
    assert names[0] == "README.md"
    assert {"readme.md", "README.markdown", "README.txt", "README", "Readme.md"} <= set(names)
    assert len(names) == len(set(names))


# --- downloading ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    running = HostsServer()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def english():
    # The refusals asserted are the English messages (the Russian ones: tests/test_translations.py).
    with translation.override("en"):
        yield


@pytest.fixture
def policy(server):
    server.routes.clear()
    server.requests.clear()
    server.connections.clear()
    return client.Policy(
        allowed_hosts=frozenset([*hosts.DEFAULT_ALLOWED_HOSTS, "files.example.org"]),
        timeout=2.0,
        max_bytes=4096,
        resolve=server.resolve,
        connect=server.connect,
        ssl_context=server.client_context(),
    )


def test_readme_of_a_repository_in_any_spelling(server, policy):
    server.routes[("raw.githubusercontent.com", "/ivan/answers/HEAD/readme.md")] = Reply(
        body=SHEET, headers={"ETag": '"abc"'}
    )
    fetched = client.fetch("https://github.com/ivan/answers", policy)
    assert fetched.content == SHEET
    assert fetched.raw_url == "https://raw.githubusercontent.com/ivan/answers/HEAD/readme.md"
    assert fetched.etag == '"abc"'
    # README.md and its spellings before readme.md answered 404 first.
    assert server.requests[0][1] == "/ivan/answers/HEAD/README.md"


def test_a_repository_without_readme_is_named(server, policy):
    with pytest.raises(client.FetchError, match="no README"):
        client.fetch("https://gitlab.com/group/project", policy)


def test_blob_page_and_raw_link(server, policy):
    commit = "0" * 39 + "1"
    path = f"/ivan/answers/{commit}/docs/answers.md"
    server.routes[("raw.githubusercontent.com", path)] = Reply(body=SHEET)
    blob = client.fetch(f"https://github.com/ivan/answers/blob/{commit}/docs/answers.md", policy)
    raw = client.fetch(f"https://raw.githubusercontent.com{path}", policy)
    assert blob.content == raw.content == SHEET
    assert blob.commit == commit


def test_redirect_is_followed_and_checked_on_every_hop(server, policy):
    server.routes[("gist.githubusercontent.com", "/ivan/abc/raw")] = Reply(
        status=302, headers={"Location": "https://gist.githubusercontent.com/ivan/abc/raw/x.md"}
    )
    server.routes[("gist.githubusercontent.com", "/ivan/abc/raw/x.md")] = Reply(body=SHEET)
    fetched = client.fetch("https://gist.github.com/ivan/abc", policy)
    assert fetched.content == SHEET
    assert fetched.raw_url.endswith("/raw/x.md")


@pytest.mark.parametrize("target", ["https://intranet.example.org/x", "https://127.0.0.1/x"])
def test_redirect_to_a_private_address_is_refused(server, policy, target):
    policy = dataclasses.replace(policy, allowed_hosts=frozenset({"*"}))
    server.routes[("files.example.org", "/a.md")] = Reply(status=302, headers={"Location": target})
    with pytest.raises(client.FetchError, match="private or reserved"):
        client.fetch("https://files.example.org/a.md", policy)
    assert len(server.connections) == 1  # never connected to the private one


def test_too_many_redirects(server, policy):
    server.routes[("files.example.org", "/loop")] = Reply(status=301, headers={"Location": "/loop"})
    with pytest.raises(client.FetchError, match="more than 3 redirects"):
        client.fetch("https://files.example.org/loop", policy)
    assert len(server.connections) == 4


def test_not_found(server, policy):
    with pytest.raises(client.FetchError, match="404"):
        client.fetch("https://files.example.org/missing.md", policy)


@pytest.mark.parametrize("chunked", [False, True])
def test_too_large_file_is_cut_while_streaming(server, policy, chunked):
    server.routes[("files.example.org", "/big.md")] = Reply(body=b"x" * 200_000, chunked=chunked)
    with pytest.raises(client.FetchError, match="larger than 4096 bytes"):
        client.fetch("https://files.example.org/big.md", policy)


def test_binary_file_is_refused(server, policy):
    server.routes[("files.example.org", "/photo.md")] = Reply(
        body=b"\x89PNG\r\n\x1a\n", content_type="image/png"
    )
    with pytest.raises(client.FetchError, match=r"not a text file \(image/png\)"):
        client.fetch("https://files.example.org/photo.md", policy)


def test_plain_http_is_refused_unless_allowed(server, policy):
    with pytest.raises(client.FetchError, match="only https"):
        client.fetch("http://files.example.org/a.md", policy)
    assert server.connections == []


def test_host_outside_the_allowed_list(server, policy):
    with pytest.raises(client.FetchError, match="not allowed"):
        client.fetch("https://evil.example.net/a.md", policy)
    assert server.connections == []


@pytest.mark.parametrize("host", ["intranet.example.org", "metadata.example.org"])
def test_private_address_refused_unless_the_setting_is_on(server, policy, host):
    policy = dataclasses.replace(policy, allowed_hosts=frozenset({"*"}))
    with pytest.raises(client.FetchError, match="private or reserved"):
        client.fetch(f"https://{host}/a.md", policy)
    assert server.connections == []
    # With the setting on the check steps aside (the connector is then asked for it).
    relaxed = dataclasses.replace(policy, allow_private=True)
    with pytest.raises(AssertionError, match="unchecked address"):
        client.fetch(f"https://{host}/a.md", relaxed)


def test_the_connection_goes_to_the_address_that_was_checked(server, policy):
    answers = iter([[PUBLIC["files.example.org"]], ["10.9.9.9"]])
    rebinding = dataclasses.replace(policy, resolve=lambda host, port: next(answers))
    server.routes[("files.example.org", "/a.md")] = Reply(body=SHEET)
    assert client.fetch("https://files.example.org/a.md", rebinding).content == SHEET
    assert server.connections == [(PUBLIC["files.example.org"], 443)]


def test_slow_server_times_out(server, policy):
    policy = dataclasses.replace(policy, timeout=0.3)
    server.routes[("files.example.org", "/slow.md")] = Reply(body=SHEET, delay=1.0)
    with pytest.raises(client.FetchError, match="did not answer in time"):
        client.fetch("https://files.example.org/slow.md", policy)


def test_certificate_is_verified(server, policy):
    # The system's trust store does not know the test authority: TLS must fail.
    strict = dataclasses.replace(policy, ssl_context=None)
    server.routes[("files.example.org", "/a.md")] = Reply(body=SHEET)
    with pytest.raises(client.FetchError, match="secure connection failed"):
        client.fetch("https://files.example.org/a.md", strict)


def test_etag_saves_a_download(server, policy):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304)
        return Reply(body=SHEET, headers={"ETag": '"v1"'})

    server.routes[("files.example.org", "/a.md")] = conditional
    first = client.fetch("https://files.example.org/a.md", policy)
    again = client.fetch("https://files.example.org/a.md", policy, etag=first.etag)
    assert not first.not_modified and first.content == SHEET
    assert again.not_modified and again.content == b""


def test_token_goes_only_to_its_own_host(server, policy):
    policy = dataclasses.replace(policy, tokens={"github": "secret-gh"})
    server.routes[("raw.githubusercontent.com", "/ivan/a/main/a.md")] = Reply(
        status=302, headers={"Location": "https://files.example.org/a.md"}
    )
    server.routes[("files.example.org", "/a.md")] = Reply(body=SHEET)
    client.fetch("https://raw.githubusercontent.com/ivan/a/main/a.md", policy)
    sent = {host: headers.get("Authorization") for host, _path, headers in server.requests}
    assert sent == {"raw.githubusercontent.com": "token secret-gh", "files.example.org": None}


def test_policy_from_settings(settings):
    settings.ZVONOK_FETCH_ALLOWED_HOSTS = ["GitHub.com"]
    settings.ZVONOK_FETCH_TIMEOUT = 3.5
    settings.ZVONOK_FETCH_GITHUB_TOKEN = ""
    policy = client.Policy.from_settings()
    assert policy.allowed_hosts == frozenset({"github.com"})
    assert policy.timeout == 3.5 and not policy.allow_http and not policy.allow_private
    assert policy.tokens == {}
    assert policy.resolve is client.system_resolve

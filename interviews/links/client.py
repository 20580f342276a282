"""Downloading an answer sheet from a link: every step is hostile territory.

A link comes from a candidate, so the download must not become a way into the servers
Zvonok runs next to (server-side request forgery). The rules, each checked on every hop
of a redirect:

- ``https`` only, unless the operator allows plain ``http``;
- the host is in the allowed list (the repository hosts by default);
- every address the name resolves to is a public one (no loopback, private, link-local,
  shared or reserved range) unless the operator allows private addresses; the connection
  then goes to the address that was checked, with the name kept for TLS and the Host
  header, so a second DNS answer (rebinding) cannot point it elsewhere;
- at most ``max_redirects`` redirects, one deadline for the whole download, the size
  limit enforced while the body streams in, and only text content types.

The resolver, the connector and the TLS context are parameters, so tests run this very
code against a local server: names resolve to a public-looking address that the test's
connector routes to 127.0.0.1, and the checks see exactly what they would in production.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

from interviews.links import hosts

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = ("text/",)
MARKDOWN_TYPES = frozenset({"application/markdown", "application/x-markdown"})
CHUNK = 64 * 1024
USER_AGENT = "Zvonok answer import"
# Hosts a token may be sent to: a token never leaves its own host's domains.
TOKEN_HOSTS = {
    "github": frozenset({"github.com", "raw.githubusercontent.com", "gist.githubusercontent.com"}),
    "gitlab": frozenset({"gitlab.com"}),
}
_COMMIT = re.compile(r"/([0-9a-f]{40})(?:/|$)")

Resolver = Callable[[str, int], list[str]]
Connector = Callable[[str, int, float], socket.socket]


class FetchError(Exception):
    """A link that cannot be imported; the message is one sentence for the report."""


class _NotFound(FetchError):
    pass


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def system_connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


@dataclass(frozen=True)
class Policy:
    allowed_hosts: frozenset[str] = frozenset(hosts.DEFAULT_ALLOWED_HOSTS)
    allow_http: bool = False
    allow_private: bool = False
    timeout: float = 10.0
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3
    tokens: Mapping[str, str] = field(default_factory=dict)  # "github"/"gitlab" -> token
    resolve: Resolver = system_resolve
    connect: Connector = system_connect
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, **overrides) -> Policy:
        from django.conf import settings

        values = {
            "allowed_hosts": frozenset(h.lower() for h in settings.ZVONOK_FETCH_ALLOWED_HOSTS),
            "allow_http": settings.ZVONOK_FETCH_ALLOW_HTTP,
            "allow_private": settings.ZVONOK_FETCH_ALLOW_PRIVATE_ADDRESSES,
            "timeout": settings.ZVONOK_FETCH_TIMEOUT,
            "max_bytes": settings.ZVONOK_IMPORT_MAX_BYTES,
            "tokens": {
                name: token
                for name, token in (
                    ("github", settings.ZVONOK_FETCH_GITHUB_TOKEN),
                    ("gitlab", settings.ZVONOK_FETCH_GITLAB_TOKEN),
                )
                if token
            },
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class Fetched:
    url: str  # the link as given
    raw_url: str  # where the bytes came from, after rewriting and redirects
    content: bytes
    etag: str = ""
    commit: str = ""
    not_modified: bool = False  # the host said the ETag still holds: content is empty


def fetch(url: str, policy: Policy, *, etag: str = "") -> Fetched:
    """Download what ``url`` means (see ``hosts.resolve``); FetchError says why not."""
    check_link(url, policy)
    resolved = hosts.resolve(url)
    deadline = time.monotonic() + policy.timeout
    for raw_url in resolved.raw_urls:
        try:
            final_url, response = _get(raw_url, policy, deadline, etag)
        except _NotFound:
            continue
        commit = _COMMIT.search(urlsplit(final_url).path)
        return Fetched(
            url=url,
            raw_url=final_url,
            content=response.content,
            etag=response.etag,
            commit=commit.group(1) if commit else "",
            not_modified=response.not_modified,
        )
    if resolved.kind == "repository":
        raise FetchError(_("%(url)s: the repository has no README file.") % {"url": url})
    raise FetchError(_("%(url)s: the file was not found (404).") % {"url": url})


def check_link(url: str, policy: Policy) -> None:
    """Refuse a link by its form alone: scheme and host (no network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(_("%(url)s: not a web link (https://...).") % {"url": url})
    if parts.scheme == "http" and not policy.allow_http:
        raise FetchError(
            _("%(url)s: only https links are accepted, http is off on this server.") % {"url": url}
        )
    host = parts.hostname.lower()
    if "*" not in policy.allowed_hosts and host not in policy.allowed_hosts:
        raise FetchError(
            _("%(url)s: downloads from %(host)s are not allowed on this server.")
            % {"url": url, "host": host}
        )


def check_address(address: str, host: str, policy: Policy) -> None:
    if policy.allow_private:
        return
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        raise FetchError(
            _("%(host)s resolves to a private or reserved address (%(address)s): refused.")
            % {"host": host, "address": address}
        )


@dataclass
class _Response:
    content: bytes = b""
    etag: str = ""
    not_modified: bool = False


def _get(url: str, policy: Policy, deadline: float, etag: str) -> tuple[str, _Response]:
    for _hop in range(policy.max_redirects + 1):
        check_link(url, policy)
        parts = urlsplit(url)
        host = parts.hostname.lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _checked_address(host, port, policy)
        status, location, response = _request(parts, host, port, address, policy, deadline, etag)
        if status in REDIRECT_STATUSES:
            if not location:
                raise FetchError(_("%(url)s: a redirect without a target.") % {"url": url})
            url = urljoin(url, location)
            continue
        return url, response
    raise FetchError(
        _("%(url)s: more than %(count)d redirects.") % {"url": url, "count": policy.max_redirects}
    )


def _checked_address(host: str, port: int, policy: Policy) -> str:
    try:
        # An address in the link is its own answer: it is checked like any other.
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        try:
            addresses = policy.resolve(host, port)
        except OSError:
            addresses = []
    if not addresses:
        raise FetchError(_("%(host)s: no such host.") % {"host": host})
    # Every answer is checked: a name with one public and one private address is refused.
    for address in addresses:
        check_address(address, host, policy)
    return addresses[0]


class _Watchdog:
    """Cuts the connection when the deadline passes, whatever call is blocked on it."""

    def __init__(self, sock: socket.socket, seconds: float):
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _request(parts, host, port, address, policy, deadline, etag):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout(parts.geturl())
    try:
        sock = policy.connect(address, port, remaining)
    except OSError as error:
        raise FetchError(
            _("%(host)s: could not connect (%(error)s).") % {"host": host, "error": error}
        ) from error
    watchdog = _Watchdog(sock, deadline - time.monotonic())
    try:
        if parts.scheme == "https":
            context = policy.ssl_context or ssl.create_default_context()
            try:
                sock = context.wrap_socket(sock, server_hostname=host)
            except (ssl.SSLError, OSError) as error:
                if watchdog.fired or isinstance(error, TimeoutError):
                    raise _timeout(parts.geturl()) from error
                raise FetchError(
                    _("%(host)s: the secure connection failed (%(error)s).")
                    % {"host": host, "error": error}
                ) from error
        return _exchange(sock, parts, host, port, policy, etag, watchdog)
    except (OSError, http.client.HTTPException) as error:
        # The socket's own timeout (the same deadline) may fire before the watchdog does.
        if watchdog.fired or isinstance(error, TimeoutError):
            raise _timeout(parts.geturl()) from error
        raise FetchError(
            _("%(url)s: the download failed (%(error)s).")
            % {"url": parts.geturl(), "error": error or type(error).__name__}
        ) from error
    finally:
        watchdog.cancel()
        sock.close()


def _headers(host: str, policy: Policy, etag: str) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/markdown, text/plain;q=0.9, text/*;q=0.8"}
    token = policy.tokens.get("github")
    if token and host in TOKEN_HOSTS["github"]:
        headers["Authorization"] = f"token {token}"
    token = policy.tokens.get("gitlab")
    if token and host in TOKEN_HOSTS["gitlab"]:
        headers["PRIVATE-TOKEN"] = token
    if etag:
        headers["If-None-Match"] = etag
    return headers


def _exchange(sock, parts, host, port, policy, etag, watchdog):
    connection = http.client.HTTPConnection(host, port)
    connection.sock = sock  # already connected to the checked address
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection.request("GET", target, headers=_headers(host, policy, etag))
    reply = connection.getresponse()
    url = parts.geturl()
    if reply.status in REDIRECT_STATUSES:
        return reply.status, reply.getheader("Location", ""), None
    if reply.status == 304 and etag:
        return reply.status, "", _Response(etag=etag, not_modified=True)
    if reply.status in (404, 410):
        raise _NotFound(url)
    if reply.status != 200:
        raise FetchError(
            _("%(url)s: the server answered %(status)d %(reason)s.")
            % {"url": url, "status": reply.status, "reason": reply.reason}
        )
    content_type = (reply.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    if not (content_type.startswith(TEXT_TYPES) or content_type in MARKDOWN_TYPES):
        raise FetchError(
            _("%(url)s: not a text file (%(type)s).")
            % {"url": url, "type": content_type or _("no content type")}
        )
    body = _read_body(reply, url, policy)
    if watchdog.fired:
        raise _timeout(url)
    return reply.status, "", _Response(content=body, etag=reply.getheader("ETag") or "")


def _read_body(reply: http.client.HTTPResponse, url: str, policy: Policy) -> bytes:
    declared = reply.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_large(url, policy)
    body = bytearray()
    # read1 returns what one read brings: a slow sender cannot hold a full-size read open.
    while chunk := reply.read1(CHUNK):
        body += chunk
        if len(body) > policy.max_bytes:
            raise _too_large(url, policy)
    return bytes(body)


def _too_large(url: str, policy: Policy) -> FetchError:
    return FetchError(
        _("%(url)s: the file is larger than %(limit)d bytes.")
        % {"url": url, "limit": policy.max_bytes}
    )


def _timeout(url: str) -> FetchError:
    return FetchError(_("%(url)s: the server did not answer in time.") % {"url": url})

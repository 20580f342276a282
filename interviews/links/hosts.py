"""Which raw file a link to an answer sheet means: pure functions, no network.

A candidate sends the page they see (a repository, a file's page, a gist); the hosts
serve the file's bytes elsewhere. Each host's public raw endpoint is used, so no account
or API quota is needed for public repositories. A repository link means its README on
the default branch: ``HEAD`` names the default branch on every host here, and the
README's name is tried in the usual spellings in order (the hosts' raw endpoints are
case-sensitive and have no "find the README" of their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

# The names a README goes by, most common first; each is one request at most.
README_NAMES = tuple(
    stem + ext
    for ext in (".md", ".markdown", ".txt", "")
    for stem in ("README", "readme", "Readme")
)

# Hosts a link may point at unless an operator widens the list: the repository hosts and
# the domains they serve raw files from.
DEFAULT_ALLOWED_HOSTS = (
    "github.com",
    "raw.githubusercontent.com",
    "gist.github.com",
    "gist.githubusercontent.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
)


@dataclass(frozen=True)
class Resolved:
    """What to download for a link: the raw URLs to try, in order, and what kind of link."""

    url: str
    raw_urls: tuple[str, ...]
    kind: str  # "repository", "file", "gist", "raw" or "url"


def resolve(url: str) -> Resolved:
    """The raw URLs behind ``url``; any other URL stands for itself."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    rewrite = _REWRITERS.get(host)
    if rewrite is not None:
        found = rewrite(segments)
        if found is not None:
            kind, raw_urls = found
            return Resolved(url=url, raw_urls=tuple(raw_urls), kind=kind)
    return Resolved(url=url, raw_urls=(url.strip(),), kind="url")


def _path(*segments: str) -> str:
    return "/".join(quote(s, safe="") for s in segments)


def _readmes(prefix: str) -> list[str]:
    return [f"{prefix}/{quote(name)}" for name in README_NAMES]


def _github(seg: list[str]):
    if len(seg) < 2:
        return None
    owner, repo = seg[0], seg[1].removesuffix(".git")
    if len(seg) == 2 or (len(seg) == 4 and seg[2] == "tree"):
        ref = seg[3] if len(seg) == 4 else "HEAD"
        base = f"https://raw.githubusercontent.com/{_path(owner, repo, ref)}"
        return "repository", _readmes(base)
    if len(seg) >= 5 and seg[2] in ("blob", "raw"):
        raw = f"https://raw.githubusercontent.com/{_path(owner, repo, *seg[3:])}"
        return "file", [raw]
    return None


def _github_raw(seg: list[str]):
    if len(seg) >= 4:
        return "raw", [f"https://raw.githubusercontent.com/{_path(*seg)}"]
    return None


def _gist(seg: list[str]):
    # gist.github.com/<user>/<id>, or /<id> alone; /raw gives the gist's (first) file.
    if len(seg) in (1, 2):
        return "gist", [f"https://gist.githubusercontent.com/{_path(*seg)}/raw"]
    return None


def _gist_raw(seg: list[str]):
    if len(seg) >= 3:
        return "raw", [f"https://gist.githubusercontent.com/{_path(*seg)}"]
    return None


def _gitlab(seg: list[str]):
    # Projects sit in nested groups: everything before "/-/" is the project's path.
    if "-" in seg:
        cut = seg.index("-")
        project, rest = seg[:cut], seg[cut + 1 :]
        if len(project) >= 2 and len(rest) >= 3 and rest[0] in ("blob", "raw"):
            raw = f"https://gitlab.com/{_path(*project)}/-/raw/{_path(*rest[1:])}"
            return ("raw" if rest[0] == "raw" else "file"), [raw]
        if len(project) >= 2 and len(rest) == 2 and rest[0] == "tree":
            base = f"https://gitlab.com/{_path(*project)}/-/raw/{_path(rest[1])}"
            return "repository", _readmes(base)
        return None
    if len(seg) >= 2:
        project = [*seg[:-1], seg[-1].removesuffix(".git")]
        base = f"https://gitlab.com/{_path(*project)}/-/raw/HEAD"
        return "repository", _readmes(base)
    return None


def _bitbucket(seg: list[str]):
    if len(seg) < 2:
        return None
    owner, repo = seg[0], seg[1].removesuffix(".git")
    if len(seg) == 2:
        base = f"https://bitbucket.org/{_path(owner, repo)}/raw/HEAD"
        return "repository", _readmes(base)
    if len(seg) >= 5 and seg[2] in ("src", "raw"):
        raw = f"https://bitbucket.org/{_path(owner, repo)}/raw/{_path(*seg[3:])}"
        return ("raw" if seg[2] == "raw" else "file"), [raw]
    return None


def _codeberg(seg: list[str]):
    # Forgejo: /<owner>/<repo>/src/branch/<name>/<path>, also src/tag/ and src/commit/.
    if len(seg) < 2:
        return None
    owner, repo = seg[0], seg[1].removesuffix(".git")
    if len(seg) == 2:
        # Forgejo's raw route needs a branch name; its API's raw route takes the default.
        base = f"https://codeberg.org/api/v1/repos/{_path(owner, repo)}/raw"
        return "repository", _readmes(base)
    if len(seg) >= 6 and seg[2] in ("src", "raw") and seg[3] in ("branch", "tag", "commit"):
        raw = f"https://codeberg.org/{_path(owner, repo)}/raw/{_path(*seg[3:])}"
        return ("raw" if seg[2] == "raw" else "file"), [raw]
    return None


_REWRITERS = {
    "github.com": _github,
    "www.github.com": _github,
    "raw.githubusercontent.com": _github_raw,
    "gist.github.com": _gist,
    "gist.githubusercontent.com": _gist_raw,
    "gitlab.com": _gitlab,
    "www.gitlab.com": _gitlab,
    "bitbucket.org": _bitbucket,
    "www.bitbucket.org": _bitbucket,
    "codeberg.org": _codeberg,
}


def owner(url: str) -> str:
    """Who a link on a repository host belongs to (its first path segment), to name a
    candidate whose sheet says nothing of them; "" for other links."""
    parts = urlsplit(url.strip())
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if (parts.hostname or "").lower() in _REWRITERS and segments:
        return segments[0]
    return ""

"""YAML front matter at the top of a sheet ("---" ... "---"): the candidate's contacts,
the questionnaire and vacancy. Safe loaders only, bounded in size, no aliases; front matter
that cannot be read is kept as text with a warning, never an error.
"""

from __future__ import annotations

import contextlib
import re

import yaml

from . import messages

__all__ = ["IMPORT_KEYS", "read_front_matter"]

# The keys the import reads (lower-cased, like every key): whose answers these are, and to
# which questionnaire and vacancy.
IMPORT_KEYS = frozenset(
    ("name", "full_name", "email", "phone", "telegram", "vacancy", "questionnaire")
)

# libyaml is much faster and refuses deep nesting itself; both loaders are safe loaders.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER_MAX = 64 * 1024
_NOT_LOADED = object()  # yaml.load() itself may give None
_HAS_ALIASES = object()
# "key: text" lines, which YAML can only read as strings: a plain key, and a text that starts
# with a letter (no YAML 1.1 number, date or indicator) and holds no YAML syntax. YAML 1.1
# still reads the words below as booleans and null.
_PLAIN_YAML_LINE = re.compile(
    r"([A-Za-z_][A-Za-z0-9_-]{0,63}):[ ]+([^\W\d_](?:[\w .@+-]*[\w.@+-])?)"
)
_YAML_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))


def _plain_yaml(source: str) -> dict | None:
    """What YAML loads from front matter of plain "key: text" lines only, else None.

    Loading even two lines with libyaml costs ~30 µs, most of a typical sheet's front matter.
    """
    data = {}
    for line in source.split("\n"):
        m = _PLAIN_YAML_LINE.fullmatch(line)
        if m is None or m[1].lower() in _YAML_WORDS or m[2].lower() in _YAML_WORDS:
            return None
        data[m[1]] = m[2]
    return data


def read_front_matter(lines: list[str], warnings: list[str]) -> tuple[dict, int]:
    """(front matter, first line after it); ({}, 0) when there is none."""
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return {}, 0
    return _mapping("\n".join(lines[1:close]), warnings), close + 1


def _mapping(source: str, warnings: list[str]) -> dict:
    """The keys (lower-cased) and values of front matter; {} and a warning when it cannot
    be read as a mapping."""
    if len(source) > _FRONT_MATTER_MAX or (
        _YAML_LOADER is yaml.SafeLoader and source.count("[") + source.count("{") > 200
    ):
        # Pure-Python PyYAML scans nested flow collections in quadratic time.
        warnings.append(messages.FRONT_MATTER_TOO_LARGE)
        return {}
    data = _plain_yaml(source)
    if data is not None:
        return {k.lower(): v for k, v in data.items()}
    try:
        data = _load(source)
    except Exception as exc:  # odd YAML raises more than YAMLError (bad dates, recursion)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(messages.FRONT_MATTER_INVALID % {"reason": reason})
        return {}
    if data is _HAS_ALIASES:
        warnings.append(messages.FRONT_MATTER_ALIASES)
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        warnings.append(messages.FRONT_MATTER_NOT_MAPPING)
        return {}
    return {str(k).lower(): v for k, v in data.items()}


def _load(source: str):
    """What a safe loader makes of ``source``, or _HAS_ALIASES; raises what YAML raises."""
    data = _NOT_LOADED
    if "*" not in source:
        # No alias is possible, and a load that succeeds has scanned the whole text, so
        # the scan for aliases below (as slow as the load) could not fail or find one.
        with contextlib.suppress(Exception):
            data = yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader
    if data is _NOT_LOADED:
        # Aliases are how YAML bombs ("billion laughs") grow; sheets never need them.
        tokens = yaml.scan(source, Loader=_YAML_LOADER)
        if any(isinstance(t, yaml.AliasToken) for t in tokens):
            return _HAS_ALIASES
        data = yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader
    return data

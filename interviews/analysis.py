"""Everything done to one answer file before the database: parse it and read the skills
its answers claim. Pure (no Django), so that importing.py can run it in worker processes,
where it costs both cores instead of one."""

from dataclasses import dataclass

from . import markdown, skills


@dataclass(frozen=True, slots=True)
class Analysis:
    sheet: markdown.ParsedSheet
    claims: tuple[tuple[skills.Claim, ...], ...]  # per section, in section order


def analyse_bytes(data: bytes, *, max_bytes: int) -> "Analysis | markdown.SheetError":
    """The parsed sheet and its skill claims, or the SheetError that refused the file
    (returned, not raised: a worker's exception would stop the whole batch)."""
    result = markdown.try_parse_bytes(data, max_bytes=max_bytes)
    if isinstance(result, markdown.SheetError):
        return result
    claims = tuple(tuple(skills.extract_claims(s.body)) for s in result.sections)
    return Analysis(result, claims)

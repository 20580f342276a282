"""Everything done to one answer file before the database: parse it and read the skills
its answers claim. Pure (no Django), so that the import can run it in worker processes,
where it costs both cores instead of one."""

from dataclasses import dataclass

from . import skills
from .decoding import SheetError
from .parsing import ParsedSheet, try_parse_bytes


@dataclass(frozen=True, slots=True)
class Analysis:
    sheet: ParsedSheet
    claims: tuple[tuple[skills.Claim, ...], ...]  # per section, in section order


def analyse_bytes(data: bytes, *, max_bytes: int) -> "Analysis | SheetError":
    """The parsed sheet and its skill claims, or the SheetError that refused the file
    (returned, not raised: a worker's exception would stop the whole batch)."""
    result = try_parse_bytes(data, max_bytes=max_bytes)
    if isinstance(result, SheetError):
        return result
    claims = tuple(tuple(skills.extract_claims(s.body)) for s in result.sections)
    return Analysis(result, claims)

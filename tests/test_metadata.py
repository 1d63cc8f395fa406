"""The exact metadata of the four seeds, and the date and person parsers."""

import datetime as dt

import pytest

from svar.index.loading import load_answer, parse_answer
from svar.index.metadata import normalise_dnr, parse_date, split_person
from svar.index.records import Person

from conftest import SEED_000, SEED_001, SEED_003, SEED_004

EXPECTED = {
    SEED_000: dict(
        dnr="KS 2025/806", date=dt.date(2025, 8, 27),
        interpellant=Person("Andréa Hedin", "M"),
        respondent=Person("Alexander Ojanne", "S", "social- och trygghetsborgarrådet"),
        topic="utmaningarna inom Stockholms socialtjänst", signature="Alexander Ojanne",
    ),
    SEED_001: dict(
        dnr="KS 2022/65", date=dt.date(2022, 3, 22),
        interpellant=Person("Alexandra Mattsson Åkerström", "V"),
        respondent=Person("Jan Jönsson", "L", "socialborgarrådet"),
        topic="risker för diskriminering när socialtjänsten beslutar om insatser till barn",
        signature="Jan Jönsson",
    ),
    SEED_003: dict(
        dnr="KS 2026/469", date=dt.date(2026, 5, 20),
        interpellant=Person("Andréa Hedin", "M"),
        respondent=Person("Alexander Ojanne", "S", "social- och trygghetsborgarrådet"),
        topic="vårdinsatser för barn och unga", signature="Alexander Ojanne",
    ),
    SEED_004: dict(
        dnr="KS 2020/1079", date=dt.date(2021, 4, 6),
        interpellant=Person("Alexandra Mattsson Åkerström", "V"),
        respondent=Person("Jan Jönsson", "L", "socialborgarrådet"),
        topic="Lilla Hjärtat", signature="Jan Jönsson",
    ),
}


@pytest.mark.parametrize("seed", list(EXPECTED), ids=lambda p: p.name[:3])
def test_seed_metadata(seed):
    answer = load_answer(seed)
    expected = EXPECTED[seed]
    assert answer.dnr == expected["dnr"]
    assert answer.date == expected["date"]
    assert answer.interpellant == expected["interpellant"]
    assert answer.respondent == expected["respondent"]
    assert answer.topic == expected["topic"]
    assert answer.signature == expected["signature"]
    assert answer.warnings == []
    assert "\n" not in answer.title and answer.title.endswith(expected["topic"])


def test_title_wrapped_inside_a_name_is_one_line():
    assert load_answer(SEED_001).title == (
        "Svar på Interpellation av Alexandra Mattsson Åkerström (V) till socialborgarrådet Jan Jönsson (L) "
        "om risker för diskriminering när socialtjänsten beslutar om insatser till barn"
    )


@pytest.mark.parametrize("text, expected", [
    ("Dnr KS 2025/806", "KS 2025/806"),
    ("Dnr SDN 2023/12", "SDN 2023/12"),
    ("Dnr RD 2010/410", "RD 2010/410"),
    ("Dnr: KS 2022 / 065", "KS 2022/65"),
    ("ks 2022/65", "KS 2022/65"),
    ("inget diarienummer", ""),
])
def test_dnr_forms(text, expected):
    assert normalise_dnr(text) == expected


@pytest.mark.parametrize("line, expected", [
    ("Stockholm den 2025-08-27", dt.date(2025, 8, 27)),
    ("Stockholm den 22 mars 2022", dt.date(2022, 3, 22)),
    ("den 6 april 2021", dt.date(2021, 4, 6)),
    ("Stockholm den 31 februari 2022", None),
    ("Stockholm den 3 smörgås 2022", None),
])
def test_closing_dates(line, expected):
    assert parse_date(line) == expected


@pytest.mark.parametrize("text, expected", [
    ("social- och trygghetsborgarrådet Alexander Ojanne", Person("Alexander Ojanne", "", "social- och trygghetsborgarrådet")),
    ("Statsrådet Lotta Edholm", Person("Lotta Edholm", "", "Statsrådet")),
    ("Klimat- och miljöminister Åsa Romson", Person("Åsa Romson", "", "Klimat- och miljöminister")),
    ("försvarsminister Björn von Sydow", Person("Björn von Sydow", "", "försvarsminister")),
    ("statsministern", Person("", "", "statsministern")),
])
def test_respondent_role_and_name(text, expected):
    assert split_person(text, None) == expected


def test_missing_fields_stay_empty_and_warn():
    answer = parse_answer("Svar på interpellation av Anna Ek (C) till finansborgarrådet Bo Ek (M) om budgeten\n\n"
                          "Budgeten är i balans och vi fortsätter arbetet.", source="/x/utan-dnr.txt")
    assert answer.dnr == "FIL utan-dnr"
    assert answer.date is None and answer.signature == ""
    assert answer.warnings == [
        "no diary number (Dnr) found",
        "no closing date ('Stockholm den …') found",
        "indexed as 'FIL utan-dnr'",
    ]

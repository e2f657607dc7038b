"""Value parsing: every form the issue lists, vectorised parsers on object columns."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from compliance.ingest import values


def s(*cells):
    return pd.Series(list(cells), index=range(10, 10 + len(cells)), dtype=object)


def test_money_forms():
    parsed, issues = values.parse_money(s("Rp 4.500.000", "4.500.000,00", "4,500,000", "4500000", 4500000.0,
                                          4500000, "Rp4.500.000,-", "IDR 4.500.000", "(1.000)", "4500000,5"),
                                        "base_wage")
    assert parsed.tolist() == [4_500_000.0] * 8 + [-1000.0, 4_500_000.5]
    assert issues.empty


def test_money_dash_and_blank_are_empty_not_errors():
    parsed, issues = values.parse_money(s("-", "", None, " - ", "\u2013"), "fixed_allowance")
    assert parsed.isna().all()
    assert issues.empty


def test_money_garbage_is_a_located_issue():
    parsed, issues = values.parse_money(s("4.500.000", "empat juta", dt.date(2025, 1, 1)), "base_wage")
    assert parsed.iloc[0] == 4_500_000
    assert issues["row"].tolist() == [11, 12]
    assert set(issues["code"]) == {"wage-not-a-number"}
    assert issues["value"].tolist() == ["empat juta", "2025-01-01"]


@pytest.mark.parametrize("cell,expected", [
    ("05/07/2025", "2025-07-05"), ("5-7-2025", "2025-07-05"), ("2025-07-05", "2025-07-05"),
    ("5 Juli 2025", "2025-07-05"), ("5 Jul 2025", "2025-07-05"), ("5 July 2025", "2025-07-05"),
    ("17 Agustus 1945", "1945-08-17"), ("1 Agt 2020", "2020-08-01"), ("3 Mei 2021", "2021-05-03"),
    ("12 Des 2019", "2019-12-12"), ("05.07.25", "2025-07-05"), ("2025-07-05 00:00:00", "2025-07-05"),
    (45843, "2025-07-05"), (45843.0, "2025-07-05"), (dt.date(2025, 7, 5), "2025-07-05"),
    (dt.datetime(2025, 7, 5, 8, 30), "2025-07-05"),
])
def test_date_forms(cell, expected):
    parsed, issues = values.parse_date(s(cell), "start_date")
    assert issues.empty
    assert parsed.iloc[0].date().isoformat() == expected


def test_dates_that_are_not_dates():
    parsed, issues = values.parse_date(s("31/02/2025", "kemarin", "13/13/2020", "-"), "start_date")
    assert parsed.isna().all()
    assert issues["row"].tolist() == [10, 11, 12]
    assert set(issues["code"]) == {"date-unparseable"}


def test_nik_kept_as_text_with_all_digits():
    parsed, issues = values.parse_nik(s("1771011203850001", 1771011203850001, 1771011203850001.0,
                                        "'1771011203850001", "1771 0112 0385 0001", "1771011203850001.0"))
    assert parsed.tolist() == ["1771011203850001"] * 6
    assert issues.empty


def test_nik_precision_lost():
    parsed, issues = values.parse_nik(s("3.27106E+15", 3.27106e15, 1771011203850000.0, 9471011203850011.0))
    assert issues["code"].tolist() == ["nik-precision-lost"] * 4
    assert parsed.isna().all()


def test_kpj_keeps_leading_zeros_from_text():
    parsed, _ = values.parse_kpj(s("01234567890", 1234567890.0))
    assert parsed.tolist() == ["01234567890", "1234567890"]


def test_flags():
    parsed, issues = values.parse_flag(s("Ya", "Tidak", "Y", "N", 1, 0, "\u2713", "-", "", "mungkin"), "jp")
    assert parsed.iloc[:7].tolist() == [True, False, True, False, True, False, True]
    assert parsed.iloc[7:].isna().all()             # '-' and blank are unknown, never "no" (issue 18)
    assert issues["code"].tolist() == ["program-value-unknown"]
    assert issues["row"].tolist() == [19]


def test_program_list():
    flags, issues = values.parse_program_list(s("JKK, JKM, JHT", "jkk/jkm", "JKK, JKM, JHT dan JP", "-", "JKK, THR"))
    assert flags["jht"].astype(object).tolist() == [True, False, True, pd.NA, False]    # '-': unknown
    assert flags["jp"].astype(object).tolist() == [False, False, True, pd.NA, False]
    assert flags["jkk"].astype(object).tolist() == [True, True, True, pd.NA, True]
    assert issues["row"].tolist() == [14]


def test_employment_types_map_to_canonical_set():
    from tests.conftest import RULES

    mapping, canonical = RULES.employment_types.aliases, RULES.employment_types.names
    cells = s("Tetap", "PKWTT", "Percobaan", "Kontrak", "PKWT", "Alih Daya", "OS", "Magang", "Pemagangan",
              "Harian Lepas", "Borongan", "Paruh Waktu", "Part-time", "Freelance")
    parsed, checked, _ = values.parse_employment_type(cells, mapping)
    assert parsed.tolist() == ["permanent", "permanent", "permanent", "contract", "contract", "outsourced",
                               "outsourced", "intern", "intern", "daily", "piece_rate", "part_time", "part_time",
                               None]
    assert checked.iloc[-1] == "Freelance"
    assert set(parsed.dropna()) <= set(canonical)


def test_money_parsing_on_a_large_mixed_column():
    """200k cells in two notations: every one parsed to the same amount."""
    n = 200_000
    cells = pd.Series(np.where(np.arange(n) % 2 == 0, "Rp 4.500.000", "4.500.000,00"), dtype=object)
    parsed, issues = values.parse_money(cells, "base_wage")
    assert (parsed == 4_500_000).all() and issues.empty

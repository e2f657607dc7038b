"""Vectorised value parsers: raw cells (object Series indexed by row number) -> typed columns.

Each parser returns the parsed Series and a frame of data issues (compliance.model.ISSUE_COLUMNS).
No per-row Python loops: cell types are told apart in one pass, string work runs on Arrow arrays
(compliance.ingest.text) and category-like columns are parsed once per distinct value.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from compliance.ingest import text as tx
from compliance.model import ISSUE_COLUMNS, PROGRAMS
from compliance.model import plain

EMPTY_TOKENS = ["", " ", "  ", "-", " -", "- ", " - ", "--", "\u2013", "\u2014", "n/a", "N/A", "#N/A", "\u00a0"]

MONTHS = {
    1: ["januari", "january", "jan"],
    2: ["februari", "pebruari", "february", "feb", "peb"],
    3: ["maret", "march", "mar"],
    4: ["april", "apr"],
    5: ["mei", "may"],
    6: ["juni", "june", "jun"],
    7: ["juli", "july", "jul"],
    8: ["agustus", "august", "agus", "agt", "agu", "aug"],
    9: ["september", "sept", "sep"],
    10: ["oktober", "october", "okt", "oct"],
    11: ["november", "nopember", "nov", "nop"],
    12: ["desember", "december", "des", "dec"],
}
MONTH_NAMES_RE = "|".join(sorted((n for names in MONTHS.values() for n in names), key=len, reverse=True))

YES = {"ya", "y", "yes", "1", "true", "v", "\u2713", "\u2714", "\u221a", "ikut", "aktif", "terdaftar", "sudah",
       "ok", "checked"}
NO = {"tidak", "t", "n", "no", "0", "false", "tdk", "belum", "tidakikut", "nonaktif", "none"}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def issues_frame(rows, column: str, values, code: str, detail=None) -> pd.DataFrame:
    rows = pd.Index(rows)
    cells = list(values)
    shown = np.empty(len(cells), dtype=object)     # cells of any type: never let pandas type them
    shown[:] = cells
    return pd.DataFrame({
        "row": np.asarray(rows, dtype="int64"),
        "column": column,
        "value": shown,
        "code": code,
        "detail": detail,
    }, columns=ISSUE_COLUMNS)


def concat_issues(frames) -> pd.DataFrame:
    """Issue frames together, as object columns (a frame whose `detail` is all empty must not
    decide the result's types)."""
    frames = [f.astype(object) for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else no_issues()


def no_issues() -> pd.DataFrame:
    return pd.DataFrame(columns=ISSUE_COLUMNS)


def blank_mask(raw: pd.Series) -> pd.Series:
    """Empty cells, including the accounting dash ('-' means nothing, not an error)."""
    return raw.isna() | raw.isin(EMPTY_TOKENS)


def blank_rows(grid: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is missing or '' (a text file's blank lines, a sheet's empty rows),
    as a mask: column by column, each looking only at the rows still blank, so a payroll costs
    about one column's pass and a million blank lines a few passes, not a cell kind each."""
    blank = np.ones(len(grid), dtype=bool)
    for c in grid.columns:
        left = np.flatnonzero(blank)
        if not len(left):
            break
        cells = grid[c].to_numpy(dtype=object)[left]
        empty = cells == ""
        other = np.flatnonzero(~empty)
        empty[other] = pd.isna(cells[other])
        blank[left] = empty
    return blank


# Cell kinds, as small integer codes (cheap to compare on whole columns).
EMPTY, STR, NUM, DATE, BOOL, OTHER = range(6)
_INFERRED = {"string": STR, "floating": NUM, "integer": NUM, "mixed-integer-float": NUM, "date": DATE,
             "datetime": DATE, "datetime64": DATE, "boolean": BOOL, "empty": EMPTY}
_KIND_OF_TYPE = {str: STR, float: NUM, int: NUM, np.float64: NUM, np.int64: NUM, dt.date: DATE,
                 dt.datetime: DATE, pd.Timestamp: DATE, bool: BOOL, np.bool_: BOOL, type(None): EMPTY}


def cell_kinds(raw: pd.Series) -> pd.Series:
    """The kind of each cell: EMPTY (empty, '' or '-'), STR, NUM, DATE, BOOL or OTHER (int8 codes).
    A column of one type is told in one C pass; a mixed one through the distinct types of its
    cells (factorized), never a Python branch per cell."""
    arr = raw.to_numpy(dtype=object)
    uniform = _INFERRED.get(infer_dtype(arr, skipna=True))
    if uniform is not None:
        kinds = np.full(len(arr), uniform, dtype=np.int8)
    else:
        codes, types = pd.factorize(raw.map(type), use_na_sentinel=False)
        kinds = np.array([_KIND_OF_TYPE.get(t, OTHER) for t in types], dtype=np.int8)[codes]
    strs = np.flatnonzero(kinds == STR)
    if len(strs):
        kinds[strs[pd.Series(arr[strs], dtype=object).isin(EMPTY_TOKENS).to_numpy()]] = EMPTY
    kinds[pd.isna(arr)] = EMPTY
    return pd.Series(kinds, index=raw.index, dtype=np.int8)


def by_unique(values: pd.Series, fn) -> pd.Series:
    """Apply a vectorised function once per distinct value and spread the result back."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    out = np.asarray(fn(pd.Series(np.asarray(uniques, dtype=object), dtype=object)), dtype=object)
    taken = out[np.where(codes < 0, 0, codes)]
    taken[codes < 0] = None
    return pd.Series(taken, index=values.index, dtype=object)


# -- money ---------------------------------------------------------------------------------------

_MONEY_ID = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d{1,2}"     # 4.500.000 / 4.500.000,00 / 4500000,00
_MONEY_EN = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"                 # 4,500,000 / 4,500,000.00
_MONEY_PLAIN = r"\d+(?:\.\d+)?"


def money_strings(strings: pd.Series) -> np.ndarray:
    """Rupiah amounts written as text -> floats (NaN when not an amount)."""
    a = pc.utf8_lower(tx.arrow(strings))
    a = tx.replace(a, r"[\s\x{00a0}]+", "")
    a = tx.replace(a, r"^(?:rp|idr)\.?|(?:rp|idr)$|[,.]-$", "")
    neg = pc.or_(tx.fullmatch(a, r"\(.*\)"), pc.starts_with(a, "-"))
    a = tx.replace(a, r"^[(-]+(?:rp|idr)?\.?|\)$", "")
    idn, eng, simple = tx.fullmatch(a, _MONEY_ID), tx.fullmatch(a, _MONEY_EN), tx.fullmatch(a, _MONEY_PLAIN)
    as_idn = pc.replace_substring(pc.replace_substring(a, ".", ""), ",", ".")
    as_eng = pc.replace_substring(a, ",", "")
    norm = pc.if_else(idn, as_idn, pc.if_else(eng, as_eng, pc.if_else(simple, a, None)))
    out = tx.to_float(norm)
    return np.where(pc.fill_null(neg, False).to_numpy(zero_copy_only=False), -out, out)


def parse_money(raw: pd.Series, column: str, kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    kinds = cell_kinds(raw) if kinds is None else kinds
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    num = kinds == NUM
    out[num] = pd.to_numeric(raw[num], errors="coerce")
    strs = kinds == STR
    if strs.any():
        out[strs] = money_strings(raw[strs])
    bad = (kinds != EMPTY) & out.isna()
    return out, issues_frame(raw.index[bad], column, raw[bad].map(plain), "wage-not-a-number")


def parse_count(raw: pd.Series, column: str, kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    kinds = cell_kinds(raw) if kinds is None else kinds
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    num = kinds == NUM
    out[num] = pd.to_numeric(raw[num], errors="coerce")
    strs = kinds == STR
    if strs.any():
        a = pc.replace_substring(pc.utf8_trim_whitespace(tx.arrow(raw[strs])), ",", ".")
        out[strs] = tx.to_float(a)
    bad = (kinds != EMPTY) & out.isna()
    return out, issues_frame(raw.index[bad], column, raw[bad].map(plain), "count-not-a-number")


# -- dates ---------------------------------------------------------------------------------------

_ISO = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_DMY = r"^(?P<d>\d{1,2}) ?[-/. ] ?(?P<m>\d{1,2}) ?[-/. ] ?(?P<y>\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"


_MONTH_FIRST = re.compile(r"[(\[]\s*mm\s*[-/.]\s*dd", re.I)


def month_first(header: object) -> bool:
    """A header's format hint says the month comes first: "Tgl Masuk (mm/dd/yyyy)"."""
    return isinstance(header, str) and _MONTH_FIRST.search(header) is not None


def date_strings(strings: pd.Series, month_first: bool = False) -> np.ndarray:
    """Day-first (or, by the header's hint, month-first), ISO and month-name dates written as text
    -> datetime64 (NaT when not a date)."""
    a = pc.utf8_lower(tx.clean(tx.arrow(strings)))
    named = np.zeros(len(strings), dtype=bool)       # "5 Juli 2025": the day first, whatever the hint
    if month_first:
        every = "|".join(n for names in MONTHS.values() for n in names)
        named = pc.fill_null(pc.match_substring_regex(a, rf"\b(?:{every})\b"), False).to_numpy(zero_copy_only=False)
    for number, names in MONTHS.items():
        a = tx.replace(a, rf"\b(?:{'|'.join(names)})\b\.?", f" {number} ")
    a = pc.utf8_trim_whitespace(tx.replace(a, r"\s+", " "))
    iso = tx.extract(a, _ISO, ["y", "m", "d"])
    dmy = tx.extract(a, _DMY, ["y", "m", "d"])
    use_iso = ~np.isnan(iso["y"])
    swap = month_first & ~named
    first, second = np.where(swap, dmy["d"], dmy["m"]), np.where(swap, dmy["m"], dmy["d"])
    y = np.where(use_iso, iso["y"], dmy["y"])
    m = np.where(use_iso, iso["m"], first)
    d = np.where(use_iso, iso["d"], second)
    # a two-digit year (day-first text only: 5-7-25) is this century or the last; "0001" is year 1
    two_digit = ~use_iso & pc.fill_null(pc.match_substring_regex(a, r"\D\d{2}(?: |$)"), False).to_numpy(
        zero_copy_only=False)
    y = np.where(two_digit & (y < 100), y + np.where(y < 50, 2000, 1900), y)
    y = np.where((y >= FIRST_YEAR) & (y <= LAST_YEAR), y, np.nan)     # 2999-01-01 is not a payroll date
    parts = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.to_datetime(parts, errors="coerce").to_numpy(dtype="datetime64[ns]")


FIRST_YEAR, LAST_YEAR = 1900, 2199     # the dates a payroll can hold (and nanosecond timestamps can)


def _in_range(values: pd.Series) -> pd.Series:
    """Dates of the years a payroll can hold, as nanosecond timestamps; others NaT (a year 2999
    or 0001 cell is a data issue of its own cell, never an error for the whole file). The years are
    tested before the conversion, which would overflow."""
    years = values.dt.year
    return values.where((years >= FIRST_YEAR) & (years <= LAST_YEAR)).astype("datetime64[ns]")


def parse_date(raw: pd.Series, column: str, kinds: pd.Series | None = None,
               month_first: bool = False) -> tuple[pd.Series, pd.DataFrame]:
    """Real datetimes, Excel serial numbers, ISO text, day-first text (month-first when the
    header's hint says so) and Indonesian or English month names ("5 Juli 2025", "5 Jul 2025")."""
    kinds = cell_kinds(raw) if kinds is None else kinds
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    dates = kinds == DATE
    if dates.any():
        out[dates] = _in_range(pd.to_datetime(raw[dates], errors="coerce"))
    num = kinds == NUM
    if num.any():
        serial = pd.to_numeric(raw[num], errors="coerce")
        serial = serial.where((serial >= 1) & (serial < 109575))   # 1900-01-01 .. 2199-12-31
        out[num] = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    strs = kinds == STR
    if strs.any():
        parse = (lambda u: date_strings(u, True)) if month_first else date_strings
        out[strs] = _in_range(pd.to_datetime(by_unique(raw[strs], parse), errors="coerce"))
    bad = (kinds != EMPTY) & out.isna()
    far = pd.Series(False, index=raw.index)
    if bad.any():                      # only the cells that did not read: no per-cell work otherwise
        far = _year_out_of_range(raw[bad], kinds[bad]).reindex(raw.index, fill_value=False).astype(bool)
    bad &= ~far
    found = [issues_frame(raw.index[bad], column, raw[bad].map(plain), "date-unparseable"),
             issues_frame(raw.index[far], column, raw[far].map(plain), "date-out-of-range", f"{FIRST_YEAR}-{LAST_YEAR}")]
    return out, concat_issues(found)


def _year_out_of_range(raw: pd.Series, kinds: pd.Series) -> pd.Series:
    """Cells that are dates, but of a year no payroll holds (a date cell, or text with a 4-digit year)."""
    out = pd.Series(False, index=raw.index)
    cells = raw[kinds == DATE]
    if len(cells):
        years = cells.map(lambda v: getattr(v, "year", None))
        out[cells.index] = years.notna() & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    texts = raw[kinds == STR]
    if len(texts):
        years = pd.to_numeric(texts.astype(str).str.extract(r"(?:^|\D)(\d{4})(?:\D|$)")[0], errors="coerce")
        out[texts.index] = years.notna() & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    return out


# -- identifiers ---------------------------------------------------------------------------------

def _id_text(raw: pd.Series, kinds: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifier cells as text. Returns (text, lost) where `lost` marks values that cannot be
    trusted to hold every digit (scientific notation, or a number beyond 2**53)."""
    text = pd.Series(None, index=raw.index, dtype=object)
    lost = pd.Series(False, index=raw.index)
    strs = kinds == STR
    if strs.any():
        a = tx.replace(tx.arrow(raw[strs]), r"[\s\x{00a0}]+|^'", "")
        a = tx.replace(a, r"^(\d+)\.0+$", r"\1")
        text[strs] = a.to_numpy(zero_copy_only=False)
        lost[strs] = tx.mask(tx.fullmatch(a, r"\d(?:[.,]\d+)?[eE]\+?\d+"), raw.index[strs]).to_numpy()
    num = (kinds == NUM) | (kinds == OTHER)
    if num.any():
        values = pd.to_numeric(raw[num], errors="coerce").astype("float64").to_numpy()
        whole = np.isfinite(values) & (values == np.floor(values)) & (np.abs(values) < 1e18)
        digits = np.where(whole, values, 0).astype(np.int64).astype(str).astype(object)
        text[num] = np.where(whole, digits, raw[num].astype(str).to_numpy(dtype=object))
        lost[num] = whole & (values > 2 ** 53)
    return text, lost


def parse_nik(raw: pd.Series, column: str = "nik", kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    kinds = cell_kinds(raw) if kinds is None else kinds
    text, lost = _id_text(raw, kinds)
    # A 16-digit number whose serial (last 4 digits) is 0000 was cut to 15 significant digits by
    # Excel: serials start at 0001 (domain reference, section 8).
    from_number = (kinds == NUM).to_numpy()
    if from_number.any():
        digits = tx.arrow(text[from_number])
        cut = np.zeros(len(lost), dtype=bool)
        cut[from_number] = tx.mask(tx.fullmatch(digits, r"\d{12}0000"), text.index[from_number]).to_numpy()
        lost = lost | cut
    issues = issues_frame(raw.index[lost], column, raw[lost].map(plain), "nik-precision-lost")
    return text.where(~lost), issues


def parse_kpj(raw: pd.Series, column: str = "kpj", kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    kinds = cell_kinds(raw) if kinds is None else kinds
    text, _ = _id_text(raw, kinds)
    return text, no_issues()


def parse_text(raw: pd.Series, column: str, kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    kinds = cell_kinds(raw) if kinds is None else kinds
    out = pd.Series(None, index=raw.index, dtype=object)
    strs = kinds == STR
    if strs.any():
        out[strs] = tx.clean(tx.arrow(raw[strs])).to_numpy(zero_copy_only=False)
    other = kinds.isin([NUM, DATE, BOOL, OTHER])
    if other.any():
        ids, _ = _id_text(raw[other], kinds[other])
        out[other] = ids.where(ids.notna(), raw[other].astype(str))
    return out.where(~out.isin(EMPTY_TOKENS)), no_issues()


# -- categories ----------------------------------------------------------------------------------

def norm_key(values: pd.Series) -> np.ndarray:
    """Lower case, only letters, digits and tick marks: 'Harian Lepas' -> 'harianlepas'."""
    a = pc.utf8_lower(tx.arrow(values.map(str)))
    return tx.replace(a, r"[^0-9a-z\x{2713}\x{2714}\x{221a}]+", "").to_numpy(zero_copy_only=False)


def parse_employment_type(raw: pd.Series, mapping: dict[str, str], column: str = "employment_type",
                          kinds: pd.Series | None = None) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Returns (canonical type or NA, canonical type or the text as read, issues). Unknown values
    are reported by the data-quality suite (value not in the canonical set)."""
    text, _ = parse_text(raw, column, kinds)
    canonical = by_unique(text, lambda u: pd.Series(norm_key(u)).map(mapping).to_numpy(dtype=object))
    canonical = canonical.where(canonical.notna(), None)
    checked = canonical.where(canonical.notna(), text)
    return canonical, checked, no_issues()


def parse_flag(raw: pd.Series, column: str, kinds: pd.Series | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Ya/Tidak, Y/N, 1/0, ticks. Empty (or '-') is unknown (NA), never "not enrolled"."""
    kinds = cell_kinds(raw) if kinds is None else kinds
    key = by_unique(raw.where(kinds != EMPTY), lambda u: norm_key(u.map(plain)))
    blank = (kinds == EMPTY) | (key.fillna("") == "")
    yes = key.isin(YES)
    no = key.isin(NO)
    out = pd.Series(yes, index=raw.index, dtype="boolean")
    bad = ~yes & ~no & ~blank
    out[bad | blank] = pd.NA
    return out, issues_frame(raw.index[bad], column, raw[bad].map(plain), "program-value-unknown")


def _program_sets(u: pd.Series) -> pd.DataFrame:
    a = pc.utf8_upper(tx.arrow(u))
    cols = {p: tx.mask(pc.match_substring_regex(a, rf"\b{p.upper()}\b"), u.index) for p in PROGRAMS}
    rest = tx.replace(a, r"\b(?:JKK|JKM|JHT|JP|JKP|DAN|AND|BPJS|TK)\b|[\s,;/+&().-]", "")
    cols["_unknown"] = pd.Series(pc.utf8_length(rest).to_numpy(zero_copy_only=False) > 0, index=u.index)
    return pd.DataFrame(cols)


def parse_program_list(raw: pd.Series, column: str = "programs", kinds: pd.Series | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One cell listing programs ("JKK, JKM, JHT") -> a boolean column per program; a program
    not listed is not enrolled; an empty cell (or '-') is unknown for every program (NA)."""
    text, _ = parse_text(raw, column, kinds)
    codes, uniques = pd.factorize(text)
    none = pd.DataFrame([{**{p: pd.NA for p in PROGRAMS}, "_unknown": False}])
    table = pd.concat([_program_sets(pd.Series(uniques, dtype=object)), none] if len(uniques) else [none],
                      ignore_index=True)
    spread = table.iloc[np.where(codes < 0, len(table) - 1, codes)].set_index(raw.index)
    bad = spread.pop("_unknown").astype(bool)
    return spread.astype("boolean"), issues_frame(raw.index[bad], column, raw[bad].map(plain),
                                                  "program-value-unknown")


INDONESIAN = {"wni", "indonesia", "indonesian", "id", "idn", "ri", "warganegaraindonesia"}


def parse_nationality(raw: pd.Series, column: str = "nationality", kinds: pd.Series | None = None
                      ) -> tuple[pd.Series, pd.Series]:
    """(text as read, is_foreign: True/False, NA when empty)."""
    text, _ = parse_text(raw, column, kinds)
    key = by_unique(text, norm_key)
    foreign = pd.Series(~key.isin(INDONESIAN), index=raw.index, dtype="boolean")
    foreign[text.isna()] = pd.NA
    return text, foreign


def birth_date_from_nik(nik: pd.Series, reference: pd.Timestamp) -> pd.Series:
    """The birth date a NIK encodes (domain 8: digits 7-12 are DDMMYY, 40 added to the day for
    women): of the two centuries, the one that gives an age between 15 and 100 on `reference`
    (20YY first). NaT where the digits are not a date or neither century fits."""
    digits = nik.where(nik.astype(str).str.fullmatch(r"\d{16}").fillna(False).astype(bool))
    day = pd.to_numeric(digits.str[6:8], errors="coerce")
    month = pd.to_numeric(digits.str[8:10], errors="coerce")
    yy = pd.to_numeric(digits.str[10:12], errors="coerce")
    day = day.where(day <= 40, day - 40)
    out = pd.Series(pd.NaT, index=nik.index, dtype="datetime64[ns]")
    for century in (2000, 1900):
        born = pd.to_datetime(pd.DataFrame({"year": century + yy, "month": month, "day": day}), errors="coerce")
        age = reference.year - born.dt.year - ((born.dt.month > reference.month) |
                                               ((born.dt.month == reference.month) &
                                                (born.dt.day > reference.day))).astype(int)
        fits = born.notna() & (age >= 15) & (age <= 100) & out.isna()
        out = out.where(~fits, born)
    return out

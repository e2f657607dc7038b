"""Plain values shared by ingestion, the engine and the outputs: no I/O, no languages, no
JSON contract. Everything here pickles, so a worker process or a web server can pass it on.

    Payroll    one payroll file, read (canonical table + data issues + what is still needed)
    IgnoredRows  the rows of a payroll that are not workers, with why, as arrays and as ranges
    Registry   the agency's participant registry extract, read
    RuleSet    rules, dated parameters, column aliases, worker types and texts, loaded once
    Report     what check() found for one company and period
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from compliance.errors import RuleFileError

_UNIT = re.compile(r"\((rp|idr|rupiah)\.?\)\s*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text: object) -> str:
    """A key for matching words from files: case, spaces, dots, underscores, punctuation and a
    unit like (Rp) ignored."""
    if not isinstance(text, str):
        return ""
    t = _UNIT.sub("", text.strip().lower())
    return _NON_ALNUM.sub("", t)

_HINT = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def without_hint(text: object) -> object:
    """A header without its hints in brackets ("Gaji (Rp)", "Tgl Masuk (dd-mm-yyyy)"); the text
    itself when nothing else is left."""
    if not isinstance(text, str):
        return text
    rest = _HINT.sub(" ", text).strip()
    return rest or text


def plain(v):
    """A cell or computed value as JSON can hold it: missing values as None, dates as ISO text
    (without a time of day at midnight), whole floats as integers, numpy scalars as Python ones."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.datetime64):          # numpy's date (pandas < 3 gives these from a datetime column)
        v = pd.Timestamp(v)
        if v is pd.NaT:
            return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes, pd.Timestamp)):
        v = v.item() if not isinstance(v, pd.Timestamp) else v
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 1e18 else v
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


PROGRAMS = ("jkk", "jkm", "jht", "jp", "jkp")
CHECKED_PROGRAMS = ("jkk", "jkm", "jht", "jp")   # JKP is not a separate registration (domain 2)

# The canonical payroll table: one column per canonical field, whatever the file called it.
CANONICAL_DTYPES = {
    "nik": object, "employee_id": object, "name": object, "employment_type": object,
    "employment_type_raw": object, "start_date": "datetime64[ns]", "end_date": "datetime64[ns]",
    "birth_date": "datetime64[ns]", "base_wage": "float64", "fixed_allowance": "float64",
    "reported_wage": "float64", "daily_wage": "float64", "kpj": object, **{p: "boolean" for p in PROGRAMS},
    "nationality": object, "is_foreign": "boolean", "vendor": object, "days_worked": "float64",
    "days_worked_prev1": "float64", "days_worked_prev2": "float64",
}

# Columns of the data-issue frame; `row` is the row number the user sees.
ISSUE_COLUMNS = ["row", "column", "value", "code", "detail"]


@dataclass(frozen=True, order=True)
class Period:
    """A contribution month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 2200:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """`YYYY-MM` (the CLI form)."""
        try:
            year, month = text.strip().split("-")
            return cls(int(year), int(month))
        except ValueError:
            raise ValueError(f"period must be YYYY-MM, got {text!r}") from None

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


COMPANY_FIELDS = ("name", "npp", "address", "size", "jkk_risk", "period", "province", "regency")


@dataclass(frozen=True)
class Company:
    """Company details: from a company sheet, a title row, or CLI options (options win)."""

    name: str | None = None
    npp: str | None = None
    address: str | None = None
    size: str | None = None
    jkk_risk: str | None = None
    period: Period | None = None
    province: str | None = None
    regency: str | None = None      # kabupaten/kota, for its UMK
    # field name -> where the value came from, as a source code (compliance.texts.source_words):
    # "sheet-row|Perusahaan|3", "title-row|2", "sheet-name|Juni 2025", "option", "form",
    # "companies-list", "assumed"
    sources: dict = field(default_factory=dict, compare=False)
    # field name -> {"at": source code, "value": the text} for a value given but not understood
    unread: dict = field(default_factory=dict, compare=False)
    # the NPPs of its outsourcing vendors known from a companies list or --vendor-npp:
    # ((normalized vendor name, NPP), ...)
    vendor_npps: tuple = field(default=(), compare=False)

    def merged_with(self, other: "Company") -> "Company":
        """Values of `other` win where it has them."""
        changes = {k: getattr(other, k) for k in COMPANY_FIELDS if getattr(other, k) is not None}
        sources = {k: v for k, v in self.sources.items() if getattr(self, k, None) is not None}
        sources.update({k: other.sources.get(k, "option") for k in changes})
        unread = {k: v for k, v in {**self.unread, **other.unread}.items() if k not in changes and k not in sources}
        vendor_npps = tuple(dict((*self.vendor_npps, *other.vendor_npps)).items())
        return replace(self, **changes, sources=sources, unread=unread, vendor_npps=vendor_npps)

    def to_dict(self) -> dict:
        return {
            "name": self.name, "npp": self.npp, "address": self.address, "size": self.size,
            "jkk_risk": self.jkk_risk, "period": str(self.period) if self.period else None,
            "province": self.province, "regency": self.regency, "sources": dict(self.sources),
        }


@dataclass(frozen=True)
class Source:
    path: str
    sheet: str | None
    header_row: int
    rows_read: int
    file_type: str = "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    def to_dict(self) -> dict:
        out = {"path": self.path, "sheet": self.sheet, "header_row": self.header_row, "rows_read": self.rows_read,
               "file_type": self.file_type}
        if self.encoding:
            out["encoding"] = self.encoding
            out["delimiter"] = self.delimiter
        return out


def empty_issues() -> pd.DataFrame:
    """An empty data-issue frame (ISSUE_COLUMNS plus `severity`)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS + ["severity"]})


class IgnoredRows:
    """The rows that are not workers (above the header: titles; under it: blank, JUMLAH/TOTAL, footer, ...), each
    with its reason and the first text in it, kept as three arrays: a file of a million blank
    lines costs a few megabytes here, not a million dicts. Iterating gives `{row, reason, text}`
    dicts (fine for an ordinary payroll's handful); `ranges()` gives them all in a bounded list."""

    __slots__ = ("rows", "reasons", "texts")

    def __init__(self, rows=(), reasons=(), texts=None):
        self.rows = np.asarray(rows, dtype=np.int64)
        self.reasons = np.asarray(reasons, dtype=object)
        self.texts = np.full(len(self.rows), None, dtype=object) if texts is None else np.asarray(texts, dtype=object)
        order = np.argsort(self.rows, kind="stable")
        if len(order) and (order != np.arange(len(order))).any():
            self.rows, self.reasons, self.texts = self.rows[order], self.reasons[order], self.texts[order]

    @classmethod
    def of(cls, records) -> "IgnoredRows":
        """From `{row, reason, text?}` dicts (or another IgnoredRows, returned as it is)."""
        if isinstance(records, IgnoredRows):
            return records
        records = list(records)
        return cls([r["row"] for r in records], [r["reason"] for r in records], [r.get("text") for r in records])

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.first(len(self)))

    def first(self, n: int) -> list[dict]:
        """The first `n` rows one by one (all of them when there are no more)."""
        return [{"row": r, "reason": reason, "text": text}
                for r, reason, text in zip(self.rows[:n].tolist(), self.reasons[:n], self.texts[:n])]

    def counts(self) -> dict[str, int]:
        """Rows by reason, in the order the reasons first occur."""
        codes, names = pd.factorize(self.reasons)
        return {str(name): int(n) for name, n in zip(names, np.bincount(codes, minlength=len(names)))}

    def ranges(self, limit: int = 1000) -> list[dict]:
        """Every row as ranges `{from, to, count, reason}`, ordered by `from`: a run of rows of one
        reason one after the other is one range (count = to - from + 1). When there are more runs
        than `limit`, neighbouring runs of a reason are joined (count then says how many of the
        rows from..to have that reason), so the list never holds more than `limit` ranges plus
        one per reason, and the counts always add up to every ignored row."""
        if not len(self.rows):
            return []
        codes, names = pd.factorize(self.reasons)
        runs = []                                       # per reason: (starts, ends, counts)
        for code, reason in enumerate(names):
            rows = self.rows[codes == code]
            cut = np.flatnonzero(np.diff(rows) != 1) + 1
            starts, ends = np.r_[0, cut], np.r_[cut - 1, len(rows) - 1]
            runs.append((reason, rows[starts], rows[ends], ends - starts + 1))
        total = sum(len(r[1]) for r in runs)
        out = []
        for reason, starts, ends, counts in runs:
            if total > limit:                           # join neighbouring runs into `keep` groups
                keep = max(1, limit * len(starts) // total)
                first = np.array([g[0] for g in np.array_split(np.arange(len(starts)), keep)])
                last = np.r_[first[1:] - 1, len(starts) - 1]
                starts, ends, counts = starts[first], ends[last], np.add.reduceat(counts, first)
            out += [{"from": int(a), "to": int(b), "count": int(c), "reason": str(reason)}
                    for a, b, c in zip(starts, ends, counts)]
        return sorted(out, key=lambda r: r["from"])


@dataclass
class Payroll:
    """One payroll file, read: the canonical table and everything needed to account for its rows.

    `table` is indexed by the row number the user sees (Excel row or CSV line) and holds one row
    per worker row read; `issues` holds one row per data issue (ISSUE_COLUMNS plus `severity`).
    `needs` names what the file did not say and a check must be given (e.g. "period").
    """

    source: Source
    table: pd.DataFrame
    columns: dict[str, str]
    unmapped_columns: list[dict]      # headers not used: {header, guess?, score?, second_for?}
    ignored_rows: IgnoredRows         # rows that are not workers (a list of {row, reason, text} is turned into one)
    issues: pd.DataFrame
    assumptions: list[dict]           # notices (compliance.texts.notice): what reading assumed
    company: Company
    notes: list[dict] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    column_index: dict[str, int] = field(default_factory=dict)   # field -> column of the sheet (0 = A)
    file_company: Company | None = None     # the file's own details (company sheet < title rows), before options

    def __post_init__(self) -> None:
        self.ignored_rows = IgnoredRows.of(self.ignored_rows)
        if self.file_company is None:
            self.file_company = self.company

    @property
    def unusable_rows(self) -> pd.Index:
        """Rows with at least one error-severity issue: they cannot be checked."""
        err = self.issues[(self.issues["severity"] == "error") & self.issues["row"].notna()]
        return pd.Index(err["row"].unique())

    @property
    def rows_with_issues(self) -> int:
        return int(len(self.unusable_rows))

    @property
    def rows_usable(self) -> int:
        return self.source.rows_read - self.rows_with_issues


# -- the rule set -----------------------------------------------------------------------------

MARKS = ("CONFIRMED", "CORROBORATED", "UNCONFIRMED")


@dataclass(frozen=True)
class Citation:
    citation: str
    domain: str
    mark: str
    since: dt.date | None = None     # when the regulation took effect, if after the rule's effective_from
    when: object = None              # a condition: cited only for findings it holds for (a finding type)
    until: dt.date | None = None     # the last day it applied (a later amendment is cited from then on)

    def in_force(self, period: "Period") -> bool:
        return ((self.since is None or self.since <= period.last_day) and
                (self.until is None or self.until >= period.first_day))


@dataclass(frozen=True)
class Value:
    """One dated value of a parameter, with its regulation, domain-reference row and mark."""

    since: dt.date
    value: object
    reference: str
    domain: str
    mark: str


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[Value, ...]     # sorted by date
    source: str
    renewed: str | None = None    # "yearly": a value older than a year is applied as an assumption

    def stale(self, period: Period) -> Value | None:
        """The value in force when a newer one was expected by the period and none is known yet."""
        v = self.at(period)
        if self.renewed == "yearly" and dt.date(v.since.year + 1, v.since.month, 1) <= period.first_day:
            return v
        return None

    def at(self, period: Period) -> Value:
        """The value in force: the latest whose date is on or before the period's last day."""
        found = None
        for v in self.values:
            if v.since <= period.last_day:
                found = v
        if found is None:
            raise RuleFileError(f"{self.source}: {self.name} has no value in force for {period} "
                                f"(first value from {self.values[0].since})")
        return found


class Parameters:
    """All parameters of a rule set, by name."""

    def __init__(self, params: dict[str, Parameter]):
        self._params = params

    def __contains__(self, name: str) -> bool:
        return name in self._params

    def names(self) -> list[str]:
        return sorted(self._params)

    def get(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise RuleFileError(f"unknown parameter {name!r}") from None

    def at(self, name: str, period: Period) -> Value:
        return self.get(name).at(period)


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    family: str
    severity: str
    title: dict
    message: dict
    legal_basis: tuple[Citation, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    when: object
    message_variants: tuple      # ((condition, {id, en}), ...): the first that holds for a row wins
    shortfall: str
    details: tuple[str, ...]
    parameters: tuple[str, ...]
    unconfirmed: bool
    description: str
    tests: tuple
    path: str
    uses: tuple[str, ...] = ()   # context fields its messages and details read (kept in the Report)
    cells: tuple[str, ...] = ()  # payroll columns an annotated workbook marks, the first the file has
    todo: dict = field(default_factory=dict)   # {id, en}: what the employer does about a finding
    counts_as: str | None = None # "unregistered": its findings are the workers counted unregistered

    def in_force(self, first_day: dt.date, last_day: dt.date) -> bool:
        return self.effective_from <= last_day and (self.effective_to is None or self.effective_to >= first_day)

    def citations(self, period: "Period") -> tuple[Citation, ...]:
        """The citations whose regulation was in force in the period."""
        return tuple(c for c in self.legal_basis if c.in_force(period))


@dataclass(frozen=True)
class CompanyValues:
    """The words for each business size and JKK risk class, and their labels by language
    (rules/company_values.yaml): name -> ({id, en} label, normalized words)."""

    sizes: dict
    risks: dict

    def label(self, kind: str, name: str | None, lang: str) -> str:
        table = self.sizes if kind == "size" else self.risks
        return table[name][0][lang] if name in table else (name or "-")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    required: bool
    description: dict                    # {id, en}
    aliases: tuple[str, ...]
    ambiguous_aliases: tuple[str, ...] = ()
    label: dict = field(default_factory=dict)    # {id, en}: what a user calls the field
    max: float | None = None             # a money column: above this an amount is implausible (a data issue)

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.name


@dataclass
class ColumnCatalog:
    """Canonical columns and the header texts that mean each (rules/columns.yaml)."""

    columns: dict[str, ColumnSpec]
    company_sheet_names: tuple[str, ...]
    company_fields: dict[str, tuple[str, ...]]
    # normalized alias -> canonical names it may mean (several for ambiguous headers)
    lookup: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: object = None        # compliance.ingest.words.HeaderWords: headers by their words
    values: CompanyValues | None = None   # the words for sizes and risk classes (a company sheet's values)
    identity: tuple[str, ...] = ()   # the columns that identify a worker, strongest first (NIK, KPJ, ...)

    def match(self, text: object) -> tuple[str, ...]:
        """The fields a header means: an exact alias, else by its words (above the threshold,
        without a tie)."""
        plain_text = without_hint(text)      # "Tgl Masuk (dd-mm-yyyy)": the hint is no header word
        for t in dict.fromkeys((text, plain_text)):
            exact = self.lookup.get(normalize(t))
            if exact is not None:
                return exact
        if self.words is not None:
            for t in dict.fromkeys((plain_text, text)):
                found, _, _ = self.words.match(t)
                if found is not None and found in self.columns:
                    return (found,)
        return ()

    def guess(self, text: object, exclude=()) -> tuple[str, float] | None:
        """The field a header that matched nothing most resembles (for the "not used" list)."""
        if self.words is None:
            return None
        for score, name in self.words.scores(without_hint(text) or text, specific=True):
            if name not in exclude and score >= self.words.guess_from:
                return name, score
        return None

    def with_map(self, columns_map: dict[str, str]) -> "ColumnCatalog":
        """The catalog with the user's own header for some fields (--map, a mapping file): their
        headers mean those fields, whatever the aliases say."""
        lookup = dict(self.lookup)
        for name, header in columns_map.items():
            lookup[normalize(header)] = (name,)
        return replace(self, lookup=lookup)

    def required(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]


@dataclass(frozen=True)
class EmploymentTypes:
    """Canonical worker types, the words that mean each, and their labels (rules/employment_types.yaml)."""

    aliases: dict[str, str]           # normalized word -> canonical type
    names: tuple[str, ...]
    labels: dict[str, dict[str, str]]  # type -> {lang: label}


@dataclass
class RuleSet:
    """Everything a check reads from a rules folder, loaded once (compliance.ruleset.load_rule_set)
    and reused by every check of a batch, a worker process or a web server."""

    rules: list[Rule]
    parameters: Parameters
    version: str
    folder: str
    fields: dict = field(default_factory=dict)
    columns: ColumnCatalog | None = None
    registry_columns: ColumnCatalog | None = None
    companies_columns: ColumnCatalog | None = None    # a branch's list of companies (audit)
    licences_columns: ColumnCatalog | None = None     # business-licence records (audit)
    employment_types: EmploymentTypes | None = None
    families: dict = field(default_factory=dict)    # code -> {folder, title, heading}, in report order
    texts: dict = field(default_factory=dict)       # rules/texts.yaml: labels and sentences by language

    def get(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def only(self, rules: list[Rule]) -> "RuleSet":
        return replace(self, rules=list(rules))


# -- the registry -----------------------------------------------------------------------------

@dataclass
class Registry:
    """The registry table (npp, kpj, nik, name, birth_date, wage, programs, status; indexed by the
    row number the user sees) and the data issues of its rows: a row that cannot be read is
    reported, never dropped silently."""

    table: pd.DataFrame
    issues: pd.DataFrame = field(default_factory=empty_issues)
    path: str = "<registry>"
    sheet: str | None = None
    rows_total: int | None = None       # of the whole extract, when this is the part of it a check needs
    active_total: int | None = None
    unused_columns: list = field(default_factory=list)   # headers not used: {header, guess?, score?}


@dataclass(frozen=True)
class RegistrySummary:
    """What a report says of the registry it used (not the registry itself)."""

    path: str
    sheet: str | None
    rows: int
    active: int
    issues: pd.DataFrame


# -- the report -------------------------------------------------------------------------------

@dataclass
class FindingBlock:
    """All findings of one rule: the matched rows (only the columns its messages and details
    read), the shortfall per program and share in units of 1e-6 rupiah, the total per finding
    in whole rupiah, and per row the message variant used (-1 for the main message)."""

    rule_id: str
    rows: pd.DataFrame
    parts: dict[str, np.ndarray]
    totals: np.ndarray
    variant: np.ndarray | None = None
    unknown: np.ndarray | None = None    # rows whose amount could not be estimated (no wage): not Rp 0


@dataclass(frozen=True)
class Totals:
    workers: int
    participants: int
    unregistered: int
    coverage_pct: float | None
    monthly_shortfall_idr: int          # the employer's violations only
    rows_with_issues: int
    rows_checked: int
    violations: int                     # the employer's
    vendor_violations: int = 0          # outsourced workers: the vendors' duty (domain 1.4)
    vendor_shortfall_idr: int = 0
    shortfall_unknown: int = 0          # the employer's violations whose amount could not be estimated


@dataclass
class Report:
    """One company's check for one period. A value: it knows no language and no file format
    (compliance.outputs turns it into text, JSON, spreadsheets and letters)."""

    period: Period
    company: Company
    assumed: list[str]
    ruleset_version: str
    source: Source
    assumptions: list[dict]                # notices: what reading and the check assumed or could not do
    participation_source: str
    rules: dict[str, Rule]                 # the rules evaluated, by id, in rule-set order
    parameters: dict[str, Value]           # every dated parameter used, by name
    rule_parameters: dict[str, list[str]]  # rule id -> the parameter names its findings rest on
    rule_citations: dict[str, tuple]       # rule id -> its citations in force that its findings rest on
    blocks: list[FindingBlock]
    totals: Totals
    by_family: dict[str, dict[str, int]]
    compliant: bool
    data_issues: pd.DataFrame
    ignored_rows: IgnoredRows
    registry: RegistrySummary | None = None
    rule_seconds: float = 0.0
    unchecked: list = field(default_factory=list)   # notices: what could not be checked, and why

    def count(self, rule_id: str) -> int:
        return sum(len(b.rows) for b in self.blocks if b.rule_id == rule_id)

    @property
    def findings_count(self) -> int:
        return sum(len(b.rows) for b in self.blocks)

    def order_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(block, position) arrays of every finding, sorted by row then rule id."""
        sized = [(bi, b) for bi, b in enumerate(self.blocks) if len(b.rows)]
        if not sized:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rows = np.concatenate([np.asarray(b.rows.index, dtype=np.int64) for _, b in sized])
        rule_rank = {rid: r for r, rid in enumerate(sorted(b.rule_id for _, b in sized))}
        rank = np.concatenate([np.full(len(b.rows), rule_rank[b.rule_id]) for _, b in sized])
        block = np.concatenate([np.full(len(b.rows), bi, dtype=np.int64) for bi, b in sized])
        pos = np.concatenate([np.arange(len(b.rows), dtype=np.int64) for _, b in sized])
        by = np.lexsort((rank, rows))
        return block[by], pos[by]

    def order(self) -> list[tuple[int, int]]:
        """(block, position) of every finding, sorted by row then rule id."""
        block, pos = self.order_arrays()
        return list(zip(block.tolist(), pos.tolist()))


def person_key(names: pd.Series, born: pd.Series) -> pd.Series:
    """Name and birth date as one key ("BUDI SANTOSO|1990-03-12"): case, spaces and punctuation
    do not count; None where either is unknown."""
    name = names.astype("string").str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    day = pd.to_datetime(born, errors="coerce").dt.strftime("%Y-%m-%d").astype("string")
    key = name + "|" + day
    return key.where(name.fillna("").ne("") & day.notna(), None).astype(object)

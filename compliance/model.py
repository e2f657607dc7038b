"""Small typed records shared by ingestion, the engine and the outputs."""
from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd

def plain(v):
    """A cell or computed value as JSON can hold it: missing values as None, dates as ISO text
    (without a time of day at midnight), whole floats as integers, numpy scalars as Python ones."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
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
    # field name -> where the value came from ("sheet Perusahaan", "title row 1", "option")
    sources: dict = field(default_factory=dict, compare=False)

    def merged_with(self, other: "Company") -> "Company":
        """Values of `other` win where it has them."""
        changes = {k: getattr(other, k) for k in ("name", "npp", "address", "size", "jkk_risk", "period", "province")
                   if getattr(other, k) is not None}
        sources = {k: v for k, v in self.sources.items() if getattr(self, k, None) is not None}
        sources.update({k: v for k, v in other.sources.items() if k not in sources and getattr(other, k) is None})
        sources.update({k: other.sources.get(k, "option") for k in changes})
        return replace(self, **changes, sources=sources)

    def to_dict(self) -> dict:
        return {
            "name": self.name, "npp": self.npp, "address": self.address, "size": self.size,
            "jkk_risk": self.jkk_risk, "period": str(self.period) if self.period else None,
            "province": self.province, "sources": dict(self.sources),
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


@dataclass
class Payroll:
    """One payroll file, read: the canonical table and everything needed to account for its rows.

    `table` is indexed by the row number the user sees (Excel row or CSV line) and holds one row
    per worker row read; `issues` holds one row per data issue (ISSUE_COLUMNS plus `severity`).
    """

    source: Source
    table: pd.DataFrame
    columns: dict[str, str]
    unmapped_columns: list[str]
    ignored_rows: list[dict]
    issues: pd.DataFrame
    assumptions: list[str]
    company: Company
    notes: list[str] = field(default_factory=list)

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

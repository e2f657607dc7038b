"""Tables that are lists rather than payrolls: the registry extract, a branch's list of companies,
business-licence records. Each has a column catalog in rules/ (registry_columns.yaml,
companies_columns.yaml, licences_columns.yaml); the header is found and values parsed as a
payroll's are, and a cell that cannot be read is a located data issue, never a dropped row."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.errors import Term, UnusableInput
from compliance.ingest import values
from compliance.ingest.company import parse_risk, parse_size
from compliance.ingest.files import read_file
from compliance.ingest.header import find_header, not_understood
from compliance.model import PROGRAMS, ColumnCatalog, RuleSet, normalize

YES = {"YA", "Y", "YES", "TRUE", "1", "VENDOR", "ALIH DAYA"}


@dataclass
class Listing:
    table: pd.DataFrame        # one row per non-blank row, indexed by the row number the user sees
    issues: pd.DataFrame
    mapping: dict[str, int]
    path: str
    sheet: str | None
    unused: list = field(default_factory=list)   # headers not used: {header, guess?, score?} or {header, second_for}


def read_listing(source: str | Path | bytes, catalog: ColumnCatalog, what: str, name: str | None = None,
                 expected: str = "") -> Listing:
    """Find the header in the first sheet that has one, parse every mapped column by its type."""
    raw = read_file(source, name)
    path = raw.path
    for sheet in raw.sheets:
        header = find_header(sheet.grid, catalog)
        if header is not None:
            break
    else:
        raise UnusableInput("list-no-header", file=path, what=Term(what), expected=expected)
    mapping: dict[str, int] = {}
    unused = []
    for c in sorted(header.matches):
        name = header.matches[c][1].split("|")[0]
        if name in mapping:
            unused.append({"header": header.matches[c][0], "second_for": name})
        mapping.setdefault(name, c)
    unused += [entry for _, entry in not_understood(header, catalog, set(mapping))]
    missing = [n for n in catalog.required() if n not in mapping]
    if missing:
        raise UnusableInput("list-lacks-columns", file=path, what=Term(what), fields=[Term(f"{what}:{n}") for n in missing],
                            expected=expected)
    data = sheet.grid.iloc[header.row_index + 1:]
    data.index = pd.RangeIndex(header.row_index + 2, header.row_index + 2 + len(data))
    kinds = pd.DataFrame({c: values.cell_kinds(data[c]) for c in mapping.values()}, index=data.index)
    data = data[(kinds != values.EMPTY).any(axis=1).to_numpy()]
    kinds = kinds.loc[data.index]
    out = pd.DataFrame(index=data.index)
    found = []
    parsers = {"nik": values.parse_nik, "kpj": values.parse_kpj, "money": values.parse_money,
               "date": values.parse_date}
    for col, c in mapping.items():
        kind = catalog.columns[col].type
        if kind == "program_list":
            flags, iss = values.parse_program_list(data[c], col, kinds[c])
            for p in PROGRAMS:
                out[p] = flags[p]
        else:
            out[col], iss = parsers.get(kind, values.parse_text)(data[c], col, kinds[c])
        found.append(iss)
    issues = values.concat_issues(found)
    issues["severity"] = issues["code"].map(catalogue.severity)
    return Listing(out, issues, mapping, path, sheet.name, unused)


COMPANY_COLUMNS = ["npp", "name", "address", "regency", "size", "jkk_risk", "payroll_file", "vendor"]


def read_companies(source: str | Path | bytes, rule_set: RuleSet, name: str | None = None) -> Listing:
    """A branch's companies: NPP (empty when not registered), name, address, regency, size, JKK
    risk class, payroll file name, vendor yes/no. Size and risk are read as `check` reads them;
    a value not understood is a data issue and stays unknown."""
    listing = read_listing(source, rule_set.companies_columns, "companies-list", name,
                           "NPP, Nama Perusahaan, Alamat, Kabupaten/Kota, Skala Usaha, Tingkat Risiko JKK, "
                           "File Gaji, Vendor")
    t = listing.table
    for col in COMPANY_COLUMNS:
        if col not in t:
            t[col] = None
    t = t[COMPANY_COLUMNS].astype(object).where(t[COMPANY_COLUMNS].notna(), None)
    found = [listing.issues]
    for col, parse in (("size", parse_size), ("jkk_risk", parse_risk)):
        given = t[col].notna()
        parsed = t[col].map(lambda v, parse=parse: parse(v, rule_set.columns.values) if v is not None else None)
        bad = given & parsed.isna()
        found.append(values.issues_frame(t.index[bad], col, t[col][bad], "list-value-unknown"))
        t[col] = parsed
    t["vendor"] = t["vendor"].map(lambda v: v is not None and normalize(v).upper() in YES).astype(bool)
    t["npp"] = t["npp"].map(lambda v: str(v).strip() or None if v is not None else None)
    t["key"] = t["name"].map(lambda v: normalize(v) if v is not None else None)
    text = [c for c in t.columns if c != "vendor"]
    t[text] = t[text].astype(object).where(t[text].notna(), None)     # unknown is None, never NaN
    listing.table = t
    listing.issues = _with_severity(values.concat_issues(found))
    return listing


def read_licences(source: str | Path | bytes, rule_set: RuleSet, name: str | None = None) -> Listing:
    """Business-licence records: NIB, name, address, regency, BPJS TK number, workers reported."""
    listing = read_listing(source, rule_set.licences_columns, "licence-list", name,
                           "NIB, Nama Perusahaan, Alamat, Kabupaten/Kota, No BPJS TK, Jumlah Tenaga Kerja")
    t = listing.table
    for col in ("nib", "name", "address", "regency", "bpjs_tk"):
        if col not in t:
            t[col] = None
        t[col] = t[col].astype(object).where(t[col].notna(), None)
    t["workers"] = pd.to_numeric(t["workers"], errors="coerce") if "workers" in t else np.nan
    listing.table = t
    return listing


def _with_severity(issues: pd.DataFrame) -> pd.DataFrame:
    issues["severity"] = issues["code"].map(catalogue.severity)
    return issues.sort_values(["row", "column"], kind="stable").reset_index(drop=True)

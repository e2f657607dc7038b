"""Reading payroll files into one canonical table, accounting for every row.

    read_payroll(source, rule_set, name=None, ...) -> Payroll

`source` is a path or the file's bytes (a web upload, a member of a .zip) with its file name.
The canonical table has one row per worker row of the file, indexed by the row number the user
sees; every row read is either usable or has at least one error-severity data issue, and rows
that are not workers (blank, totals, signature block) are listed apart in `ignored_rows`. What
the file does not say and a check needs (the period) comes back in `Payroll.needs`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.errors import Term, UnusableInput
from compliance.ingest import company as company_mod
from compliance.ingest import quality, rows, values
from compliance.ingest.files import RawFile, read_file
from compliance.ingest.header import ColumnCatalog, find_header, likely_header, resolve_columns
from compliance.ingest.header import load_catalog as load_column_catalog
from compliance.ingest.registry import read_registry, registry_from_records
from compliance.ingest.words import load_header_words
from compliance.model import (CANONICAL_DTYPES, ISSUE_COLUMNS, PROGRAMS, Company, EmploymentTypes, IgnoredRows,
                              Payroll, RuleSet, Source, normalize, plain)
from compliance.resources import check_keys, load_yaml
from compliance.texts import notice

__all__ = ["read_payroll", "read_registry", "registry_from_records", "load_column_catalog", "load_employment_types",
           "load_header_words", "CANONICAL_DTYPES"]


def load_employment_types(path: Path) -> EmploymentTypes:
    """rules/employment_types.yaml: canonical worker types, the words that mean each, labels."""
    data = load_yaml(path)
    check_keys(data, {"version", "types"}, str(path))
    mapping, labels = {}, {}
    for name, spec in data["types"].items():
        check_keys(spec, {"label", "aliases"}, f"{path}: types.{name}")
        labels[name] = dict(spec.get("label", {}))
        for alias in [name] + list(spec.get("aliases", [])):
            mapping[normalize(alias)] = name
    return EmploymentTypes(mapping, tuple(data["types"]), labels)


def read_payroll(source: str | Path | bytes, rule_set: RuleSet, name: str | None = None, sheet: str | None = None,
                 options: Company | None = None, engine: str = "gx", raw: RawFile | None = None,
                 encoding: str | None = None, delimiter: str | None = None,
                 columns_map: dict[str, str] | None = None) -> Payroll:
    """Read one payroll file (a path, or bytes with their file `name`). `options` (company
    details given by the user) win over the company sheet and title rows. `engine` runs the
    data-quality suite: "gx" or "pandas". `columns_map` (field -> header as in the file) says which
    column is which where the headers are not understood."""
    catalog = rule_set.columns
    if columns_map:
        unknown = sorted(set(columns_map) - set(catalog.columns))
        if unknown:
            raise UnusableInput("map-unknown-field", fields=unknown, known=list(catalog.columns))
        catalog = catalog.with_map(columns_map)
    raw = raw or read_file(source, name, encoding, delimiter)
    path = raw.path
    chosen, company, header = _pick_sheet(raw, sheet, catalog, path)
    grid = chosen.grid
    if header is None:
        raise UnusableInput("no-header-row", file=path, sheet=chosen.name, needs=["column:nik", "column:name"],
                            headers=likely_header(grid))
    data = grid.iloc[header.row_index + 1:]
    data.index = pd.RangeIndex(header.row_index + 2, header.row_index + 2 + len(data))  # rows as the user sees
    types = rule_set.employment_types
    mapping, texts, unmapped, notes = resolve_columns(header, data, catalog, path,
                                                      types.aliases if types is not None else None)
    for name, wanted in (columns_map or {}).items():
        if normalize(texts.get(name)) != normalize(wanted):
            raise UnusableInput("map-header-not-found", file=path, field=name, header=wanted,
                                headers=list(header.texts.values()))

    money_cols = [mapping[c] for c in ("base_wage", "fixed_allowance", "reported_wage") if c in mapping]
    blank = values.blank_rows(data)          # set aside at once: a million blank lines cost little
    blank_rows, data = data.index[blank], data[~blank]
    kinds = pd.DataFrame({c: values.cell_kinds(data[c]) for c in data.columns}, index=data.index)
    # the column that says a row is a worker: the strongest identity the file has (NIK, KPJ, ...)
    key_col = mapping[next(n for n in catalog.identity + ("name",) if n in mapping)]
    is_worker, ignored = rows.classify(data, kinds, key_col, mapping["name"], money_cols, header.texts)
    blanks = np.full(len(blank_rows), "blank", dtype=object)
    above = _above_header(grid, header)
    ignored = IgnoredRows(np.r_[above["row"].to_numpy(), ignored["row"].to_numpy(), blank_rows.to_numpy()],
                          np.r_[above["reason"].to_numpy(dtype=object), ignored["reason"].to_numpy(dtype=object),
                                blanks],
                          np.r_[above["text"].to_numpy(dtype=object), ignored["text"].to_numpy(dtype=object),
                                np.full(len(blank_rows), None, dtype=object)])
    workers = data[is_worker.to_numpy()]
    worker_kinds = kinds[is_worker.to_numpy()]
    if workers.empty:      # nothing to check is no verdict, never "compliant"
        raise UnusableInput("no-worker-rows", file=path, row=header.row_index + 1, sheet=chosen.name)

    # company details: sheet, then title rows, then options (options win)
    above = company_mod.read_company_sheet(grid.iloc[:header.row_index], None, catalog)
    company = above.merged_with(company)
    if company.period is None:
        period, where = company_mod.period_from_titles(grid, header.row_index, chosen.name)
        if period:
            company = company.merged_with(Company(period=period, sources={"period": where}))
    if company.name is None:
        title_name = company_mod.name_from_titles(grid, header.row_index)
        if title_name:
            company = company.merged_with(Company(name=title_name, sources={"name": "title"}))
    file_company = company
    if options is not None:
        company = company.merged_with(options)

    notes = notes + [notice("company-value-not-understood", field=Term(f"company:{k}"), at=v["at"], value=v["value"])
                     for k, v in company.unread.items()]
    types = rule_set.employment_types
    table, parse_issues, extra = _parse_columns(workers, worker_kinds, mapping, catalog, types,
                                                {n for n, t in texts.items() if values.month_first(t)})
    assumptions = _assumptions(mapping, company)

    ref_date = pd.Timestamp(company.period.last_day) if company.period else pd.Timestamp.today().normalize()
    mismatch, nik_dates = _birth_dates(table, mapping, ref_date)
    if nik_dates == ["all"]:
        assumptions.append(notice("birth-dates-from-nik"))
    elif nik_dates:
        assumptions.append(notice("blank-birth-dates-from-nik", rows=nik_dates[:20], n=len(nik_dates)))
    identity = quality.identity_used(table)
    weaker = identity.notna() & (identity != "nik")
    order = [n for n in catalog.identity if n in set(identity[weaker])]
    if "nik" not in mapping:
        assumptions.append(notice("workers-identified-by", by=[Term(f"identity:{n}") for n in order]))
    elif weaker.any():        # a blank NIK: the worker is known by a weaker identity, and said so
        rows_ = [int(r) for r in table.index[weaker.to_numpy()]]
        assumptions.append(notice("blank-nik-identified-by", rows=rows_[:20], n=len(rows_),
                                  by=[Term(f"identity:{n}") for n in order]))
    ref_label = ref_date.date().isoformat()
    column_types = {name: spec.type for name, spec in catalog.columns.items()}
    suite = quality.build_suite(set(mapping), column_types, list(types.names), catalog.required(), ref_date,
                                ref_label, {n: s.max for n, s in catalog.columns.items() if s.max})
    frame = quality.helper_columns(table, extra)
    shape_issues = quality.evaluate(frame, suite, engine=engine)

    issues = _as_read(_combine(parse_issues, shape_issues, mismatch), workers, mapping)
    src = Source(path, chosen.name, header.row_index + 1, int(len(workers)), raw.file_type, raw.encoding,
                 raw.delimiter)
    return Payroll(source=src, table=table, columns=texts, unmapped_columns=unmapped,
                   ignored_rows=ignored, issues=issues, assumptions=assumptions,
                   company=company, notes=notes, needs=[] if company.period else ["period"],
                   column_index={k: int(v) for k, v in mapping.items()}, file_company=file_company)


def _pick_sheet(raw: RawFile, wanted: str | None, catalog: ColumnCatalog, path: str):
    """(payroll sheet, company details from a company sheet, the payroll sheet's header or None)."""
    company = Company()
    payroll_sheets = []
    for s in raw.sheets:
        if company_mod.is_company_sheet(s.name, catalog):
            company = company_mod.read_company_sheet(s.grid, s.name, catalog)
        else:
            payroll_sheets.append(s)
    if wanted is not None:
        for s in raw.sheets:
            if s.name is not None and s.name.strip().lower() == wanted.strip().lower():
                return s, company, find_header(s.grid, catalog)
        names = [s.name for s in raw.sheets if s.name is not None] or [Term("none-csv")]
        raise UnusableInput("no-such-sheet", file=path, sheet=wanted, sheets=names, needs=["sheet"])
    if len(payroll_sheets) == 1:
        return payroll_sheets[0], company, find_header(payroll_sheets[0].grid, catalog)
    if not payroll_sheets:
        raise UnusableInput("only-company-sheet", file=path)
    scored = []
    for order, s in enumerate(payroll_sheets):
        header = find_header(s.grid, catalog) if len(s.grid) else None
        scored.append(((header.score if header else 0), s.visible, len(s.grid), -order, s, header))
    best = max(scored, key=lambda t: t[:4])
    if best[0] == 0:
        raise UnusableInput("no-payroll-sheet", file=path, sheets=[s.name for s in payroll_sheets], needs=["sheet"])
    return best[4], company, best[5]


def _above_header(grid: pd.DataFrame, header) -> pd.DataFrame:
    """The rows above the header, each with why it is not a worker: blank, a title (company
    details, the period), the upper row of a two-row header, or a row of data above the header
    (listed, never dropped silently). Rows as the user sees them."""
    from compliance.ingest.header import data_cells

    top = header.top if header.top is not None else header.row_index
    part = grid.iloc[:header.row_index]
    if part.empty:
        return pd.DataFrame({"row": [], "reason": [], "text": []})
    blank = values.blank_rows(part)
    cells = part.to_numpy(dtype=object)
    data = np.array([data_cells(list(r)) for r in cells])
    reason = np.where(blank, "blank", np.where(np.arange(len(part)) >= top, "header-group",
                                               np.where(data >= 2, "above-header", "title"))).astype(object)
    filled = ~pd.isna(cells) & (cells != "")
    text = cells[np.arange(len(cells)), filled.argmax(axis=1)]
    text[blank] = None
    return pd.DataFrame({"row": np.arange(1, len(part) + 1), "reason": reason, "text": text})


def _parse_columns(workers: pd.DataFrame, kinds_of: pd.DataFrame, mapping: dict[str, int], catalog: ColumnCatalog,
                   types: EmploymentTypes, month_first: set = frozenset()):
    index = workers.index
    cols: dict[str, pd.Series] = {}
    extra: dict[str, pd.Series] = {}
    issues = []
    et_mapping = types.aliases
    for name, c in mapping.items():
        raw = workers[c]
        kinds = kinds_of[c]
        kind = catalog.columns[name].type
        if kind == "nik":
            cols[name], iss = values.parse_nik(raw, name, kinds)
            issues.append(iss)
        elif kind == "kpj":
            cols[name], iss = values.parse_kpj(raw, name, kinds)
        elif kind == "money":
            cols[name], iss = values.parse_money(raw, name, kinds)
            issues.append(iss)
            if name == "base_wage":
                # empty is a missing wage; an unreadable one is already a wage-not-a-number issue
                extra["_base_wage_read"] = cols[name].where(~((kinds != values.EMPTY) & cols[name].isna()), 0.0)
        elif kind == "date":
            cols[name], iss = values.parse_date(raw, name, kinds, name in month_first)   # "(mm/dd/yyyy)"
            issues.append(iss)
        elif kind == "count":
            cols[name], iss = values.parse_count(raw, name, kinds)
            issues.append(iss)
        elif kind == "employment_type":
            canonical, checked, _ = values.parse_employment_type(raw, et_mapping, name, kinds)
            cols["employment_type"] = canonical
            cols["employment_type_raw"] = checked
            extra["_employment_type"] = checked
        elif kind == "flag":
            cols[name], iss = values.parse_flag(raw, name, kinds)
            issues.append(iss)
        elif kind == "program_list":
            flags, iss = values.parse_program_list(raw, name, kinds)
            issues.append(iss)
            for p in PROGRAMS:
                if p not in mapping:
                    cols[p] = flags[p]
        elif kind == "nationality":
            cols["nationality"], cols["is_foreign"] = values.parse_nationality(raw, name, kinds)
        else:
            cols[name], _ = values.parse_text(raw, name, kinds)
    table = pd.DataFrame(index=index)
    for name, dtype in CANONICAL_DTYPES.items():
        if name in cols:
            table[name] = cols[name].astype(dtype) if dtype != object else cols[name].astype(object)
        else:
            table[name] = pd.Series(pd.NA if dtype in (object, "boolean") else np.nan, index=index).astype(dtype)
    table.index.name = "row"
    # a NIK whose digits were lost stays visible as text in the issue, not in the table
    return table, values.concat_issues(issues), extra


def _as_read(issues: pd.DataFrame, workers: pd.DataFrame, mapping: dict[str, int]) -> pd.DataFrame:
    """Every issue shows the cell exactly as it was read from the file."""
    if issues.empty:
        return issues
    out = issues.copy()
    out["value"] = out["value"].astype(object)      # cells of any type, never a typed column
    for column, group in out.groupby("column", sort=False):
        c = mapping.get(column)
        if c is None:
            continue
        rows = group["row"].astype("int64").to_numpy()
        out.loc[group.index, "value"] = workers[c].reindex(rows).map(plain).to_numpy(dtype=object)
    return out


def _birth_dates(table: pd.DataFrame, mapping: dict[str, int], ref: pd.Timestamp) -> tuple[pd.DataFrame, list]:
    """Birth dates from the NIK when the payroll has no birth-date column, or where its cell is
    blank (a blank is unknown, never "young": the report states the rows); with a date in the
    cell, the cell wins and a disagreement is a warning. (issues, rows whose date came from the
    NIK: all of them, or the blank cells' rows)"""
    from_nik = values.birth_date_from_nik(table["nik"], ref)
    if "birth_date" not in mapping:
        table["birth_date"] = from_nik
        return values.no_issues(), ["all"] if from_nik.notna().any() else []
    blank = table["birth_date"].isna() & from_nik.notna()
    table.loc[blank, "birth_date"] = from_nik[blank]
    differ = ~blank & table["birth_date"].notna() & from_nik.notna() & (table["birth_date"] != from_nik)
    return (values.issues_frame(table.index[differ], "birth_date", table.loc[differ, "birth_date"],
                                "birth-date-nik-mismatch", from_nik[differ].dt.strftime("%Y-%m-%d").tolist()),
            [int(r) for r in table.index[blank]])


def _assumptions(mapping: dict[str, int], company: Company) -> list[dict]:
    """What reading had to assume, as notices (codes with data; faces word them)."""
    out = []
    flags = [p for p in ("jkk", "jkm", "jht", "jp") if p in mapping]
    if "programs" not in mapping and not flags:
        out.append(notice("no-program-columns"))
    elif "programs" not in mapping:
        for p in sorted({"jkk", "jkm", "jht", "jp"} - set(flags)):
            out.append(notice("no-program-column", program=p.upper()))
    if "employment_type" not in mapping:
        out.append(notice("no-employment-type-column"))
    if "start_date" not in mapping and "end_date" not in mapping:
        out.append(notice("no-date-columns"))
    if company.period is None:
        out.append(notice("no-period-dates-against-today"))
    return out


def _combine(parse_issues: pd.DataFrame, shape_issues: pd.DataFrame, cross_checks: pd.DataFrame) -> pd.DataFrame:
    """One issue per cell: a cell that could not be read is not also reported for its shape, and
    a cross-check (birth date against the NIK) only where nothing else is wrong with the cell
    (duplicates are the exception: a well-formed NIK may still appear twice)."""
    both = values.concat_issues([parse_issues, shape_issues, cross_checks])
    if both.empty:
        out = pd.DataFrame(columns=ISSUE_COLUMNS + ["severity"])
        return out
    both["_order"] = np.arange(len(both))
    key_rows = pd.to_numeric(both["row"], errors="coerce").fillna(-1)
    dup = both.assign(_r=key_rows).duplicated(subset=["_r", "column"], keep="first")
    dup &= ~both["code"].isin(["duplicate-nik", "duplicate-id"])
    both = both[~dup.to_numpy()].drop(columns="_order")
    both["severity"] = both["code"].map(catalogue.severity)
    both["row"] = both["row"].astype("Int64")
    return both.sort_values(["row", "column"], kind="stable", na_position="first").reset_index(drop=True)

"""Data-quality expectations on the canonical table, and two engines that evaluate them.

The suite is built from the canonical schema (rules/columns.yaml types): required columns
present, NIK 16 digits with a plausible province code and birth-date part, KPJ 11 digits,
wages non-negative, dates not after the period, employment type in the canonical set, NIK unique.

Engines:
- `gx`: Great Expectations (default). Imported lazily, run offline and quietly in an
  ephemeral context (nothing written to disk, analytics off, progress bars off). The whole
  suite runs once with result_format SUMMARY; only failing expectations are run again with
  COMPLETE to get the failing rows, so the cost on clean data stays one pass.
- `pandas`: the same expectations evaluated with pandas (no GX import); tests hold the two to
  the same results.

The table's index is the row number the user sees, so failing index values are Excel rows.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd
import pyarrow.compute as pc

from compliance.ingest import text as tx
from compliance.ingest.values import concat_issues, issues_frame
from compliance.model import ISSUE_COLUMNS, plain

NIK_PROVINCES = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
                 "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
                 "91", "92", "93", "94", "95", "96"]   # domain reference, section 8
# DDMMYY with 40 added to the day for women (domain reference, section 8)
NIK_BIRTH_RE = r"^(?:0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])(?:0[1-9]|1[0-2])\d{2}$"


@dataclass(frozen=True)
class Expectation:
    code: str          # data-issue code raised for each failing row
    column: str        # canonical column reported in the issue
    kind: str          # exists | not_null | regex | between | in_set | unique
    target: str        # column of the checked frame (a helper column for derived checks)
    params: dict = field(default_factory=dict)
    detail: str | None = None
    value_from: str | None = None   # column whose value the issue shows (default: `column`)


def build_suite(present: set[str], types: dict[str, str], employment_types: list[str],
                required: list[str], reference_date: pd.Timestamp, reference_label: str,
                maxima: dict[str, float] | None = None) -> list[Expectation]:
    suite = [Expectation("column-missing", c, "exists", c) for c in required]
    for col in sorted(present):
        kind = types.get(col)
        if kind == "nik":
            suite += [Expectation("nik-length", col, "regex", col, {"regex": r"^\d{16}$"}),
                      Expectation("nik-province", col, "in_set", "_nik_province", {"value_set": NIK_PROVINCES}),
                      Expectation("nik-birth-date", col, "regex", "_nik_birth", {"regex": NIK_BIRTH_RE}),
                      Expectation("duplicate-nik", col, "unique", col)]
        elif kind == "kpj":
            suite.append(Expectation("kpj-format", col, "regex", col, {"regex": r"^\d{11}$"}))
        elif kind == "money":
            suite.append(Expectation("negative-wage", col, "between", col, {"min_value": 0}))
            if (maxima or {}).get(col):      # implausible: far above any minimum wage or cap (rules/columns.yaml)
                top = maxima[col]
                suite.append(Expectation("implausible-amount", col, "between", col, {"max_value": top},
                                         f"{top:,.0f}".replace(",", ".")))
        elif kind == "count":
            suite.append(Expectation("days-worked-range", col, "between", col, {"min_value": 0, "max_value": 31}))
        elif kind == "employment_type":
            suite.append(Expectation("unknown-employment-type", col, "in_set", "_employment_type",
                                     {"value_set": employment_types}, ", ".join(employment_types),
                                     value_from="_employment_type"))
        elif kind == "date" and col in ("birth_date", "start_date"):
            code = "date-in-future" if col == "birth_date" else "start-after-period"
            suite.append(Expectation(code, col, "between", col, {"max_value": reference_date}, reference_label))
    if "name" in present:
        suite.append(Expectation("name-missing", "name", "not_null", "name"))
    if "nik" in present:
        # a blank NIK is no issue for a worker known by their KPJ, employee number, or name and birth date
        suite.append(Expectation("nik-missing", "nik", "not_null", "_identity"))
    elif "name" in present:
        # no NIK column: each worker is known by their KPJ, employee number, or name with birth date
        suite.append(Expectation("identity-missing", "nik", "not_null", "_identity"))
        key = next((c for c in ("kpj", "employee_id") if c in present), None)
        if key:          # the same KPJ or employee number twice: the same worker counted twice?
            suite.append(Expectation("duplicate-id", key, "unique", key))
    if "base_wage" in present:
        suite.append(Expectation("wage-missing", "base_wage", "not_null", "_base_wage_read"))
    if {"start_date", "end_date"} <= present:
        suite.append(Expectation("end-before-start", "end_date", "between", "_tenure_days", {"min_value": 0}))
    return suite


def helper_columns(table: pd.DataFrame, extra: dict[str, pd.Series]) -> pd.DataFrame:
    """The frame the expectations run on: the canonical columns plus derived helper columns."""
    frame = table.copy(deep=False)
    if "nik" in frame:
        nik = tx.arrow(frame["nik"])
        ok = tx.fullmatch(nik, r"\d{16}")
        frame["_nik_province"] = tx.to_pandas(pc.if_else(ok, pc.utf8_slice_codeunits(nik, 0, 2), None), frame.index)
        frame["_nik_birth"] = tx.to_pandas(pc.if_else(ok, pc.utf8_slice_codeunits(nik, 6, 12), None), frame.index)
    frame["_identity"] = identity_used(frame)
    if "start_date" in frame and "end_date" in frame:
        frame["_tenure_days"] = (frame["end_date"] - frame["start_date"]).dt.days.astype("float64")
    for name, series in extra.items():
        frame[name] = series
    return frame


def identity_used(table: pd.DataFrame) -> pd.Series:
    """Which identity each worker is known by, strongest first: nik, kpj, employee_id, or
    birth_date (the name with the birth date); None for a worker with none of them."""
    out = pd.Series(None, index=table.index, dtype=object)
    absent = pd.Series(False, index=table.index)

    def filled(col: str) -> pd.Series:
        return table[col].notna() if col in table else absent

    for col, known in (("birth_date", filled("name") & filled("birth_date")), ("employee_id", filled("employee_id")),
                       ("kpj", filled("kpj")), ("nik", filled("nik"))):
        out = out.mask(known.to_numpy(dtype=bool), col)
    return out


# -- engines -------------------------------------------------------------------------------------

def failing_rows_pandas(frame: pd.DataFrame, exp: Expectation) -> pd.Index | None:
    """Index of failing rows; None for a failing table-level expectation (missing column)."""
    if exp.kind == "exists":
        return None if exp.target not in frame else frame.index[:0]
    col = frame[exp.target]
    if exp.kind == "not_null":
        return frame.index[col.isna().to_numpy()]
    present = col.notna()
    if exp.kind == "regex":
        matched = tx.mask(pc.match_substring_regex(tx.arrow(col.astype(object)), exp.params["regex"]), frame.index)
        bad = present & ~matched
    elif exp.kind == "between":
        bad = pd.Series(False, index=frame.index)
        if exp.params.get("min_value") is not None:
            bad |= col < exp.params["min_value"]
        if exp.params.get("max_value") is not None:
            bad |= col > exp.params["max_value"]
        bad &= present
    elif exp.kind == "in_set":
        bad = present & ~col.isin(exp.params["value_set"])
    elif exp.kind == "unique":
        bad = present & col.duplicated(keep=False)
    else:
        raise ValueError(exp.kind)
    return frame.index[bad.to_numpy(dtype=bool)]


def run_pandas(frame: pd.DataFrame, suite: list[Expectation]) -> list[tuple[Expectation, pd.Index | None]]:
    return [(exp, failing_rows_pandas(frame, exp)) for exp in suite]


def _gx_expectation(gx, exp: Expectation, index: int = 0):
    E = gx.expectations
    p = dict(exp.params)
    meta = {"compliance_index": index, "code": exp.code}
    if isinstance(p.get("max_value"), pd.Timestamp):
        p["max_value"] = p["max_value"].to_pydatetime()
    return {
        "exists": lambda: E.ExpectColumnToExist(column=exp.target, meta=meta),
        "not_null": lambda: E.ExpectColumnValuesToNotBeNull(column=exp.target, meta=meta),
        "regex": lambda: E.ExpectColumnValuesToMatchRegex(column=exp.target, regex=p["regex"], meta=meta),
        "between": lambda: E.ExpectColumnValuesToBeBetween(column=exp.target, min_value=p.get("min_value"),
                                                           max_value=p.get("max_value"), meta=meta),
        "in_set": lambda: E.ExpectColumnValuesToBeInSet(column=exp.target, value_set=p["value_set"], meta=meta),
        "unique": lambda: E.ExpectColumnValuesToBeUnique(column=exp.target, meta=meta),
    }[exp.kind]()


def _gx():
    """Import Great Expectations offline and quietly."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import logging
    import warnings

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
    return gx


def run_gx(frame: pd.DataFrame, suite: list[Expectation]) -> list[tuple[Expectation, pd.Index | None]]:
    gx = _gx()
    from great_expectations.data_context.types.base import (DataContextConfig, InMemoryStoreBackendDefaults,
                                                            ProgressBarsConfig)

    # in memory only: no docs site (not even a temporary folder), no analytics, no progress bars
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                               analytics_enabled=False)
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas("payroll")
    batch_def = source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("all")
    # GX needs plain numpy-compatible columns: nullable booleans/strings become objects.
    data = frame.copy()
    data.index.name = None   # GX then reports failing rows as plain index values (our row numbers)
    for c in data.columns:
        if str(data[c].dtype) in ("boolean", "string", "str", "Int64"):
            data[c] = data[c].astype(object).where(data[c].notna(), None)
    batch = batch_def.get_batch(batch_parameters={"dataframe": data})
    out: list[tuple[Expectation, pd.Index | None]] = []
    gx_suite = gx.ExpectationSuite(name="payroll-shape")
    for i, exp in enumerate(suite):
        gx_suite.add_expectation(_gx_expectation(gx, exp, i))
    summary = batch.validate(gx_suite, result_format={"result_format": "BOOLEAN_ONLY"})
    # results come back in GX's order, not ours: match them by the index we put in `meta`
    success = {r.expectation_config.meta["compliance_index"]: r.success for r in summary.results}
    for i, exp in enumerate(suite):
        if success[i]:
            out.append((exp, frame.index[:0]))
            continue
        if exp.kind == "exists":
            out.append((exp, None))
            continue
        detail = batch.validate(_gx_expectation(gx, exp, i), result_format={
            "result_format": "COMPLETE", "return_unexpected_index_query": False})
        rows = detail.result.get("unexpected_index_list") or []
        out.append((exp, pd.Index(rows, dtype="int64")))
    return out


def evaluate(frame: pd.DataFrame, suite: list[Expectation], engine: str = "gx") -> pd.DataFrame:
    """Run the suite and turn every failure into located data issues."""
    results = run_gx(frame, suite) if engine == "gx" else run_pandas(frame, suite)
    parts = []
    for exp, rows in results:
        if rows is None:
            parts.append(pd.DataFrame([{"row": None, "column": exp.column, "value": None, "code": exp.code,
                                        "detail": exp.detail}], columns=ISSUE_COLUMNS))
            continue
        if len(rows) == 0:
            continue
        shown = exp.value_from or exp.column
        values = frame.loc[rows, shown] if shown in frame else pd.Series([None] * len(rows))
        detail = exp.detail
        if exp.kind == "unique":
            detail = _duplicate_detail(frame.loc[rows, exp.target])
        parts.append(issues_frame(rows, exp.column, values.map(plain).to_numpy(dtype=object), exp.code, detail))
    return concat_issues(parts)


def _duplicate_detail(values: pd.Series):
    """For each duplicated value, the first row where it stands."""
    rows = pd.Series(values.index, index=values.index)
    groups = rows.groupby(values.to_numpy())
    return groups.transform("min").astype(str).to_numpy(dtype=object)

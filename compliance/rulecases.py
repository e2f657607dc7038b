"""Run a rule file's own test cases (`tests:` in the YAML): named rows in, findings expected.
It sits above the engine and the outputs: a case checks the findings as a user sees them."""
from __future__ import annotations

import pandas as pd

from compliance.engine import check
from compliance.errors import RuleFileError
from compliance.ingest import registry_from_records
from compliance.model import CANONICAL_DTYPES, Company, Payroll, Period, RuleSet, Source, empty_issues, normalize
from compliance.outputs.report import findings as finding_records

EXPECT_KEYS = {"row", "monthly_shortfall_idr", "message_contains", "responsible", "severity"}
COMPANY_KEYS = {"name", "npp", "address", "size", "jkk_risk", "province", "regency", "vendor_npps"}


def table_from_rows(rows: list[dict], where: str) -> pd.DataFrame:
    unknown = {k for r in rows for k in r} - set(CANONICAL_DTYPES)
    if unknown:
        raise RuleFileError(f"{where}: unknown column(s) {', '.join(sorted(unknown))} in test rows")
    index = pd.RangeIndex(1, len(rows) + 1, name="row")
    table = pd.DataFrame(index=index)
    for name, dtype in CANONICAL_DTYPES.items():
        cells = [r.get(name) for r in rows]
        if dtype == "datetime64[ns]":
            table[name] = pd.to_datetime(pd.Series([c if c is None else pd.Timestamp(c) for c in cells],
                                                   index=index, dtype=object))
        elif dtype == "boolean":
            table[name] = pd.Series(cells, index=index, dtype="boolean")
        elif dtype == "float64":
            table[name] = pd.Series(cells, index=index, dtype="float64")
        else:
            table[name] = pd.Series([None if c is None else str(c) for c in cells], index=index, dtype=object)
    return table


def run_case(rule_set: RuleSet, rule, case: dict) -> list[str]:
    """Returns the list of mismatches (empty when the case passes)."""
    where = f"{rule.path}: test {case.get('name')!r}"
    period = Period.parse(str(case.get("period", "2025-06")))
    company_spec = dict(case.get("company") or {})
    if set(company_spec) - COMPANY_KEYS:
        raise RuleFileError(f"{where}: unknown company key(s) {', '.join(sorted(set(company_spec) - COMPANY_KEYS))}")
    vendor_npps = tuple((normalize(k), str(v)) for k, v in (company_spec.pop("vendor_npps", None) or {}).items())
    company = Company(**{k: (str(v) if v is not None else None) for k, v in company_spec.items()}, period=period,
                      vendor_npps=vendor_npps)
    table = table_from_rows(case.get("rows") or [], where)
    payroll = Payroll(Source("<test case>", None, 1, len(table)), table, {}, [], [], empty_issues(), [], company)
    registry = registry_from_records(case["registry"]) if case.get("registry") else None
    only = rule_set.only([rule])
    report = check(payroll, company, period, only, registry)
    findings = {f["row"]: f for f in finding_records(report, only, "en")}
    failures = []
    expected = case.get("expect") or []
    want_rows = set()
    for e in expected:
        if set(e) - EXPECT_KEYS or "row" not in e:
            raise RuleFileError(f"{where}: an expectation has row and optionally "
                                f"{', '.join(sorted(EXPECT_KEYS - {'row'}))}")
        want_rows.add(e["row"])
        f = findings.get(e["row"])
        if f is None:
            failures.append(f"row {e['row']}: expected a finding, got none")
            continue
        if "monthly_shortfall_idr" in e and f["monthly_shortfall_idr"] != e["monthly_shortfall_idr"]:
            failures.append(f"row {e['row']}: shortfall {f['monthly_shortfall_idr']}, expected "
                            f"{e['monthly_shortfall_idr']}")
        if "message_contains" in e and str(e["message_contains"]) not in f["message"]:
            failures.append(f"row {e['row']}: message {f['message']!r} lacks {e['message_contains']!r}")
        if "responsible" in e:
            want = e["responsible"] if isinstance(e["responsible"], dict) else {"party": e["responsible"]}
            got = f.get("responsible") or {}
            if any(got.get(k) != v for k, v in want.items()):
                failures.append(f"row {e['row']}: responsible {got}, expected {dict(want)}")
        if "severity" in e and f["severity"] != e["severity"]:
            failures.append(f"row {e['row']}: severity {f['severity']}, expected {e['severity']}")
    if "compliant" in case and report.compliant != case["compliant"]:
        failures.append(f"compliant is {report.compliant}, expected {case['compliant']} "
                        f"(employer violations {report.totals.violations}, vendor {report.totals.vendor_violations})")
    extra = set(findings) - want_rows
    if extra:
        failures.append(f"unexpected finding(s) on row(s) {', '.join(map(str, sorted(extra)))}")
    return failures


def all_cases(rule_set):
    for rule in rule_set.rules:
        for case in rule.tests:
            yield rule, case

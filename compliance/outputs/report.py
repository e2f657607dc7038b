"""The Report as the JSON contract, version 2 (docs/schemas/check-report.schema.json).

The rules used (id, version, family, severity, titles, citations, the parameter names their
findings rest on) and the dated parameters used (value, date in force, regulation, reference row,
mark) appear once at the top; each finding names its rule. Messages are written in one language
here, from the rule's templates: this is the output stage, so formatting is per finding, but only
of the findings asked for (`limit`).
"""
from __future__ import annotations

import json

import numpy as np

from compliance import __version__, catalogue
from compliance.model import CHECKED_PROGRAMS, RegistrySummary, Report, Rule, RuleSet, plain

SCHEMA_VERSION = 2
MONEY_FIELDS = {"actual_wage", "reported_wage", "reported_wage_basis", "wage_difference", "minimum_wage",
                "base_wage", "fixed_allowance", "shortfall"}
UNITS_PER_RUPIAH = 1_000_000


def rupiah(value) -> str:
    """Indonesian formatting: Rp 1.234.567 (decimals only when there are sen)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    v = float(value)
    whole = f"{abs(v):,.0f}" if v == round(v) else f"{abs(v):,.2f}"
    whole = whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-Rp " if v < 0 else "Rp ") + whole


def to_dict(report: Report, rule_set: RuleSet, lang: str = "id", limit: int | None = None) -> dict:
    """The report as the contract; `limit` shortens the findings list (text output)."""
    c = report.company
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "ruleset_version": report.ruleset_version,
        "period": str(report.period),
        "company": {"name": c.name, "npp": c.npp, "size": c.size, "jkk_risk": c.jkk_risk,
                    "assumed": list(report.assumed), "address": c.address, "province": c.province,
                    "sources": dict(c.sources)},
        "source": report.source.to_dict(),
        "participation_source": report.participation_source,
        "assumptions": list(report.assumptions),
        "totals": {
            "workers": report.totals.workers, "participants": report.totals.participants,
            "unregistered": report.totals.unregistered, "coverage_pct": report.totals.coverage_pct,
            "monthly_shortfall_idr": report.totals.monthly_shortfall_idr,
            "rows_with_issues": report.totals.rows_with_issues, "rows_checked": report.totals.rows_checked,
            "violations": report.totals.violations, "findings": report.findings_count,
        },
        "by_family": {k: dict(v) for k, v in report.by_family.items()},
        "compliant": report.compliant,
        "rules": {rid: rule_record(rule, report.rule_parameters.get(rid, [])) for rid, rule in report.rules.items()},
        "parameters": {name: {"value": v.value, "since": v.since.isoformat(), "reference": v.reference,
                              "domain": v.domain, "mark": v.mark} for name, v in sorted(report.parameters.items())},
        "findings": findings(report, rule_set, lang, limit),
        "data_issues": issue_records(report.data_issues, report.source.sheet, lang),
        "ignored_rows": [{"row": int(r["row"]), "reason": r["reason"]} for r in report.ignored_rows],
        "registry": registry_record(report.registry, lang),
    }


def rule_record(rule: Rule, parameters: list[str]) -> dict:
    out = {"version": rule.version, "family": rule.family, "severity": rule.severity, "title": dict(rule.title),
           "legal_basis": [{"citation": c.citation, "domain": c.domain, "mark": c.mark} for c in rule.legal_basis],
           "parameters": list(parameters)}
    if rule.unconfirmed:
        out["unconfirmed"] = True
    return out


def findings(report: Report, rule_set: RuleSet, lang: str = "id", limit: int | None = None) -> list[dict]:
    """One record per finding, ordered by row then rule, messages in `lang`."""
    order = report.order()
    if limit is not None:
        order = order[:limit]
    if not order:
        return []
    labels = {t: spec.get(lang, t) for t, spec in rule_set.employment_types.labels.items()}
    common = {"period": str(report.period), "company_name": report.company.name or "-",
              "pension_age": _param_value(report, "jp_pension_age"),
              "min_months": _param_value(report, "foreign_worker_min_months")}
    prepared = {}
    for bi in {bi for bi, _ in order}:
        b = report.blocks[bi]
        rule = report.rules[b.rule_id]
        records = b.rows.to_dict("records")          # once per rule, not per row
        parts = {k: v.tolist() for k, v in b.parts.items()}
        prepared[bi] = (rule, records, parts, b.totals.tolist(), None if b.variant is None else b.variant.tolist(),
                        b.rows.index.tolist())
    out = []
    for bi, i in order:
        rule, records, parts, totals, variant, rows = prepared[bi]
        out.append(_finding(rule, records[i], rows[i], totals[i], parts, i,
                            -1 if variant is None else variant[i], lang, labels, common))
    return out


def _finding(rule: Rule, rec: dict, row: int, total: int, parts: dict, i: int, variant: int, lang: str,
             labels: dict, common: dict) -> dict:
    missing = [p.upper() for p in CHECKED_PROGRAMS if rec.get(f"missing_{p}")]
    et = rec["employment_type"]
    values = {k: _fmt(k, v) for k, v in rec.items()}
    values.update(common)
    values.update(employment_type_label=labels.get(et, et), missing_programs=", ".join(missing),
                  shortfall=rupiah(total))
    template = rule.message_variants[variant][1][lang] if variant >= 0 else rule.message[lang]
    out = {
        "rule_id": rule.id, "family": rule.family, "severity": rule.severity, "row": int(row),
        "nik": plain(rec.get("nik")), "name": plain(rec.get("name")), "employment_type": et,
        "message": template.format_map(_Missing(values)),
        "monthly_shortfall_idr": int(total) if rule.severity == "violation" else 0,
    }
    compared = {k: v for k in rule.details if (v := plain(rec.get(k))) is not None}
    if compared:
        out["compared"] = compared
    if parts:
        by_program = {}
        for p in CHECKED_PROGRAMS:
            emp, wrk = parts[f"{p}.employer"][i], parts[f"{p}.worker"][i]
            if emp or wrk:
                by_program[p] = [emp / UNITS_PER_RUPIAH, wrk / UNITS_PER_RUPIAH]
        if by_program:
            out["shortfall_by_program"] = by_program
    if missing:
        out["programs_missing"] = missing
    if rec.get("outsourced") and rule.family == "PDS-TK":
        out["responsible_party"] = {"kind": "vendor", "name": plain(rec.get("vendor"))}
    return out


def issue_records(issues, sheet: str | None, lang: str) -> list[dict]:
    """Data issues as JSON-ready records with messages in the chosen language."""
    if issues is None or issues.empty:
        return []
    out = []
    # one record per issue: this loop formats output, it is not on the parsing path
    for rec in issues.to_dict("records"):
        row = rec["row"]
        value = plain(rec["value"])
        out.append({
            "sheet": sheet,
            "row": None if row is None or plain(row) is None else int(row),
            "column": rec["column"],
            "value": value,
            "code": rec["code"],
            "message": catalogue.render(rec["code"], lang, value=value, column=rec["column"],
                                        detail=plain(rec["detail"])),
            "severity": rec["severity"],
        })
    return out


def registry_record(reg: RegistrySummary | None, lang: str) -> dict | None:
    """The registry extract used, and the data issues of its rows (not the payroll's)."""
    if reg is None:
        return None
    return {"path": reg.path, "sheet": reg.sheet, "rows": reg.rows, "active": reg.active,
            "data_issues": issue_records(reg.issues, reg.sheet, lang)}


def dumps(document: dict) -> str:
    """The report as JSON text: keys indented, one finding or data issue a line (readable, and
    a fraction of the size of indenting every field)."""
    lines = ["{"]
    keys = list(document)
    for n, key in enumerate(keys):
        value = document[key]
        end = "," if n < len(keys) - 1 else ""
        name = json.dumps(key)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join("    " + json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in value)
            lines.append(f"  {name}: [\n{items}\n  ]{end}")
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            lines.append(f"  {name}: {text}{end}")
    lines.append("}")
    return "\n".join(lines)


class _Missing(dict):
    def __missing__(self, key):   # templates are validated at load time; this is a safety net
        return "-"


def _param_value(report: Report, name: str):
    v = report.parameters.get(name)
    return v.value if v is not None else "-"


def _fmt(key: str, value):
    value = plain(value)
    if key in MONEY_FIELDS:
        return rupiah(value)
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

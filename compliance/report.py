"""The Report of one company's check, and its JSON form (docs/schemas/check-report.schema.json)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compliance import __version__
from compliance.engine.context import CHECKED_PROGRAMS
from compliance.model import Company, Payroll, Period, plain

SCHEMA_VERSION = 1
MONEY_FIELDS = {"actual_wage", "reported_wage", "reported_wage_basis", "wage_difference", "minimum_wage",
                "base_wage", "fixed_allowance", "shortfall"}


def rupiah(value) -> str:
    """Indonesian formatting: Rp 1.234.567 (decimals only when there are sen)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    v = float(value)
    whole = f"{abs(v):,.0f}" if v == round(v) else f"{abs(v):,.2f}"
    whole = whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-Rp " if v < 0 else "Rp ") + whole


@dataclass
class FindingBlock:
    """All findings of one rule: the context rows it matched and their shortfalls."""

    rule: object
    rows: pd.DataFrame
    parts: dict[str, np.ndarray]
    totals: np.ndarray
    variant: np.ndarray | None = None    # per row: index of the message variant used, -1 for the main one


@dataclass
class Report:
    payroll: Payroll
    company: Company
    assumed: list[str]
    period: Period
    ruleset_version: str
    blocks: list[FindingBlock]
    workers: int
    participants: int
    participation_source: str
    parameters_used: dict
    rows_checked: int
    rule_seconds: float = 0.0
    registry: object = None          # compliance.ingest.registry.Registry, when one was given

    # -- totals ----------------------------------------------------------------------------------
    def count(self, rule_id: str) -> int:
        return sum(len(b.rows) for b in self.blocks if b.rule.id == rule_id)

    @property
    def monthly_shortfall_idr(self) -> int:
        return int(sum(int(b.totals.sum()) for b in self.blocks if b.rule.severity == "violation"))

    @property
    def violations(self) -> int:
        return sum(len(b.rows) for b in self.blocks if b.rule.severity == "violation")

    @property
    def compliant(self) -> bool:
        return self.violations == 0 and self.payroll.rows_with_issues == 0

    def by_family(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for b in self.blocks:
            fam = out.setdefault(b.rule.family, {"violation": 0, "warning": 0, "info": 0, "shortfall_idr": 0})
            fam[b.rule.severity] += len(b.rows)
            if b.rule.severity == "violation":
                fam["shortfall_idr"] += int(b.totals.sum())
        return out

    def totals(self) -> dict:
        return {
            "workers": self.workers,
            "participants": self.participants,
            "unregistered": self.count("unregistered-worker"),
            "coverage_pct": round(100 * self.participants / self.workers, 2) if self.workers else None,
            "monthly_shortfall_idr": self.monthly_shortfall_idr,
            "rows_with_issues": self.payroll.rows_with_issues,
            "rows_checked": self.rows_checked,
            "violations": self.violations,
        }

    # -- findings --------------------------------------------------------------------------------
    def findings(self, lang: str = "id", limit: int | None = None) -> list[dict]:
        """One record per finding, ordered by row then rule, messages in `lang`. Only the first
        `limit` are formatted (formatting is per finding: it is the output stage)."""
        from compliance.ingest import load_employment_types

        order = self._order()
        if limit is not None:
            order = order[:limit]
        labels = load_employment_types()[2]
        params = {bi: self._rule_parameters(b.rule) for bi, b in enumerate(self.blocks)}
        needed = {bi for bi, _ in order}
        records = {bi: self.blocks[bi].rows.to_dict("records") for bi in needed}   # once per rule, not per row
        return [self._finding(bi, i, lang, labels, params[bi], records[bi][i]) for bi, i in order]

    def _order(self) -> list[tuple[int, int]]:
        """(block, position) of every finding, sorted by row then rule id, without formatting."""
        parts = [pd.DataFrame({"row": np.asarray(b.rows.index, dtype="int64"), "rule": b.rule.id,
                               "block": bi, "pos": np.arange(len(b.rows))})
                 for bi, b in enumerate(self.blocks) if len(b.rows)]
        if not parts:
            return []
        allf = pd.concat(parts, ignore_index=True).sort_values(["row", "rule"], kind="stable")
        return list(zip(allf["block"].tolist(), allf["pos"].tolist()))

    def _finding(self, bi: int, i: int, lang: str, labels: dict, params: list[dict], rec: dict) -> dict:
        b = self.blocks[bi]
        rule = b.rule
        row = b.rows.index[i]
        by_program = {}
        for p in CHECKED_PROGRAMS:
            emp = int(b.parts[f"{p}.employer"][i]) if b.parts else 0
            wrk = int(b.parts[f"{p}.worker"][i]) if b.parts else 0
            if emp or wrk:
                by_program[p] = {"employer": emp / 1e6, "worker": wrk / 1e6}
        missing = [p.upper() for p in CHECKED_PROGRAMS if rec.get(f"missing_{p}")]
        et = rec["employment_type"]
        values = {k: _fmt(k, v) for k, v in rec.items()}
        values.update({
            "employment_type_label": labels.get(et, {}).get(lang, et),
            "period": str(self.period), "missing_programs": ", ".join(missing),
            "shortfall": rupiah(int(b.totals[i])), "company_name": self.company.name or "-",
            "pension_age": _param_value(self.parameters_used, "jp_pension_age"),
            "min_months": _param_value(self.parameters_used, "foreign_worker_min_months"),
        })
        details = {
            "rule_version": rule.version,
            "compared": {k: plain(rec.get(k)) for k in rule.details},
            "parameters": params,
            "participation_source": self.participation_source,
        }
        if by_program:
            details["shortfall_by_program"] = by_program
        if missing:
            details["programs_missing"] = missing
        if rec.get("outsourced") and rule.family == "PDS-TK":
            details["responsible_party"] = {"kind": "vendor", "name": plain(rec.get("vendor"))}
        if rule.unconfirmed:
            details["unconfirmed"] = True
        return {
            "rule_id": rule.id, "rule_version": rule.version, "family": rule.family,
            "severity": rule.severity, "sheet": self.payroll.source.sheet, "row": int(row),
            "nik": plain(rec.get("nik")), "name": plain(rec.get("name")), "employment_type": et,
            "title": rule.title[lang],
            "titles": dict(rule.title),
            "message": _message(rule, b.variant, i, lang).format_map(_Missing(values)),
            "legal_basis": [c.to_dict() for c in rule.legal_basis],
            "details": details,
            "monthly_shortfall_idr": int(b.totals[i]) if rule.severity == "violation" else 0,
        }

    def _rule_parameters(self, rule) -> list[dict]:
        names = set()
        for prefix in rule.parameters:
            names |= {n for n in self.parameters_used if n == prefix or n.startswith(prefix + ".")}
        if rule.shortfall != "none":
            names |= {n for n in self.parameters_used if n.startswith("rate.") or n == "jp_wage_cap"}
        return [self.parameters_used[n].to_dict(n) for n in sorted(names)]

    def to_dict(self, lang: str = "id", limit: int | None = None) -> dict:
        """The report as the JSON contract; `limit` shortens the findings list (text output)."""
        from compliance.outputs.validate import issue_records

        c = self.company
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "ruleset_version": self.ruleset_version,
            "period": str(self.period),
            "company": {"name": c.name, "npp": c.npp, "size": c.size, "jkk_risk": c.jkk_risk,
                        "assumed": list(self.assumed), "address": c.address, "province": c.province,
                        "sources": dict(c.sources)},
            "source": self.payroll.source.to_dict(),
            "participation_source": self.participation_source,
            "assumptions": list(self.payroll.assumptions),
            "totals": self.totals(),
            "by_family": self.by_family(),
            "compliant": self.compliant,
            "findings": self.findings(lang, limit),
            "data_issues": issue_records(self.payroll.issues, self.payroll.source.sheet, lang),
            "ignored_rows": [{"row": int(r["row"]), "reason": r["reason"]} for r in self.payroll.ignored_rows],
            "registry": self._registry_dict(lang),
        }

    def _registry_dict(self, lang: str) -> dict | None:
        """The registry extract used, and the data issues of its rows (not the payroll's)."""
        if self.registry is None:
            return None
        from compliance.outputs.validate import issue_records

        reg = self.registry
        return {"path": reg.path, "rows": int(len(reg.table)),
                "active": int((reg.table["status"] == "AKTIF").sum()),
                "data_issues": issue_records(reg.issues, reg.sheet, lang)}


def _message(rule, variant, i: int, lang: str) -> str:
    if variant is not None and variant[i] >= 0:
        return rule.message_variants[variant[i]][1][lang]
    return rule.message[lang]


class _Missing(dict):
    def __missing__(self, key):   # templates are validated at load time; this is a safety net
        return "-"


def _param_value(used: dict, name: str):
    v = used.get(name)
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

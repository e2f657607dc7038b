"""The heart of the product:

    check(payroll, company, period, rule_set, registry=None) -> Report

A pure function of its arguments (no global state, no environment, no files): the CLI, the
letters, the batch audit and the web page all call it. Rules are evaluated vectorised over the
whole table. The Report keeps only the rows of its findings and the columns their messages read,
so it pickles cheaply back from a worker process.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from compliance.engine.conditions import rows_where
from compliance.engine.context import build_context
from compliance.engine.contributions import rates_for, shortfall
from compliance.engine.rules import condition_params
from compliance.errors import Term
from compliance.texts import notice
from compliance.model import (Company, FindingBlock, Payroll, Period, Registry, RegistrySummary, Report, Rule,
                              RuleSet, Totals)

__all__ = ["check", "complete_company"]


def complete_company(company: Company) -> tuple[Company, list[str]]:
    """Fill what the checker must assume, and say so. A duty that depends on an assumed fact is
    never a violation (issue 18): an unknown size is checked only for the programs every size
    owes (those of a micro business, domain reference section 2), so JHT and JP are not charged on
    a guess; an unknown JKK risk class is the lowest. Estimated amounts are then a minimum."""
    assumed = []
    if company.size is None:
        company = replace(company, size="micro", sources={**company.sources, "size": "assumed"})
        assumed.append("size")
    if company.jkk_risk is None:
        company = replace(company, jkk_risk="very-low", sources={**company.sources, "jkk_risk": "assumed"})
        assumed.append("jkk_risk")
    return company, assumed


def check(payroll: Payroll, company: Company, period: Period, rule_set: RuleSet,
          registry: Registry | None = None) -> Report:
    company, assumed = complete_company(replace(company, period=period))
    unusable = payroll.unusable_rows
    table = payroll.table.drop(index=unusable) if len(unusable) else payroll.table
    started = time.perf_counter()
    ctx = build_context(table, company, period, rule_set.parameters, registry.table if registry else None)
    rates = rates_for(rule_set.parameters, ctx)
    blocks, rules, citations = [], {}, {}
    for rule in rule_set.rules:
        if not rule.in_force(period.first_day, period.last_day) or not rule.citations(period):
            continue      # a rule applies only while it is in force and rests on a regulation in force
        rules[rule.id] = replace(rule, tests=())     # the report carries no test cases (it pickles to workers)
        mask = rows_where(rule.when, ctx, rule_set.parameters)
        rows = ctx.frame[mask]
        parts, totals = shortfall(rule.shortfall, rows, rates)
        # no wage: the amount is unknown, never Rp 0 (issue 18)
        unknown = rows["actual_wage"].isna().to_numpy() if rule.shortfall != "none" else None
        unknown = unknown if unknown is not None and unknown.any() else None
        variant = None
        if rule.message_variants and len(rows):
            variant = np.full(len(rows), -1)
            for k in range(len(rule.message_variants) - 1, -1, -1):
                holds = rows_where(rule.message_variants[k][0], ctx, rule_set.parameters)[mask]
                variant[holds] = k
        blocks.append(FindingBlock(rule.id, rows[list(rule.uses)], parts, totals, variant, unknown))
        # a citation with a condition is cited only when one of the rule's findings is of its type;
        # the employer's findings decide where there are any (the vendor's are the vendor's duty)
        cited = mask & ~ctx.frame["vendor_duty"].to_numpy(dtype=bool)
        cited = cited if cited.any() else mask
        citations[rule.id] = tuple(c for c in rule.citations(period)
                                   if c.when is None or (cited & rows_where(c.when, ctx, rule_set.parameters)).any())
    rule_seconds = time.perf_counter() - started
    used = {**ctx.parameters_used, **rates.used}
    f = ctx.frame
    employed = f["employed_in_period"]
    workers, participants = int(employed.sum()), int((employed & f["participant"]).sum())
    # a finding is charged to whoever the law makes responsible: an outsourced worker is the
    # vendor's duty (domain 1.4), listed to the client but not the client's violation
    own = vendor = own_amount = vendor_amount = own_unknown = 0
    for b in blocks:
        if rules[b.rule_id].severity == "violation":
            duty = b.rows["vendor_duty"].to_numpy(dtype=bool)
            if b.unknown is not None:
                own_unknown += int((b.unknown & ~duty).sum())
            own += int((~duty).sum())
            vendor += int(duty.sum())
            own_amount += int(b.totals[~duty].sum())
            vendor_amount += int(b.totals[duty].sum())
    totals = Totals(
        workers=workers, participants=participants,
        unregistered=sum(len(b.rows) for b in blocks if rules[b.rule_id].counts_as == "unregistered"),
        coverage_pct=round(100 * participants / workers, 2) if workers else None,
        monthly_shortfall_idr=own_amount, rows_with_issues=payroll.rows_with_issues, rows_checked=int(len(f)),
        violations=own, vendor_violations=vendor, vendor_shortfall_idr=vendor_amount, shortfall_unknown=own_unknown)
    assumptions = [a for a in payroll.assumptions if registry is None or not
                   (isinstance(a, dict) and a.get("code") in _PAYROLL_PROGRAM_NOTICES)] + ctx.notes
    unknown_months = f["foreign_months_unknown"] & employed & ~f["participant"]
    if unknown_months.any():
        assumptions.append(notice("foreign-months-unknown", rows=[int(r) for r in f.index[unknown_months][:20]]))
    # a participant whose program cells are blank: unknown, not "not enrolled" (said, not charged)
    has_programs = registry is not None or not any(isinstance(a, dict) and a.get("code") == "no-program-columns"
                                                   for a in payroll.assumptions)
    blank_programs = employed & f["participant"] & ~f["programs_known"]
    if has_programs and blank_programs.any():
        assumptions.append(notice("programs-unknown", rows=[int(r) for r in f.index[blank_programs][:20]],
                                  n=int(blank_programs.sum())))
    for name in sorted(used):           # past the last known value of a yearly parameter: said (issue 18)
        old = rule_set.parameters.get(name).stale(period)
        if old is not None:
            assumptions.append(notice("parameter-from-earlier-year", parameter=Term(f"param:{name}"), since=old.since.isoformat(),
                                      year=old.since.year, period=str(period)))
    unchecked = not_checked(ctx, payroll, registry, assumed, employed)
    summary = None
    if registry is not None:
        rows = registry.rows_total if registry.rows_total is not None else int(len(registry.table))
        active = (registry.active_total if registry.active_total is not None
                  else int((registry.table["status"] == "AKTIF").sum()))
        summary = RegistrySummary(registry.path, registry.sheet, rows, active, registry.issues)
    return Report(
        period=period, company=company, assumed=assumed, ruleset_version=rule_set.version, source=payroll.source,
        assumptions=assumptions, participation_source=ctx.participation_source, rules=rules,
        parameters=used, rule_parameters={r.id: _parameters_of(r, used) for r in rules.values()},
        rule_citations=citations,
        blocks=blocks, totals=totals, by_family=_by_family(blocks, rules, rule_set.families),
        compliant=own == 0 and payroll.rows_with_issues == 0, data_issues=payroll.issues,
        ignored_rows=payroll.ignored_rows, registry=summary, rule_seconds=rule_seconds, unchecked=unchecked)


# with a registry, the payroll's own program columns do not decide participation: what reading said
# about them would contradict the registry's program findings (issue 18)
_PAYROLL_PROGRAM_NOTICES = {"no-program-columns", "no-program-column"}


def not_checked(ctx, payroll: Payroll, registry: Registry | None, assumed: list[str], employed) -> list[dict]:
    """What could not be checked, and why, as notices (texts `notices:`): every face says them, and
    a confirmation letter certifies nothing they name (issue 18)."""
    f = ctx.frame
    out = []
    if registry is None:
        out.append(notice("unchecked-participation"))
        if not f["programs_known"].any():
            out.append(notice("unchecked-programs"))
        if f["reported_wage_basis"].isna().all():
            out.append(notice("unchecked-reported-wage"))
    daily = employed & f["wage_from_daily"]
    no_wage = employed & f["actual_wage"].isna() & ~daily
    if no_wage.any():
        out.append(notice("unchecked-wages", n=int(no_wage.sum())))
    if daily.any():
        out.append(notice("unchecked-daily-wages", n=int(daily.sum())))
    if "size" in assumed:
        out.append(notice("unchecked-size"))
    if "jkk_risk" in assumed:
        out.append(notice("unchecked-jkk-risk"))
    if f["minimum_wage"].isna().all():
        out.append(notice("unchecked-minimum-wage"))
    if payroll.rows_with_issues:
        out.append(notice("unchecked-rows", n=int(payroll.rows_with_issues)))
    return out


def _by_family(blocks: list[FindingBlock], rules: dict[str, Rule], families: dict) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    order = {code: i for i, code in enumerate(families)}
    for b in sorted(blocks, key=lambda b: order.get(rules[b.rule_id].family, len(order))):
        rule = rules[b.rule_id]
        fam = out.setdefault(rule.family, {"violation": 0, "warning": 0, "info": 0, "shortfall_idr": 0,
                                           "vendor_violation": 0, "vendor_shortfall_idr": 0})
        duty = b.rows["vendor_duty"].to_numpy(dtype=bool)
        if rule.severity == "violation":
            fam["violation"] += int((~duty).sum())
            fam["shortfall_idr"] += int(b.totals[~duty].sum())
            fam["vendor_violation"] += int(duty.sum())
            fam["vendor_shortfall_idr"] += int(b.totals[duty].sum())
        else:
            fam[rule.severity] += len(b.rows)
    return out


def _parameters_of(rule: Rule, used: dict) -> list[str]:
    """The dated parameters a rule's findings rest on: those it names, those its conditions
    compare with, and the rates and JP cap behind a shortfall."""
    prefixes = set(rule.parameters) | condition_params(rule.when)
    for cond, _ in rule.message_variants:
        prefixes |= condition_params(cond)
    names = {n for n in used if any(n == p or n.startswith(p + ".") for p in prefixes)}
    if rule.shortfall != "none":
        names |= {n for n in used if n.startswith("rate.") or n == "jp_wage_cap"}
    return sorted(names)

"""The heart of the product:

    check(payroll, rule_set, registry=None) -> Report

A pure function of its inputs (no global state, no I/O): the CLI, the letters and the batch audit
all call it. Rules are evaluated vectorised over the whole table.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from compliance.engine.conditions import rows_where
from compliance.engine.context import build_context
from compliance.engine.contributions import rates_for, shortfall
from compliance.engine.rules import RuleSet, load_rules
from compliance.errors import UnusableInput
from compliance.ingest.registry import Registry
from compliance.model import Company, Payroll
from compliance.report import FindingBlock, Report

__all__ = ["check", "load_rules", "complete_company"]


def complete_company(company: Company) -> tuple[Company, list[str]]:
    """Fill what the checker must assume, and say so: an unknown size is the strictest (large,
    domain reference section 2); an unknown JKK risk class is the lowest, so that estimated amounts
    owed are never overstated."""
    assumed = []
    if company.size is None:
        company = replace(company, size="large", sources={**company.sources, "size": "assumed"})
        assumed.append("size")
    if company.jkk_risk is None:
        company = replace(company, jkk_risk="very-low", sources={**company.sources, "jkk_risk": "assumed"})
        assumed.append("jkk_risk")
    return company, assumed


def check(payroll: Payroll, rule_set: RuleSet, registry: Registry | None = None) -> Report:
    company, assumed = complete_company(payroll.company)
    if company.period is None:
        raise UnusableInput(f"{payroll.source.path}: no period found (company sheet, title row); "
                            "give it with --period YYYY-MM")
    period = company.period
    unusable = payroll.unusable_rows
    table = payroll.table.drop(index=unusable) if len(unusable) else payroll.table
    started = time.perf_counter()
    ctx = build_context(table, company, period, rule_set.parameters, registry.table if registry else None)
    rates = rates_for(rule_set.parameters, ctx)
    blocks = []
    for rule in rule_set.rules:
        if not rule.in_force(period.first_day, period.last_day):
            continue
        mask = rows_where(rule.when, ctx, rule_set.parameters)
        rows = ctx.frame[mask]
        parts, totals = shortfall(rule.shortfall, rows, rates)
        variant = None
        if rule.message_variants and len(rows):
            variant = np.full(len(rows), -1)
            for k in range(len(rule.message_variants) - 1, -1, -1):
                holds = rows_where(rule.message_variants[k][0], ctx, rule_set.parameters)[mask]
                variant[holds] = k
        blocks.append(FindingBlock(rule, rows, parts, totals, variant))
    rule_seconds = time.perf_counter() - started
    f = ctx.frame
    employed = f["employed_in_period"]
    return Report(
        payroll=payroll, company=company, assumed=assumed, period=period, ruleset_version=rule_set.version,
        blocks=blocks, workers=int(employed.sum()), participants=int((employed & f["participant"]).sum()),
        participation_source=ctx.participation_source, parameters_used={**ctx.parameters_used, **rates.used},
        rows_checked=int(len(f)), rule_seconds=rule_seconds, registry=registry)

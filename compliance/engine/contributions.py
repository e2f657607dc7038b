"""Contribution shortfalls, in exact integer arithmetic.

Contributions are monthly, on the monthly wage, with no pro-rating. A wage is held in sen
(1/100 rupiah) and a rate in hundredths of a percent (0.24 % -> 24), so wage x rate is an exact
integer in units of 1e-6 rupiah; a finding's total is rounded once, half up, to whole rupiah.
JP is always computed on the wage capped by the JP wage cap in force.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compliance.engine.context import Context
from compliance.model import CHECKED_PROGRAMS, Parameters, Value

UNITS_PER_RUPIAH = 1_000_000     # sen (100) x hundredths of a percent (10_000)


def to_sen(wage: pd.Series) -> np.ndarray:
    return np.round(wage.fillna(0).to_numpy(dtype="float64") * 100).astype(np.int64)


def rate_hp(value) -> int:
    """A percentage from the parameter files in hundredths of a percent (0.24 -> 24), exactly."""
    hp = round(float(value) * 100)
    if abs(hp - float(value) * 100) > 1e-6:
        raise ValueError(f"rate {value} has more than two decimals")
    return hp


@dataclass
class Rates:
    employer: dict[str, int]
    worker: dict[str, int]
    jp_cap_sen: int
    used: dict[str, Value]


def rates_for(params: Parameters, ctx: Context) -> Rates:
    period, risk = ctx.period, ctx.company.jkk_risk
    used: dict[str, Value] = {}

    def get(name):
        v = params.at(name, period)
        used[name] = v
        return v.value

    employer = {"jkk": rate_hp(get(f"rate.jkk.{risk}.employer")), "jkm": rate_hp(get("rate.jkm.employer")),
                "jht": rate_hp(get("rate.jht.employer")), "jp": rate_hp(get("rate.jp.employer"))}
    worker = {"jkk": rate_hp(get("rate.jkk.worker")), "jkm": rate_hp(get("rate.jkm.worker")),
              "jht": rate_hp(get("rate.jht.worker")), "jp": rate_hp(get("rate.jp.worker"))}
    cap = int(round(float(get("jp_wage_cap")) * 100))
    return Rates(employer, worker, cap, used)


def shortfall(method: str, f: pd.DataFrame, rates: Rates) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per program, employer and worker shortfall in units (1e-6 rupiah), and the finding total
    in whole rupiah (rounded half up once). `f` holds only the rows of the findings."""
    n = len(f)
    zero = np.zeros(n, dtype=np.int64)
    parts: dict[str, np.ndarray] = {}
    if method == "none":
        return parts, zero
    actual = to_sen(f["actual_wage"])
    capped_actual = np.minimum(actual, rates.jp_cap_sen)
    if method == "unregistered":
        wages = {p: (capped_actual if p == "jp" else actual) for p in CHECKED_PROGRAMS}
        applies = {p: f[f"required_{p}"].to_numpy(dtype=bool) for p in CHECKED_PROGRAMS}
    elif method == "underreported":
        reported = to_sen(f["reported_wage_basis"])
        capped_reported = np.minimum(reported, rates.jp_cap_sen)
        wages = {p: (capped_actual - capped_reported if p == "jp" else actual - reported) for p in CHECKED_PROGRAMS}
        # the programs the worker pays on the reported wage: required and enrolled (or not known)
        applies = {p: f[f"required_{p}"].to_numpy(dtype=bool) &
                   f[f"enrolled_{p}"].astype("boolean").fillna(True).to_numpy(dtype=bool) for p in CHECKED_PROGRAMS}
    elif method == "missing_programs":
        wages = {p: (capped_actual if p == "jp" else actual) for p in CHECKED_PROGRAMS}
        applies = {p: f[f"missing_{p}"].to_numpy(dtype=bool) for p in CHECKED_PROGRAMS}
    else:
        raise ValueError(method)
    total = zero.copy()
    for p in CHECKED_PROGRAMS:
        base = np.where(applies[p], np.maximum(wages[p], 0), 0)
        parts[f"{p}.employer"] = base * rates.employer[p]
        parts[f"{p}.worker"] = base * rates.worker[p]
        total += parts[f"{p}.employer"] + parts[f"{p}.worker"]
    return parts, (total + UNITS_PER_RUPIAH // 2) // UNITS_PER_RUPIAH

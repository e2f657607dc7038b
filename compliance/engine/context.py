"""The fields rules can read: the canonical payroll columns plus values derived for the period,
the company and the registry. Built once per check, vectorised over the whole table."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compliance.errors import RuleFileError
from compliance.model import CHECKED_PROGRAMS, Company, Parameters, Period, Value, normalize

# values a message template may use besides the context fields
MESSAGE_EXTRAS = {"employment_type_label", "period", "missing_programs", "shortfall", "company_name",
                  "pension_age", "min_months"}

FIELDS = {
    # canonical columns
    "nik": "national ID", "name": "name", "employment_type": "canonical worker type (regular employee when absent)",
    "start_date": "first day of work", "end_date": "last day of work", "birth_date": "date of birth",
    "base_wage": "basic wage", "fixed_allowance": "fixed allowances", "reported_wage": "wage reported (payroll)",
    "kpj": "participant number (payroll)", "vendor": "outsourcing vendor", "is_foreign": "not an Indonesian citizen",
    "days_worked": "days worked in the month", "days_worked_prev1": "days worked the month before",
    "days_worked_prev2": "days worked two months before",
    # derived
    "employed_in_period": "started on or before the period's last day and not ended before its first day",
    "participant": "a BPJS Ketenagakerjaan participant (registry AKTIF entry, or a KPJ in the payroll)",
    "registered_elsewhere": "the AKTIF registry entry is under another company's NPP",
    "registered_npp": "NPP of the AKTIF registry entry",
    "actual_wage": "basic wage plus fixed allowances (domain 4.1)",
    "reported_wage_basis": "wage reported to BPJS: the registry's wage with a registry, else the payroll's",
    "wage_difference": "actual wage minus reported wage",
    "age": "age in completed years on the first day of the period",
    "at_or_past_pension_age": "age at or past the JP pension age in force",
    "months_worked": "completed months from the start date to the period's last day",
    "foreign_not_yet_covered": "a foreign worker with fewer months than the minimum (domain 1.2)",
    "outsourced": "employment type outsourced", "intern": "employment type intern",
    "daily": "employment type daily (harian lepas)",
    "programs_known": "the payroll or registry says which programs the worker is in",
    "missing_any": "a participant not enrolled in a required program",
    "minimum_wage": "the minimum wage of the company's province in force (UMP)",
    **{f"required_{p}": f"{p.upper()} is required for this worker" for p in CHECKED_PROGRAMS},
    **{f"enrolled_{p}": f"enrolled in {p.upper()}" for p in CHECKED_PROGRAMS},
    **{f"missing_{p}": f"a participant not enrolled in the required {p.upper()}" for p in CHECKED_PROGRAMS},
}


@dataclass
class Context:
    frame: pd.DataFrame
    period: Period
    company: Company
    parameters_used: dict[str, Value] = field(default_factory=dict)
    participation_source: str = "payroll"


def province_key(province: str | None) -> str | None:
    if not province:
        return None
    key = normalize(province)
    aliases = {"jakarta": "dkijakarta", "yogyakarta": "diyogyakarta", "diy": "diyogyakarta", "dki": "dkijakarta",
               "babel": "bangkabelitung", "kepri": "kepulauanriau", "sumbar": "sumaterabarat",
               "sumsel": "sumateraselatan", "jabar": "jawabarat", "jateng": "jawatengah", "jatim": "jawatimur",
               "sulsel": "sulawesiselatan", "kepulauanbangkabelitung": "bangkabelitung"}
    return aliases.get(key, key)


def build_context(table: pd.DataFrame, company: Company, period: Period, params: Parameters,
                  registry: pd.DataFrame | None = None) -> Context:
    f = pd.DataFrame(index=table.index)
    used: dict[str, Value] = {}
    for col in ("nik", "name", "start_date", "end_date", "birth_date", "base_wage", "fixed_allowance",
                "reported_wage", "kpj", "vendor", "days_worked", "days_worked_prev1", "days_worked_prev2"):
        f[col] = table[col]
    f["employment_type"] = table["employment_type"].where(table["employment_type"].notna(), "permanent")
    f["is_foreign"] = table["is_foreign"].fillna(False).astype(bool)
    first, last = pd.Timestamp(period.first_day), pd.Timestamp(period.last_day)
    f["employed_in_period"] = ((f["start_date"].isna() | (f["start_date"] <= last)) &
                               (f["end_date"].isna() | (f["end_date"] >= first)))
    f["actual_wage"] = f["base_wage"].fillna(0) + f["fixed_allowance"].fillna(0)
    f.loc[f["base_wage"].isna() & f["fixed_allowance"].isna(), "actual_wage"] = np.nan

    # participation and the reported wage: the registry decides when there is one
    enrolled = {p: table[p].astype("boolean") for p in CHECKED_PROGRAMS}
    if registry is not None:
        match = match_registry(table, registry, company.npp)
        f["participant"] = match["participant"].to_numpy()
        f["registered_npp"] = match["npp"].to_numpy()
        f["registered_elsewhere"] = (match["participant"] & match["elsewhere"]).to_numpy()
        f["reported_wage_basis"] = match["wage"].to_numpy(dtype="float64")
        for p in CHECKED_PROGRAMS:
            reg = match[p].astype("boolean")
            enrolled[p] = reg.where(match["participant"], pd.NA).set_axis(table.index)
        source = "registry"
    else:
        f["participant"] = table["kpj"].notna().to_numpy()
        f["registered_npp"] = None
        f["registered_elsewhere"] = False
        f["reported_wage_basis"] = table["reported_wage"]
        source = "payroll"
    f["participant"] = f["participant"].astype(bool)
    f["registered_elsewhere"] = f["registered_elsewhere"].astype(bool)
    f["wage_difference"] = f["actual_wage"] - f["reported_wage_basis"]

    # age and pension age
    born = f["birth_date"]
    years = first.year - born.dt.year - ((born.dt.month > first.month) |
                                         ((born.dt.month == first.month) & (born.dt.day > first.day))).astype(int)
    f["age"] = years.astype("float64")
    pension = params.at("jp_pension_age", period)
    used["jp_pension_age"] = pension
    f["at_or_past_pension_age"] = (f["age"] >= pension.value).fillna(False).astype(bool)

    start = f["start_date"]
    months = (last.year - start.dt.year) * 12 + (last.month - start.dt.month) - (start.dt.day > last.day).astype(int)
    f["months_worked"] = months.astype("float64")
    min_months = params.at("foreign_worker_min_months", period)
    used["foreign_worker_min_months"] = min_months
    f["foreign_not_yet_covered"] = (f["is_foreign"] & (f["months_worked"] < min_months.value)).fillna(False)
    f["foreign_not_yet_covered"] = f["foreign_not_yet_covered"].astype(bool)
    f["outsourced"] = f["employment_type"] == "outsourced"
    f["intern"] = f["employment_type"] == "intern"
    f["daily"] = f["employment_type"] == "daily"

    # required programs: by company size, interns JKK and JKM only, no JP at or past pension age
    size_programs = params.at(f"programs.size.{company.size}", period)
    intern_programs = params.at("programs.worker.intern", period)
    used[f"programs.size.{company.size}"] = size_programs
    used["programs.worker.intern"] = intern_programs
    for p in CHECKED_PROGRAMS:
        req = pd.Series(p in size_programs.value, index=f.index)
        req = req.where(~f["intern"], p in intern_programs.value)
        if p == "jp":
            req &= ~f["at_or_past_pension_age"]
        f[f"required_{p}"] = req.astype(bool)
    known = pd.concat([enrolled[p].notna() for p in CHECKED_PROGRAMS], axis=1).any(axis=1)
    f["programs_known"] = known.to_numpy()
    for p in CHECKED_PROGRAMS:
        f[f"enrolled_{p}"] = enrolled[p].to_numpy()
        missing = f["participant"] & f[f"required_{p}"] & f["programs_known"] & ~enrolled[p].fillna(False).to_numpy()
        f[f"missing_{p}"] = missing.astype(bool)
    f["missing_any"] = f[[f"missing_{p}" for p in CHECKED_PROGRAMS]].any(axis=1)

    key = province_key(company.province)
    ump_name = next((n for n in params.names() if n.startswith("ump.") and normalize(n[4:]) == key), None)
    if ump_name:
        try:
            ump = params.at(ump_name, period)
            used[ump_name] = ump
            f["minimum_wage"] = float(ump.value)
        except RuleFileError:   # no value in force for that period: no minimum-wage check
            f["minimum_wage"] = np.nan
    else:
        f["minimum_wage"] = np.nan
    return Context(f, period, company, used, source)


def match_registry(table: pd.DataFrame, registry: pd.DataFrame, npp: str | None) -> pd.DataFrame:
    """For each payroll row, the AKTIF registry entry that makes the worker a participant: by NIK,
    else by KPJ. A person may have several entries (old NONAKTIF beside a current AKTIF one); an
    entry under the company's own NPP is preferred to one elsewhere."""
    active = registry[registry["status"] == "AKTIF"].copy()
    active["own"] = (active["npp"] == npp) if npp else True
    active = active.sort_values("own", ascending=False, kind="stable")
    cols = ["npp", "wage", "own"] + list(CHECKED_PROGRAMS)
    by_nik = active.dropna(subset=["nik"]).drop_duplicates("nik").set_index("nik")[cols]
    by_kpj = active.dropna(subset=["kpj"]).drop_duplicates("kpj").set_index("kpj")[cols]
    out = by_nik.reindex(table["nik"].to_numpy())
    out.index = table.index
    via_kpj = by_kpj.reindex(table["kpj"].to_numpy())
    via_kpj.index = table.index
    by_kpj_rows = out["own"].isna().to_numpy()
    out = out.astype(object)
    out.loc[by_kpj_rows] = via_kpj.astype(object).loc[by_kpj_rows]
    out["participant"] = (out["own"].notna()).to_numpy()
    out["elsewhere"] = (out["own"] == False).fillna(False).astype(bool)   # noqa: E712 - elementwise
    return out

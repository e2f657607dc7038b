"""The fields rules can read: the canonical payroll columns plus values derived for the period,
the company and the registry. Built once per check, vectorised over the whole table."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from compliance.errors import RuleFileError, Term
from compliance.texts import notice
from compliance.model import CHECKED_PROGRAMS, Company, Parameters, Period, Value, normalize, person_key

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
    "participant": "a participant of this employer: AKTIF in the registry under its NPP (an outsourced worker: "
                   "under any other NPP, presumably the vendor's), or a KPJ in the payroll without a registry",
    "registered_elsewhere": "AKTIF in the registry only under another company's NPP",
    "registered_npp": "NPP of the AKTIF registry entry",
    "registered_kpj": "KPJ of the AKTIF registry entry",
    "npp_unknown_entry": "the company's NPP is unknown and the worker is AKTIF under some NPP: perhaps its own",
    "registry_match": "how the worker was found in the registry: nik, kpj or name_birth_date (a weaker match)",
    "vendor_npp": "the NPP of the worker's outsourcing vendor, from the companies list or --vendor-npp",
    "registered_not_with_vendor": "an outsourced worker AKTIF only under an NPP that is not their vendor's known NPP",
    "vendor_duty": "an outsourced worker: registering them, their wages and programs are the vendor's duty (1.4)",
    "new_worker": "started fewer days before the period's last day than the registration time allowed",
    "register_by": "the date by which a new worker is to be registered",
    "actual_wage": "basic wage plus fixed allowances (domain 4.1)",
    "wage_unknown": "no monthly wage known (none given, or only a daily rate): any amount owed is unknown",
    "daily_wage": "wage per day (payroll)",
    "daily_rate": "the daily rate: the Upah Harian column, or a daily worker's base wage below daily_rate_share of "
                  "the minimum wage",
    "wage_from_daily": "the only wage known is a daily rate (its monthly conversion is UNCONFIRMED, domain 4.3)",
    "monthly_from_daily": "the daily rate x daily_wage_days (domain 4.3, UNCONFIRMED)",
    "reported_wage_basis": "wage reported to BPJS: the registry's wage with a registry, else the payroll's",
    "wage_difference": "actual wage minus reported wage",
    "age": "age in completed years on the first day of the period",
    "at_or_past_pension_age": "reached the JP pension age in force when they reached it, at any date up to the "
                              "period's end (once reached, a later step up does not bring them back)",
    "jp_too_late": "hired later than one month before reaching the JP pension age",
    "months_worked": "completed months from the start date to the period's last day",
    "foreign_not_yet_covered": "a foreign worker with fewer months than the minimum (domain 1.2)",
    "foreign_months_unknown": "a foreign worker without a start date: months worked unknown",
    "outsourced": "employment type outsourced", "intern": "employment type intern",
    "vendor_named": "the payroll names the worker's outsourcing vendor",
    "must_register": "the law makes this worker a participant in the period: not an intern before the interns' "
                     "basis (programs.worker.intern) was in force",
    "daily": "employment type daily (harian lepas)",
    "programs_known": "the payroll or registry says which programs the worker is in",
    "missing_any": "a participant not enrolled in a required program",
    "size_assumed": "the company's size is not known (assumed the smallest for the check)",
    "programs_if_larger": "with the size unknown: the programs a larger size requires that the participant is known "
                          "not to be in (JHT, JP)",
    "missing_if_larger": "with the size unknown: a participant known not to be in a program a larger size requires",
    "minimum_wage": "the minimum wage in force for the period's calendar year: the UMK of the company's regency "
                    "where one is set, else the UMP",
    "minimum_wage_kind": "UMK or UMP",
    **{f"required_{p}": f"{p.upper()} is required for this worker" for p in CHECKED_PROGRAMS},
    **{f"enrolled_{p}": f"enrolled in {p.upper()} (unknown when no column or registry says)" for p in CHECKED_PROGRAMS},
    **{f"missing_{p}": f"a participant known not to be enrolled in the required {p.upper()}" for p in CHECKED_PROGRAMS},
}
# parameters the engine and the letters read (rules read theirs through conditions and `parameters:`)
# read by the engine, the letters (warning_max_working_days) and the audit's summary (coverage_target)
ENGINE_PARAMETERS = ("rate.", "jp_wage_cap", "jp_pension_age", "foreign_worker_min_months", "programs.", "ump.",
                     "umk.", "new_worker_days", "daily_wage_days", "daily_rate_share", "daily_rate_below", "warning_max_working_days", "coverage_target", "sanction.")


@dataclass
class Context:
    frame: pd.DataFrame
    period: Period
    company: Company
    parameters_used: dict[str, Value] = field(default_factory=dict)
    participation_source: str = "payroll"
    notes: list[str] = field(default_factory=list)


def province_key(province: str | None) -> str | None:
    if not province:
        return None
    key = normalize(province)
    aliases = {"jakarta": "dkijakarta", "yogyakarta": "diyogyakarta", "diy": "diyogyakarta", "dki": "dkijakarta",
               "babel": "bangkabelitung", "kepri": "kepulauanriau", "sumbar": "sumaterabarat",
               "sumsel": "sumateraselatan", "jabar": "jawabarat", "jateng": "jawatengah", "jatim": "jawatimur",
               "sulsel": "sulawesiselatan", "kepulauanbangkabelitung": "bangkabelitung"}
    return aliases.get(key, key)


def regency_key(regency: str | None) -> str | None:
    """A regency or city name as a key: `Kota Bengkulu` and `Kabupaten Mukomuko` / `Kab. Mukomuko` /
    `Mukomuko` are told apart only by `kota`."""
    if not regency:
        return None
    key = normalize(regency)
    for prefix in ("kabupaten", "kab"):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def build_context(table: pd.DataFrame, company: Company, period: Period, params: Parameters,
                  registry: pd.DataFrame | None = None) -> Context:
    f = pd.DataFrame(index=table.index)
    used: dict[str, Value] = {}
    notes: list[str] = []

    def param(name: str) -> Value:
        v = params.at(name, period)
        used[name] = v
        return v

    for col in ("nik", "name", "start_date", "end_date", "birth_date", "base_wage", "fixed_allowance",
                "reported_wage", "daily_wage", "kpj", "vendor", "days_worked", "days_worked_prev1", "days_worked_prev2"):
        f[col] = table[col]
    f["employment_type"] = table["employment_type"].where(table["employment_type"].notna(), "permanent")
    f["is_foreign"] = table["is_foreign"].fillna(False).astype(bool)
    first, last = pd.Timestamp(period.first_day), pd.Timestamp(period.last_day)
    f["employed_in_period"] = ((f["start_date"].isna() | (f["start_date"] <= last)) &
                               (f["end_date"].isna() | (f["end_date"] >= first)))
    f["actual_wage"] = f["base_wage"].fillna(0) + f["fixed_allowance"].fillna(0)
    f.loc[f["base_wage"].isna() & f["fixed_allowance"].isna(), "actual_wage"] = np.nan
    f["outsourced"] = f["employment_type"] == "outsourced"
    f["intern"] = f["employment_type"] == "intern"
    f["daily"] = f["employment_type"] == "daily"
    f["vendor_duty"] = f["outsourced"]
    f["vendor_named"] = f["vendor"].notna()
    wage, kind, note = minimum_wage(params, company, period, used)
    f["minimum_wage"] = wage
    f["minimum_wage_kind"] = kind
    if note:
        notes.append(note)
    _daily_wages(f, table, params, period, used)
    f["wage_unknown"] = f["actual_wage"].isna()

    # participation and the reported wage: the registry decides when there is one
    enrolled = {p: table[p].astype("boolean") for p in CHECKED_PROGRAMS}
    if registry is not None:
        match = match_registry(table, registry, company.npp)
        if not company.npp:
            notes.append(notice("registry-without-npp"))
        active = match["participant"].to_numpy(dtype=bool)
        elsewhere = match["elsewhere"].to_numpy(dtype=bool) & active
        # AKTIF only under another employer's NPP is not this employer's participant (1.13-1.14),
        # except an outsourced worker, presumably under their vendor's NPP (1.4)
        f["participant"] = active & (~elsewhere | f["outsourced"].to_numpy())
        f["registered_elsewhere"] = elsewhere
        # the company's NPP unknown: an AKTIF entry may be its own; never charged as unregistered
        f["npp_unknown_entry"] = elsewhere & ~f["outsourced"].to_numpy() & (not company.npp)
        # an outsourced worker AKTIF under an NPP that is not their listed vendor's (issue 18)
        known = dict(company.vendor_npps)
        by_name = {v: known.get(normalize(v)) for v in f["vendor"].dropna().unique()} if known else {}
        vendor_npp = f["vendor"].map(by_name) if by_name else pd.Series(None, index=f.index, dtype=object)
        f["vendor_npp"] = vendor_npp.to_numpy(dtype=object)
        f["registered_not_with_vendor"] = (elsewhere & f["outsourced"].to_numpy() & vendor_npp.notna().to_numpy() &
                                           (match["npp"].to_numpy(dtype=object) != vendor_npp.to_numpy(dtype=object)))
        f["registered_npp"] = match["npp"].where(match["participant"], None).to_numpy(dtype=object)
        f["registered_kpj"] = match["kpj"].where(match["participant"], None).to_numpy(dtype=object)
        f["reported_wage_basis"] = np.where(f["participant"], match["wage"].to_numpy(dtype="float64"), np.nan)
        f["registry_match"] = match["matched_by"].to_numpy(dtype=object)
        weak = table.index[(match["matched_by"] == "name_birth_date").to_numpy()]
        if len(weak):
            notes.append(notice("registry-matched-by-name", rows=[int(r) for r in weak[:20]], n=len(weak)))
        for p in CHECKED_PROGRAMS:
            reg = match[p].astype("boolean")
            enrolled[p] = reg.where(pd.Series(f["participant"].to_numpy(), index=reg.index), pd.NA) \
                .set_axis(table.index)
        source = "registry"
    else:
        f["participant"] = table["kpj"].notna().to_numpy()
        f["registered_npp"] = None
        f["registered_kpj"] = None
        f["registry_match"] = None
        f["registered_elsewhere"] = False
        f["npp_unknown_entry"] = False
        f["vendor_npp"] = None
        f["registered_not_with_vendor"] = False
        f["reported_wage_basis"] = table["reported_wage"]
        source = "payroll"
    f["participant"] = f["participant"].astype(bool)
    f["registered_elsewhere"] = f["registered_elsewhere"].astype(bool)
    f["registered_not_with_vendor"] = f["registered_not_with_vendor"].astype(bool)
    f["npp_unknown_entry"] = f["npp_unknown_entry"].astype(bool)
    f["wage_difference"] = f["actual_wage"] - f["reported_wage_basis"]

    # a new worker has time to be registered (domain 1.9, 1.12: a tool setting, 30 days)
    grace = int(param("new_worker_days").value)
    start = f["start_date"]
    # the 30 days end on or after the period's last day: not yet late (start 31 May, June: not late)
    f["new_worker"] = (start.notna() & (start >= last - pd.Timedelta(days=grace)) & (start <= last)).astype(bool)
    f["register_by"] = start + pd.Timedelta(days=grace)

    # age, and the JP pension age: once reached (at the age then in force) it stays reached
    born = f["birth_date"]
    years = first.year - born.dt.year - ((born.dt.month > first.month) |
                                         ((born.dt.month == first.month) & (born.dt.day > first.day))).astype(int)
    f["age"] = years.astype("float64")
    pension = params.get("jp_pension_age")
    used["jp_pension_age"] = pension.at(period)
    # the day each worker actually reaches the pension age: the first day on which their age is at
    # least the age then in force (the age steps up by year, so a birthday may fall under a later,
    # higher step); once reached it stays reached
    reaches = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    steps = list(pension.values)
    for k, step in enumerate(steps):
        since = pd.Timestamp(step.since)
        until = pd.Timestamp(steps[k + 1].since) - pd.Timedelta(days=1) if k + 1 < len(steps) else pd.Timestamp.max
        turns = _plus_years(born, int(step.value))
        day = turns.where(turns.isna() | (turns > since), since)
        day = day.where(day <= until)
        reaches = reaches.where(reaches.notna() | day.isna(), day)
    f["at_or_past_pension_age"] = (reaches <= last).fillna(False).astype(bool)
    # JP is not owed by a worker hired later than one month before the day they reach it (domain 5)
    f["jp_too_late"] = (start > reaches - pd.DateOffset(months=1)).fillna(False).astype(bool)

    months = (last.year - start.dt.year) * 12 + (last.month - start.dt.month) - (start.dt.day > last.day).astype(int)
    f["months_worked"] = months.astype("float64")
    min_months = param("foreign_worker_min_months")
    f["foreign_not_yet_covered"] = (f["is_foreign"] & (f["months_worked"] < min_months.value)).fillna(False)
    f["foreign_not_yet_covered"] = f["foreign_not_yet_covered"].astype(bool)
    f["foreign_months_unknown"] = (f["is_foreign"] & f["start_date"].isna()).astype(bool)

    # required programs: by company size; interns JKK and JKM only; no JP at or past pension age,
    # for a worker hired too close to it, or for a foreigner (1.11)
    size_programs = param(f"programs.size.{company.size}")
    # interns: only from the date their basis was in force (issue 18; before it, no duty is known)
    interns_basis = params.get("programs.worker.intern").values[0].since <= period.last_day
    intern_programs = param("programs.worker.intern").value if interns_basis else []
    f["must_register"] = ~f["intern"] | interns_basis
    for p in CHECKED_PROGRAMS:
        req = pd.Series(p in size_programs.value, index=f.index)
        req = req.where(~f["intern"], p in intern_programs)
        if p == "jp":
            req &= ~(f["at_or_past_pension_age"] | f["jp_too_late"] | f["is_foreign"])
        f[f"required_{p}"] = req.astype(bool)
    known = pd.concat([enrolled[p].notna() for p in CHECKED_PROGRAMS], axis=1).any(axis=1)
    f["programs_known"] = known.to_numpy()
    for p in CHECKED_PROGRAMS:
        f[f"enrolled_{p}"] = enrolled[p].to_numpy()
        # unknown is not "no": only a program known not to be enrolled is missing
        known_not = (enrolled[p] == False).fillna(False).to_numpy(dtype=bool)   # noqa: E712 - elementwise
        f[f"missing_{p}"] = (f["participant"] & f[f"required_{p}"] & ~f["new_worker"] & known_not).astype(bool)
    f["missing_any"] = f[[f"missing_{p}" for p in CHECKED_PROGRAMS]].any(axis=1)

    # the size unknown: a program only a larger size requires is a warning asking for the size,
    # never a violation on a guess (issue 18)
    f["size_assumed"] = company.sources.get("size") == "assumed"
    named = pd.Series("", index=f.index, dtype=object)
    if company.sources.get("size") == "assumed":
        most = param("programs.size.large").value
        for p in CHECKED_PROGRAMS:
            if p in size_programs.value or p not in most:
                continue
            could = f["participant"] & ~f["intern"] & ~f["new_worker"] & (enrolled[p] == False).fillna(False).to_numpy(dtype=bool)   # noqa: E712
            if p == "jp":
                could &= ~(f["at_or_past_pension_age"] | f["jp_too_late"] | f["is_foreign"])
            named = named.where(~could, named + np.where(named == "", "", ", ") + p.upper())
    f["programs_if_larger"] = named
    f["missing_if_larger"] = (named != "").to_numpy(dtype=bool)

    return Context(f, period, company, used, source, notes)


def _daily_wages(f: pd.DataFrame, table: pd.DataFrame, params: Parameters, period: Period, used: dict) -> None:
    """A daily rate is not a monthly wage (issue 18). It is one where the payroll says so (an Upah
    Harian column) or where a daily worker's base wage is below a share of the minimum wage
    (daily_rate_share, a tool setting). The conversion (x 25) is UNCONFIRMED: such a worker's monthly wage, and so any
    amount owed, is unknown to the violations; a warning states the conversion."""
    days = None
    try:
        days = params.at("daily_wage_days", period)
        used["daily_wage_days"] = days
    except RuleFileError:
        pass
    looks_daily = f["daily"] & f["base_wage"].notna() & (f["fixed_allowance"].isna() | (f["fixed_allowance"] == 0))
    share, floor = params.at("daily_rate_share", period), params.at("daily_rate_below", period)
    used["daily_rate_share"], used["daily_rate_below"] = share, floor
    # below a share of the minimum wage, or of a fixed floor where no minimum wage is known: not a month's pay
    threshold = (f["minimum_wage"] * float(share.value)).fillna(float(floor.value))
    looks_daily &= f["base_wage"] < threshold
    rate = table["daily_wage"].where(table["daily_wage"].notna(), f["base_wage"].where(looks_daily))
    f["daily_rate"] = rate
    f["wage_from_daily"] = (rate.notna() & (looks_daily | f["base_wage"].isna())).astype(bool)
    f["monthly_from_daily"] = rate * float(days.value) if days is not None else np.nan
    f.loc[f["wage_from_daily"], "actual_wage"] = np.nan


def _plus_years(dates: pd.Series, years: int) -> pd.Series:
    """Each date plus whole years (29 February becomes 28 February)."""
    return pd.to_datetime({"year": dates.dt.year + years, "month": dates.dt.month,
                           "day": dates.dt.day.where(~((dates.dt.month == 2) & (dates.dt.day == 29)), 28)},
                          errors="coerce")


def minimum_wage(params: Parameters, company: Company, period: Period, used: dict) -> tuple[float, str | None,
                                                                                           str | None]:
    """The minimum wage in force for the period: the UMK of the company's regency where one is
    set, else the UMP of its province. A value holds for its calendar year only (domain 10)."""
    province = province_key(company.province)
    regency = regency_key(getattr(company, "regency", None))
    known = {regency_key(n.split(".", 2)[2]): params.get(n).description for n in params.names() if n.startswith("umk.")}
    if regency and regency not in known:
        # a misspelt or unknown regency is said, with the closest known ones, never silently dropped
        import difflib

        close = difflib.get_close_matches(regency, list(known), n=3, cutoff=0.6)
        names = [str(known[k]).replace("UMK ", "").split(" (")[0] for k in close]
        wage, kind, note = minimum_wage(params, replace(company, regency=None), period, used)
        return wage, kind, notice("regency-unknown", regency=company.regency, closest=names or None,
                                  fallback=Term(f"minimum-wage:{kind}" if kind else "minimum-wage:none"))
    if not province and regency:      # a regency or city implies its province
        found = {normalize(n.split(".")[1]) for n in params.names()
                 if n.startswith("umk.") and regency_key(n.split(".", 2)[2]) == regency}
        province = found.pop() if len(found) == 1 else None
    if not province:
        return np.nan, None, None
    candidates = []
    if regency:
        candidates += [(n, "UMK") for n in params.names()
                       if n.startswith("umk.") and normalize(n.split(".")[1]) == province
                       and regency_key(n.split(".", 2)[2]) == regency]
    candidates += [(n, "UMP") for n in params.names() if n.startswith("ump.") and normalize(n[4:]) == province]
    for name, kind in candidates:
        try:
            value = params.at(name, period)
        except RuleFileError:
            continue
        if value.since.year != period.year or value.value is None:
            continue
        used[name] = value
        return float(value.value), kind, None
    if candidates:
        return np.nan, None, notice("no-minimum-wage-for-year", year=period.year, province=company.province)
    return np.nan, None, None


def match_registry(table: pd.DataFrame, registry: pd.DataFrame, npp: str | None) -> pd.DataFrame:
    """For each payroll row, the AKTIF registry entry that makes the worker a participant: by NIK,
    else by KPJ, else (without a NIK) by name and birth date (a weaker match; `matched_by` says which). A person
    may have several entries (old NONAKTIF beside a current AKTIF one); an entry under the
    company's own NPP is preferred to one elsewhere. Without the company's NPP no entry is its own
    (another employer's participant is never counted as this one's; issue 18)."""
    active = registry[registry["status"] == "AKTIF"].copy()
    active["own"] = (active["npp"] == npp) if npp else False
    active = active.sort_values("own", ascending=False, kind="stable")
    cols = ["npp", "kpj", "wage", "own"] + list(CHECKED_PROGRAMS)
    out = pd.DataFrame(np.nan, index=table.index, columns=cols).astype(object)
    matched_by = pd.Series(None, index=table.index, dtype=object)
    keys = {"nik": table["nik"], "kpj": table["kpj"]}
    # name and birth date only for a worker without a NIK: a NIK the registry lacks is not the same person
    person = person_key(table["name"], table["birth_date"]).where(table["nik"].isna(), None)
    if person.notna().any():       # the registry's keys are built only when a worker needs them
        active["person"] = person_key(active["name"], active["birth_date"])
        keys["person"] = person
    for key, values in keys.items():
        by = active.dropna(subset=[key]).drop_duplicates(key).set_index(key, drop=False)[cols]
        found = by.reindex(values.to_numpy()).astype(object)
        found.index = table.index
        rows = (matched_by.isna() & found["own"].notna()).to_numpy()
        out.loc[rows] = found.loc[rows]
        matched_by[rows] = "name_birth_date" if key == "person" else key
    out["participant"] = matched_by.notna().to_numpy()
    out["elsewhere"] = (out["own"] == False).fillna(False).astype(bool)   # noqa: E712 - elementwise
    out["matched_by"] = matched_by
    return out


"""What a worker does for one file of a batch, the same in a local process pool and on a Dask
worker: read the payroll from bytes, tie it to a company, check it, render its files, and return
plain data and bytes. Workers never write: the parent writes every file atomically, so a batch
on a remote cluster needs no shared disk, and an interrupted run leaves no half-written file.

`Shared` (rule set, registry index, companies list, options) reaches each worker process or
Dask worker once, never once per company."""
from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compliance.errors import Term, UnusableInput
from compliance.ingest.registry import RegistryIndex
from compliance.model import Company, RuleSet, normalize
from compliance.outputs.check import render_outputs
from compliance.outputs.files import safe_name
from compliance.pipeline import Checked, Needs, check_file

NPP_IN_NAME = re.compile(r"(?<!\d)(\d{8,10})(?!\d)")


@dataclass
class Shared:
    """What every file's check needs. The registry is either in memory (`registry`) or prepared
    by `prepare_registry` (`prepared`: the Parquet files' paths for a local pool, or their bytes
    for Dask workers), and indexed once per process on first use."""

    rule_set: RuleSet
    registry: RegistryIndex | None
    companies: pd.DataFrame | None          # the companies list (compliance.ingest.lists.read_companies)
    options: Company | None = None          # --period and other details given for the whole batch
    lang: str = "id"
    engine: str = "gx"
    prepared: dict | None = None            # {table, issues: path or bytes, path, sheet, digest}

    def index(self) -> RegistryIndex | None:
        if self.registry is not None or self.prepared is None:
            return self.registry
        key = self.prepared["digest"]
        if key not in _INDEXES:
            from compliance.ingest.registry import registry_from_parquet

            p = self.prepared
            table, issues = (p[k] if isinstance(p[k], bytes) else open(p[k], "rb").read() for k in ("table", "issues"))
            _INDEXES.clear()
            _INDEXES[key] = RegistryIndex(registry_from_parquet(table, issues, p["path"], p["sheet"]))
        return _INDEXES[key]


_INDEXES: dict[str, RegistryIndex] = {}     # per process: the registry indexed once


def prepare_registry(path: str, rule_set: RuleSet, folder: str) -> dict:
    """Read the registry extract in a child process and write it as Parquet into `folder`: the
    parent never holds the registry (its memory stays flat however large the branch), and each
    worker indexes it once. Returns the paths and what the summary needs (counts, NPPs)."""
    from pathlib import Path

    from compliance.ingest import read_registry
    from compliance.ingest.registry import registry_to_parquet
    from compliance.outputs.files import write_atomic

    registry = read_registry(path, rule_set)
    table, issues = registry_to_parquet(registry)
    out = {"path": registry.path, "sheet": registry.sheet, "table": str(Path(folder) / "registry.parquet"),
           "issues": str(Path(folder) / "registry-issues.parquet")}
    write_atomic(Path(out["table"]), table)
    write_atomic(Path(out["issues"]), issues)
    import hashlib

    t = registry.table
    return {**out, "digest": hashlib.sha256(table).hexdigest(), "rows": int(len(t)),
            "active": int((t["status"] == "AKTIF").sum()), "npps": sorted(set(t["npp"].dropna())),
            "issues_count": int(len(registry.issues)), "unused_columns": registry.unused_columns}


@dataclass
class Outcome:
    """One file's result: plain data and the bytes of its files."""

    key: str
    status: str                              # audited | refused | not-tied
    reason: str | None = None                # in the batch's language
    code: str | None = None                  # the reason's code (a problem's, or how a file was not tied)
    company: dict = field(default_factory=dict)
    folder: str | None = None
    summary: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    workers: bytes | None = None             # parquet: nik, kpj, name, row (workers on two payrolls)
    ghosts: list[dict] = field(default_factory=list)
    vendors: dict[str, dict] = field(default_factory=dict)
    rows: int = 0
    stats: dict = field(default_factory=dict)   # seconds, rule_seconds, peak_mb: measurement, not results


TIED_BY = ("file-name", "sheet-npp", "name-npp", "company-name", "file-npp")   # words: terms `tied:<code>`


def tie(name: str, found: Company, companies: pd.DataFrame | None) -> tuple[dict | None, str]:
    """The companies-list entry a file belongs to, and how it was tied (a code): by its file name
    in the list, by the NPP of its company sheet, by an NPP in its file name, by its company's
    name. Without a list, the file's own NPP (sheet, else file name) ties it. Not tied: (None,
    "no-npp" or "not-in-list")."""
    in_name = NPP_IN_NAME.findall(name)
    if companies is None:
        npp = found.npp or (in_name[0] if in_name else None)
        return ({"npp": npp}, "file-npp") if npp else (None, "no-npp")
    table = companies
    by_file = table[table["payroll_file"].map(lambda f: f is not None and str(f).strip().lower() == name.lower())]
    if len(by_file):
        return by_file.iloc[0].to_dict(), "file-name"
    for npp, how in ([(found.npp, "sheet-npp")] + [(n, "name-npp") for n in in_name]):
        if npp:
            hit = table[table["npp"] == npp]
            if len(hit):
                return hit.iloc[0].to_dict(), how
    if found.name:
        hit = table[table["key"] == normalize(found.name)]
        if len(hit):
            return hit.iloc[0].to_dict(), "company-name"
    return None, "not-in-list"


LISTED = ("npp", "name", "address", "size", "jkk_risk", "regency", "province")


def listed_company(entry: dict) -> Company:
    """A companies-list entry as company details (they rank above the file's own, below options)."""
    given = {k: entry.get(k) for k in LISTED if entry.get(k) is not None}
    return Company(**given, sources={k: "companies-list" for k in given})


def company_folder(company: Company) -> str:
    """NPP and a safe slug of the name: never a path separator, `..`, control or bidi character."""
    slug = safe_name(company.name or "tanpa-nama", 60).replace(" ", "-").lower()
    return safe_name(f"{company.npp or 'tanpa-npp'}-{slug}", 90)


def audit_submission(key: str, name: str, data: bytes, shared: Shared) -> Outcome:
    """Read, tie, check and render one file. Never raises for what is in the file."""
    started = time.perf_counter()
    outcome = _audited(key, name, data, shared)
    outcome.stats.update(seconds=time.perf_counter() - started, peak_mb=peak_mb())
    return outcome


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _audited(key: str, name: str, data: bytes, shared: Shared) -> Outcome:
    """check_file with the companies list: the file's own details, then its list entry, then the
    batch's options."""
    tied: dict = {}

    def listed(found: Company) -> Company | None:
        entry, how = tie(name, found, shared.companies)
        tied.update(entry=entry, how=how)
        return listed_company(entry) if entry is not None else None

    try:
        result = check_file(data, name, shared.rule_set, company=shared.options, listed=listed,
                            registry=shared.index(), engine=shared.engine)
    except UnusableInput as exc:
        return _refused(key, exc, shared)
    except Exception as exc:  # noqa: BLE001 - one hostile file or one defect must not stop the batch
        return _refused(key, UnusableInput("check-failed", kind=type(exc).__name__,
                                           reason=" ".join(str(exc).split())[:160]), shared)
    if isinstance(result, Needs):
        rows = result.payroll.source.rows_read if result.payroll is not None else 0
        if "company" in result.needs:
            problem = UnusableInput("not-tied", reason=Term(f"tied:{tied['how']}"))
            return Outcome(key, "not-tied", problem.words(shared.lang, shared.rule_set.texts, with_file=False),
                           rows=rows, code=tied["how"])
        if "period" in result.needs:
            result.problem = UnusableInput("no-period-audit")
        return _refused(key, result.problem, shared, rows)
    try:
        return _checked(key, result, tied["how"], tied["entry"], shared)
    except Exception as exc:  # noqa: BLE001 - a defect met on one file is reported and the batch goes on
        return _refused(key, UnusableInput("check-failed", kind=type(exc).__name__,
                                           reason=" ".join(str(exc).split())[:160]), shared,
                        result.payroll.source.rows_read)


def _refused(key: str, problem: UnusableInput, shared: Shared, rows: int = 0) -> Outcome:
    return Outcome(key, "refused", problem.words(shared.lang, shared.rule_set.texts, with_file=False), rows=rows,
                   code=problem.code)


def _checked(key: str, result: Checked, how: str, entry: dict, shared: Shared) -> Outcome:
    rs = shared.rule_set
    payroll, report = result.payroll, result.report
    index = shared.index()
    files, d = render_outputs(report, rs, shared.lang, {"audit": {"file": key, "tied_by": how}})
    table = payroll.table
    workers = pd.DataFrame({"nik": table["nik"].astype(object), "kpj": table["kpj"].astype(object),
                            "name": table["name"].astype(object), "row": table.index.astype("int64")})
    buf = io.BytesIO()
    workers.to_parquet(buf, index=False)
    t = d["totals"]
    duty = np.concatenate([np.zeros(0, dtype=bool)] + [b.rows["vendor_duty"].to_numpy(dtype=bool)
                                                       for b in report.blocks
                                                       if d["rules"][b.rule_id].get("counts_as") == "unregistered"])
    employed = table.drop(index=payroll.unusable_rows, errors="ignore")
    wages = (employed["base_wage"].fillna(0) + employed["fixed_allowance"].fillna(0)).sum()
    summary = {
        "company": d["company"], "period": d["period"], "file": key, "tied_by": how, "source": d["source"],
        "ruleset_version": d["ruleset_version"], "totals": t, "by_family": d["by_family"],
        "compliant": d["compliant"], "findings": len(d["findings"]), "data_issues": len(d["data_issues"]),
        "wage_total_idr": int(round(float(wages))),
        # unregistered workers, the employer's own apart from outsourced workers (the vendors' duty)
        "unregistered": int((~duty).sum()), "vendor_unregistered": int(duty.sum()),
        "listed": entry.get("key") is not None or "payroll_file" in entry,
    }
    return Outcome(key, "audited", company=d["company"], folder=company_folder(report.company), summary=summary,
                   files=files, workers=buf.getvalue(), ghosts=_ghosts(index, report.company.npp, table),
                   vendors=_vendor_rates(_vendors(d, table), result, shared), rows=payroll.source.rows_read,
                   stats={"rule_seconds": report.rule_seconds})


def _ghosts(registry: RegistryIndex | None, npp: str | None, table: pd.DataFrame) -> list[dict]:
    """AKTIF registry participants under the company's NPP on none of this payroll's rows (by NIK
    or KPJ): possible ghosts, or workers who left without being deactivated. A list, never a finding."""
    if registry is None or not npp:
        return []
    active = registry.active_under(npp)
    if not len(active):
        return []
    on_payroll = active["nik"].isin(set(table["nik"].dropna())) | active["kpj"].isin(set(table["kpj"].dropna()))
    rest = active[~on_payroll.to_numpy()]
    return [{"registry_row": int(r), "kpj": k, "nik": n, "name": m}
            for r, k, n, m in zip(rest.index, rest["kpj"], rest["nik"], rest["name"])]


def _vendor_rates(vendors: dict[str, dict], result: Checked, shared: Shared) -> dict[str, dict]:
    """A vendor's findings at its own size, JKK risk and region (issue 18): a vendor in the
    companies list has its workers on this payroll checked again with its own details; one whose
    details are unknown keeps the lowest (size: the programs every size owes; risk: the lowest
    rate), stated as a lower bound. The client's details are never the vendor's."""
    from dataclasses import replace

    from compliance import engine
    from compliance.outputs import report as contract

    if shared.companies is None:
        return vendors
    listed = shared.companies[shared.companies["vendor"]]
    by_key = {k: row for k, row in zip(listed["key"], listed.to_dict("records")) if k}
    payroll, client = result.payroll, result.report.company
    table = payroll.table
    for name, v in vendors.items():
        if not v["findings"]:
            continue
        entry = by_key.get(normalize(name)) if name else None
        own = listed_company(entry) if entry is not None else Company(name=name or None)
        vendor = replace(own, period=client.period,
                         province=own.province or (None if own.regency else client.province))
        rows = table.index[(table["employment_type"] == "outsourced") &
                           (table["vendor"].fillna("").astype(str) == name)]
        part = replace(payroll, table=table.loc[rows], issues=payroll.issues[payroll.issues["row"].isin(rows)])
        index = shared.index()
        registry = index.for_payroll(part.table) if index is not None else None
        report = engine.check(part, vendor, client.period, shared.rule_set, registry)
        d = contract.to_dict(report, shared.rule_set, shared.lang)
        v["findings"] = [f for f in d["findings"] if f["responsible"]["party"] == "vendor"
                         and f["severity"] == "violation"]
        v["rules"] = {f["rule_id"]: d["rules"][f["rule_id"]] for f in v["findings"]}
        v["company"] = {k: d["company"].get(k) for k in ("size", "jkk_risk", "regency", "assumed")}
    return vendors


def _vendors(d: dict, table: pd.DataFrame) -> dict[str, dict]:
    """Per vendor: its workers placed here, and the findings that are its duty (with the rules they
    cite), for the branch's vendor summary and the vendor's own letter."""
    out: dict[str, dict] = {}
    placed = table[(table["employment_type"] == "outsourced")]
    names = placed["vendor"].where(placed["vendor"].notna(), "")
    for vendor, count in names.value_counts().items():
        out[str(vendor)] = {"name": str(vendor), "placed": int(count), "findings": [], "rules": {}}
    for f in d["findings"]:
        if f["responsible"]["party"] != "vendor" or f["severity"] != "violation":
            continue
        v = out.setdefault(f["responsible"].get("name") or "", {"name": f["responsible"].get("name") or "",
                                                                "placed": 0, "findings": [], "rules": {}})
        v["findings"].append(f)
        v["rules"][f["rule_id"]] = d["rules"][f["rule_id"]]
    return out


def render_letter(document: dict, office, settings, number: str, kind: str, first: dict | None,
                  shared: Shared) -> tuple[bytes, bytes]:
    """A letter under a number the parent issued from the register: (HTML, PDF) bytes."""
    from compliance.outputs import letters

    started = time.perf_counter()
    context = letters.build_context(document, office, settings, number, kind, shared.rule_set, first)
    html = letters.render_html(context, settings.lang, settings.templates)
    middle = time.perf_counter()
    pdf = letters.render_pdf(html, settings.templates)
    return html.encode("utf-8"), pdf, {"html_seconds": middle - started, "pdf_seconds": time.perf_counter() - middle,
                                       "peak_mb": peak_mb()}


def render_letter_keyed(key: str, document: dict, office, settings, number: str, kind: str, first: dict | None,
                        shared: Shared):
    """(key, (HTML, PDF)) or (key, the problem): a letter that cannot be made must not stop the batch."""
    from compliance.errors import UnusableInput as Expected

    try:
        return key, render_letter(document, office, settings, number, kind, first, shared)
    except Expected as exc:
        return key, exc


# -- a local process pool: Shared reaches each process once, through its initializer -------------
_SHARED: Shared | None = None


def init_worker(shared: Shared) -> None:
    """A worker's start: it ends when the audit does (even by `kill -9`), and keeps Shared."""
    from compliance.lifeline import end_with_parent

    global _SHARED
    end_with_parent()
    _SHARED = shared


def in_pool(fn, *args):
    return fn(*args, _SHARED)



"""Feeding the workers, writing what they return, letters, and the branch summary.

Resumable: each file's outcome is kept under OUT/.audit/ by a fingerprint of the file (its place and bytes), the
registry, the companies list, the rule set and the options, and its check is recorded in the
office register with that fingerprint. A re-run skips a file whose fingerprint the register
holds (unless `force`); every file is written atomically and the outcome last, so a run killed
at any point is finished by the next one with the same summary."""
from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from compliance import __version__
from compliance.audit import work
from compliance.audit.inputs import Submission, digest, read_bytes
from compliance.errors import UnusableInput
from compliance.model import Company, normalize
from compliance.outputs.files import write_atomic

STATE = ".audit"
COMPANIES = "perusahaan"


@dataclass
class AuditOptions:
    out: Path
    base_fingerprint: str                   # registry, companies list, rule set, options
    target: dict = field(default_factory=lambda: {"pct": 48.0, "source": "default"})   # see cli._target
    force: bool = False
    letters: bool = True
    office: object = None                   # compliance.outputs.letters.Office
    letter_settings: object = None          # compliance.outputs.letters.Settings
    exclude: set = field(default_factory=set)
    registry_info: dict | None = None      # path, rows, active, npps (compliance.audit.work.prepare_registry)
    licences: pd.DataFrame | None = None
    today: dt.date = field(default_factory=dt.date.today)
    stats: dict = field(default_factory=dict)   # filled by the run: seconds per phase, rows, peak memory
    list_issues: dict = field(default_factory=dict)   # the lists' own data issues (companies, licences, registry)
    lang: str = "id"                        # the language of reasons and the summary's words
    texts: dict | None = None               # the rule set's texts

    def words(self, problem: UnusableInput) -> str:
        return problem.words(self.lang, self.texts, with_file=False)


class Progress:
    """Companies done, rows per second, time left: a bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, echo, bar=None):
        self.total, self.echo, self.bar = total, echo, bar
        self.done = self.rows = 0
        self.started = self.last = time.monotonic()

    def step(self, rows: int) -> None:
        self.done += 1
        self.rows += rows
        now = time.monotonic()
        if self.bar is not None:
            self.bar.update(1, self.label())
            return
        if now - self.last >= 5 or self.done == self.total:
            rate = self.rows / max(now - self.started, 1e-9)
            left = (now - self.started) / self.done * (self.total - self.done)
            self.echo("audit_progress", done=self.done, total=self.total, rate=f"{rate:,.0f}", left=f"{left:,.0f}")
            self.last = now

    def label(self) -> str:
        rate = self.rows / max(time.monotonic() - self.started, 1e-9)
        return f"{rate:,.0f}"


def run_audit(subs: list[Submission], shared: work.Shared, options: AuditOptions, runner, register,
              progress=None) -> dict:
    """Audit the files `find_submissions` found (a caller shows progress against their number)."""
    out = Path(options.out)
    state = out / STATE
    state.mkdir(parents=True, exist_ok=True)
    for stale in out.rglob(".*.tmp"):    # a killed run's unfinished write (write_atomic's temporary)
        stale.unlink(missing_ok=True)
    metas: dict[str, dict] = {}          # file key -> its outcome, without the bytes
    fingerprints: dict[str, str] = {}
    progress = progress or Progress(len(subs), lambda s: None)

    owners: dict[str, str] = {}          # company -> the file that holds it (one submission per company)

    def tasks():
        for sub in subs:
            meta, data = _prepared(sub, options, state, register, fingerprints)
            if meta is not None:
                if meta["status"] == "audited" and _second(meta["summary"]["company"], sub.key, owners, metas,
                                                           options):
                    meta = {**meta, "status": "refused", "code": "second-submission",
                            "reason": _second_reason(meta["summary"]["company"], owners, options)}
                metas[sub.key] = meta
                progress.step(0)
                continue
            yield (work.audit_submission, sub.key, sub.name, data)

    st = options.stats
    st.update(files=len(subs), checked=0, rows_checked=0, rule_seconds=0.0, worker_seconds=0.0, worker_peak_mb=0.0,
              letters=0, html_seconds=0.0, pdf_seconds=0.0)
    started = time.perf_counter()
    for outcome in runner.run(tasks()):
        metas[outcome.key] = _keep(outcome, options, state, register, fingerprints[outcome.key], owners, metas)
        progress.step(outcome.rows)
        st["checked"] += 1
        st["rows_checked"] += outcome.rows
        st["rule_seconds"] += outcome.stats.get("rule_seconds", 0.0)
        st["worker_seconds"] += outcome.stats.get("seconds", 0.0)
        st["worker_peak_mb"] = max(st["worker_peak_mb"], outcome.stats.get("peak_mb", 0.0))
    st["check_seconds"] = time.perf_counter() - started
    ordered = [metas[s.key] for s in subs]
    started = time.perf_counter()
    letters = _letters(ordered, shared, options, runner, register) if options.letters else {}
    st["letter_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    summary = build_summary(subs, ordered, shared, options, state, letters)
    st["summary_seconds"] = time.perf_counter() - started
    st["parent_peak_mb"] = work.peak_mb()
    return summary


# -- one file ---------------------------------------------------------------------------------
def _prepared(sub: Submission, options: AuditOptions, state: Path, register, fingerprints: dict):
    """(outcome kept from an earlier run, None) or (None, the file's bytes to check)."""
    if sub.problem:
        fingerprints[sub.key] = digest(options.base_fingerprint, sub.key)
        return {"key": sub.key, "status": "refused", "reason": options.words(sub.problem), "code": sub.problem.code,
                "rows": 0}, None
    try:
        data = read_bytes(sub)
    except UnusableInput as exc:
        fingerprints[sub.key] = digest(options.base_fingerprint, sub.key)
        return {"key": sub.key, "status": "refused", "reason": options.words(exc), "code": exc.code, "rows": 0}, None
    except (OSError, ValueError) as exc:
        fingerprints[sub.key] = digest(options.base_fingerprint, sub.key)
        problem = UnusableInput("cannot-open", reason=" ".join(str(exc).split())[:160])
        return {"key": sub.key, "status": "refused", "reason": options.words(problem), "code": problem.code,
                "rows": 0}, None
    fp = digest(options.base_fingerprint, sub.key, data)     # the same bytes elsewhere are another file
    fingerprints[sub.key] = fp
    if not options.force:
        kept = state / f"{fp}.json"
        if kept.exists():
            meta = json.loads(kept.read_text(encoding="utf-8"))
            if meta["status"] != "audited" or (register.check_with_fingerprint(fp) is not None
                                               and (options.out / COMPANIES / meta["folder"] / "report.json").exists()):
                return {**meta, "key": sub.key, "resumed": True}, None
    return None, data


def _keep(outcome: work.Outcome, options: AuditOptions, state: Path, register, fp: str, owners: dict,
          metas: dict) -> dict:
    meta = {"key": outcome.key, "status": outcome.status, "reason": outcome.reason, "code": outcome.code,
            "rows": outcome.rows, "fingerprint": fp}
    if outcome.status == "audited" and _second(outcome.summary["company"], outcome.key, owners, metas, options):
        meta.update(status="refused", code="second-submission",
                    reason=_second_reason(outcome.summary["company"], owners, options))
    elif outcome.status == "audited":
        folder = options.out / COMPANIES / outcome.folder
        for name, data in outcome.files.items():
            write_atomic(folder / name, data)
        write_atomic(state / f"{fp}.workers.parquet", outcome.workers)
        check_id = register.record_check(outcome.summary, "audit", options.today, fp)
        meta.update(folder=outcome.folder, summary=outcome.summary, ghosts=outcome.ghosts, vendors=outcome.vendors,
                    check_id=check_id)
    write_atomic(state / f"{fp}.json", json.dumps(meta, ensure_ascii=False, default=str).encode("utf-8"))
    return meta


def _who(company: dict) -> str:
    return company.get("npp") or normalize(company.get("name") or "")


def _second(company: dict, key: str, owners: dict, metas: dict, options: AuditOptions) -> bool:
    """One submission per company in a batch: the file first by name keeps it. True when `key`
    comes second; when it comes first, the one that held the company is refused instead."""
    who = _who(company)
    first = owners.get(who)
    if first is not None and first < key:
        return True
    if first is not None and first in metas:
        problem = UnusableInput("second-submission", company=company.get("name") or who, first=key)
        metas[first] = {**metas[first], "status": "refused", "code": problem.code, "reason": options.words(problem)}
    owners[who] = key
    return False


def _second_reason(company: dict, owners: dict, options: AuditOptions) -> str:
    who = _who(company)
    return options.words(UnusableInput("second-submission", company=company.get("name") or who, first=owners[who]))


# -- letters ----------------------------------------------------------------------------------
def _letters(metas: list[dict], shared: work.Shared, options: AuditOptions, runner, register) -> dict:
    """Numbers from the register (stage as the case stands), rendering in the workers. Streamed:
    each report is read from its folder when its letter is due, never all at once."""
    from compliance.office import Issued, LetterError

    settings = options.letter_settings
    made: dict[str, dict] = {}

    def skipped(code: str, problem: UnusableInput | None = None) -> dict:
        problem = problem or UnusableInput(code)
        return {"skipped": problem.words(options.lang, options.texts, with_file=False), "skipped_code": code}
    pending: dict[str, tuple] = {}

    def due():
        for meta in metas:
            if meta["status"] != "audited" or meta["summary"]["totals"]["violations"] == 0:
                continue
            if not meta["summary"]["company"].get("npp"):
                made[meta["key"]] = skipped("letter-skipped-no-npp")
                continue
            folder = options.out / COMPANIES / meta["folder"]
            yield meta["key"], folder, json.loads((folder / "report.json").read_bytes())
        for vendor in vendor_documents(metas, shared, options):
            yield f"vendor:{vendor['company']['npp']}", options.out / "vendor" / vendor["folder"], vendor

    def jobs():
        for key, folder, document in due():
            stage = register.stage_due(document["company"], document["period"], settings.date)
            try:
                reserved = register.reserve_letter(document, options.office, replace(settings, stage=stage),
                                                   shared.rule_set, None)
            except LetterError as exc:
                made[key] = skipped(exc.code, exc)
                continue
            if isinstance(reserved, Issued):
                made[key] = skipped(reserved.skipped)
                continue
            made[key] = {"number": reserved.number, "stage": reserved.settings.stage, "folder": str(folder)}
            pdf = folder / "letter.pdf"
            if reserved.reused and reserved.sha256_pdf and pdf.exists() and not options.force and \
                    digest_file(pdf) == reserved.sha256_pdf:
                continue                      # rendered by an earlier run of this batch
            pending[key] = (folder, reserved)
            yield (work.render_letter_keyed, key, document, options.office, reserved.settings, reserved.number,
                   reserved.kind, reserved.first)

    for key, result in runner.run(jobs()):
        folder, reserved = pending.pop(key)
        if isinstance(result, UnusableInput):
            made[key] = skipped(result.code, result)
            continue
        html, pdf, timing = result
        st = options.stats
        st["letters"] = st.get("letters", 0) + 1
        st["html_seconds"] = st.get("html_seconds", 0.0) + timing["html_seconds"]
        st["pdf_seconds"] = st.get("pdf_seconds", 0.0) + timing["pdf_seconds"]
        st["worker_peak_mb"] = max(st.get("worker_peak_mb", 0.0), timing["peak_mb"])
        write_atomic(folder / "letter.html", html)
        write_atomic(folder / "letter.pdf", pdf)
        register.letter_files(reserved.letter_id, [folder / "letter.html", folder / "letter.pdf"], pdf)
    return made


def digest_file(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def vendor_documents(metas: list[dict], shared: work.Shared, options: AuditOptions) -> list[dict]:
    """One letter document per vendor in the companies list that has unregistered (or otherwise
    non-compliant) workers at its clients: the findings are the vendor's duty (domain 1.4)."""
    if shared.companies is None:
        return []
    listed = shared.companies[shared.companies["vendor"]]
    by_key = {k: row for k, row in zip(listed["key"], listed.to_dict("records")) if k}
    docs: dict[str, dict] = {}
    for meta in metas:
        if meta["status"] != "audited":
            continue
        client = meta["summary"]["company"]
        for name, v in meta["vendors"].items():
            entry = by_key.get(normalize(name)) if name else None
            if entry is None or not v["findings"] or not entry.get("npp"):
                continue
            doc = docs.setdefault(entry["npp"], {
                "period": meta["summary"]["period"], "ruleset_version": meta["summary"]["ruleset_version"],
                "tool_version": __version__, "compliant": False, "participation_source":
                    "registry" if options.registry_info else "payroll",
                "company": {"npp": entry["npp"], "name": entry["name"], "address": entry.get("address"),
                            "size": entry.get("size"), "assumed": []},
                "source": {"path": "audit", "sheet": None}, "rules": {}, "findings": [], "data_issues": [],
                "totals": {"workers": 0, "monthly_shortfall_idr": 0, "rows_with_issues": 0, "violations": 0,
                           "shortfall_unknown": 0},
                "clients": [], "client_files": [],
                "folder": work.company_folder(Company(npp=entry["npp"], name=entry["name"]))})
            doc["rules"].update(v["rules"])
            doc["clients"].append(client.get("name") or client.get("npp"))
            # the data came from the client's payroll: its name and file are stated in the letter
            doc["client_files"].append({"name": client.get("name") or client.get("npp"),
                                        "file": Path(str(meta["summary"]["source"].get("path") or "")).name})
            doc["totals"]["workers"] += v["placed"]
            for f in v["findings"]:
                doc["findings"].append({**f, "responsible": {"party": "employer"},
                                        "client": client.get("name") or client.get("npp")})
                doc["totals"]["monthly_shortfall_idr"] += f["monthly_shortfall_idr"] or 0
                doc["totals"]["shortfall_unknown"] += f["monthly_shortfall_idr"] is None
                doc["totals"]["violations"] += 1
    return [docs[k] for k in sorted(docs)]


# -- the summary ------------------------------------------------------------------------------
def build_summary(subs: list[Submission], metas: list[dict], shared: work.Shared, options: AuditOptions,
                  state: Path, letters: dict) -> dict:
    audited = [m for m in metas if m["status"] == "audited"]
    companies, families, ghosts = [], {}, []
    workers = participants = 0
    for m in audited:
        s, t = m["summary"], m["summary"]["totals"]
        c = s["company"]
        workers += t["workers"]
        participants += t["participants"]
        for code, fam in s["by_family"].items():
            agg = families.setdefault(code, {k: 0 for k in fam})
            for k, v in fam.items():
                agg[k] = agg.get(k, 0) + v
        letter = letters.get(m["key"], {})
        companies.append({
            "npp": c.get("npp"), "name": c.get("name"), "regency": c.get("regency"), "period": s["period"],
            "file": m["key"], "tied_by": s["tied_by"], "folder": f"{COMPANIES}/{m['folder']}",
            "workers": t["workers"], "participants": t["participants"], "coverage_pct": t["coverage_pct"],
            "unregistered": s["unregistered"], "vendor_unregistered": s["vendor_unregistered"],
            "violations": t["violations"],
            "shortfall_idr": t["monthly_shortfall_idr"], "vendor_violations": t.get("vendor_violations", 0),
            "vendor_shortfall_idr": t.get("vendor_shortfall_idr", 0), "rows_with_issues": t["rows_with_issues"],
            "compliant": s["compliant"], "ghosts": len(m["ghosts"]), "wage_total_idr": s["wage_total_idr"],
            "by_family": {k: v["violation"] for k, v in s["by_family"].items()},
            "letter": letter.get("number"), "letter_stage": letter.get("stage"),
            "letter_skipped": letter.get("skipped"), "letter_skipped_code": letter.get("skipped_code")})
        ghosts.extend({"npp": c.get("npp"), "company": c.get("name"), **g} for g in m["ghosts"])
    refused = [{"file": m["key"], "reason": m["reason"], "code": m.get("code")} for m in metas if m["status"] == "refused"]
    untied = [{"file": m["key"], "reason": m["reason"], "code": m.get("code")} for m in metas
              if m["status"] == "not-tied"]
    periods = sorted({c["period"] for c in companies})
    pct = round(100 * participants / workers, 2) if workers else None
    summary = {
        "schema": "compliance.audit/1", "tool_version": __version__, "ruleset_version": shared.rule_set.version,
        "generated_on": options.today.isoformat(), "periods": periods,
        "branch": ({"name": options.office.name, "code": options.office.code}
                   if getattr(options.office, "name", None) else None),
        "registry": ({k: options.registry_info[k] for k in ("path", "rows", "active")}
                     if options.registry_info else None),
        "files": {"given": len(subs), "audited": len(audited), "refused": len(refused), "not_tied": len(untied)},
        "coverage": {"workers": workers, "participants": participants, "pct": pct,
                     "target_pct": options.target["pct"], "target": options.target,
                     "participants_to_target": max(0, math.ceil(options.target["pct"] / 100 * workers) - participants)},
        "totals": {"violations": sum(c["violations"] for c in companies),
                   "shortfall_idr": sum(c["shortfall_idr"] for c in companies),
                   "vendor_violations": sum(c["vendor_violations"] for c in companies),
                   "unregistered": sum(c["unregistered"] for c in companies),
                   "letters": sum(1 for v in letters.values() if v.get("number"))},
        "families": families,
        "companies": companies,
        "vendors": vendor_summary(audited, shared, letters),
        "ghosts": ghosts,
        "duplicates": duplicates(audited, state),
        "pwbd": pwbd(audited, shared, options),
        "companies_without_payroll": without_payroll(audited, shared),
        "refused": refused, "not_tied": untied,
        "list_issues": options.list_issues,
    }
    return summary


def vendor_summary(audited: list[dict], shared: work.Shared, letters: dict) -> list[dict]:
    listed = {}
    if shared.companies is not None:
        v = shared.companies[shared.companies["vendor"]]
        listed = {k: row for k, row in zip(v["key"], v.to_dict("records")) if k}
    out: dict[str, dict] = {}
    for m in audited:
        client = m["summary"]["company"]
        for name, v in m["vendors"].items():
            entry = listed.get(normalize(name)) if name else None
            agg = out.setdefault(normalize(name) or "", {
                "vendor": name or None, "npp": entry.get("npp") if entry else None, "in_list": entry is not None,
                "clients": [], "placed": 0, "unregistered": 0, "violations": 0, "shortfall_idr": 0,
                "workers": [], "letter": None})
            agg["clients"].append(client.get("name") or client.get("npp"))
            agg["placed"] += v["placed"]
            for f in v["findings"]:
                agg["violations"] += 1
                agg["unregistered"] += v["rules"][f["rule_id"]].get("counts_as") == "unregistered"
                agg["shortfall_idr"] += f["monthly_shortfall_idr"] or 0
                agg["workers"].append({"nik": f["nik"], "name": f["name"], "client": client.get("name"),
                                       "row": f["row"], "rule_id": f["rule_id"]})
            if entry and entry.get("npp"):
                agg["letter"] = letters.get(f"vendor:{entry['npp']}", {}).get("number")
                if agg["letter"]:          # where its letter is, relative to OUT
                    agg["folder"] = f"vendor/{work.company_folder(Company(npp=entry['npp'], name=entry['name']))}"
    return sorted(out.values(), key=lambda v: (-v["violations"], v["vendor"] or ""))


def duplicates(audited: list[dict], state: Path) -> list[dict]:
    """Workers (by NIK) on the payrolls of two or more companies of the batch. Streamed through a
    scratch SQLite file so that the parent's memory does not grow with the workers."""
    db = state / "workers.sqlite"
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    try:
        con.execute("CREATE TABLE w (nik TEXT, company TEXT, npp TEXT, name TEXT, row INTEGER)")
        for m in audited:
            c = m["summary"]["company"]
            frame = pd.read_parquet(state / f"{m['fingerprint']}.workers.parquet", columns=["nik", "name", "row"])
            frame = frame[frame["nik"].notna()]
            con.executemany("INSERT INTO w VALUES (?, ?, ?, ?, ?)",
                            zip(frame["nik"], [c.get("name")] * len(frame), [c.get("npp")] * len(frame),
                                frame["name"], frame["row"].astype(int).tolist()))
        con.execute("CREATE INDEX w_nik ON w (nik)")
        rows = con.execute("SELECT nik, company, npp, name, row FROM w WHERE nik IN (SELECT nik FROM w GROUP BY nik "
                           "HAVING COUNT(DISTINCT COALESCE(npp, company)) > 1) ORDER BY nik, npp, row").fetchall()
    finally:
        con.close()
        db.unlink(missing_ok=True)
    out: dict[str, dict] = {}
    for nik, company, npp, name, row in rows:
        d = out.setdefault(nik, {"nik": nik, "name": name, "payrolls": []})
        d["payrolls"].append({"company": company, "npp": npp, "row": row})
    return list(out.values())


def pwbd(audited: list[dict], shared: work.Shared, options: AuditOptions) -> dict:
    """Registration candidates (domain 7): listed companies with no NPP or one the registry does
    not know, with their payroll figures; licence records with workers and a BPJS TK number that
    is empty or unknown, ranked by workers. A list for canvassing, never a letter."""
    known = set(options.registry_info["npps"]) if options.registry_info else None
    figures = {}
    for m in audited:
        c = m["summary"]["company"]
        figures[c.get("npp") or normalize(c.get("name") or "")] = m["summary"]
    companies = []
    if shared.companies is not None:
        for row in shared.companies.to_dict("records"):
            if row["npp"] and (known is None or row["npp"] in known):
                continue
            s = figures.get(row["npp"] or row["key"])
            companies.append({"name": row["name"], "npp": row["npp"], "address": row["address"],
                              "regency": row["regency"],
                              "reason": "no-npp" if not row["npp"] else "npp-unknown",
                              "workers": s["totals"]["workers"] if s else None,
                              "wage_total_idr": s["wage_total_idr"] if s else None,
                              "file": s["file"] if s else None})
    licences = []
    if options.licences is not None:
        t = options.licences
        for row in t.to_dict("records"):
            n = row.get("workers")
            if n is None or n != n or n <= 0:
                continue
            if row.get("bpjs_tk") and known is not None and row["bpjs_tk"] in known:
                continue
            if row.get("bpjs_tk") and known is None:
                continue
            licences.append({"nib": row.get("nib"), "name": row.get("name"), "address": row.get("address"),
                             "regency": row.get("regency"), "bpjs_tk": row.get("bpjs_tk"), "workers": int(n),
                             "reason": "no-bpjs-tk" if not row.get("bpjs_tk") else "bpjs-tk-unknown"})
        licences.sort(key=lambda r: (-r["workers"], r["name"] or ""))
    return {"companies": companies, "licences": licences}


def without_payroll(audited: list[dict], shared: work.Shared) -> list[dict]:
    if shared.companies is None:
        return []
    seen = {m["summary"]["company"].get("npp") for m in audited} | \
        {normalize(m["summary"]["company"].get("name") or "") for m in audited}
    return [{"npp": r["npp"], "name": r["name"]} for r in shared.companies.to_dict("records")
            if not r["vendor"] and (r["npp"] or r["key"]) not in seen]

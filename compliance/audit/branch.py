"""Everything `compliance audit` does, as one call:

    result = audit_branch(["kiriman/"], registry="peserta.csv", companies="perusahaan.csv",
                          licences=None, options=BranchOptions(out=Path("audit-juni")))
    result.summary        # the branch summary (summary.json), also written with summary.xlsx and index.html

The registry is read once in a child process and handed to the workers as Parquet; the companies
and licence lists are read here; the files are fingerprinted against the office register (a
re-run skips what is unchanged); each file goes through `check_file` in a worker of a local
process pool or a Dask cluster (`runner`); letters are numbered in the register and rendered in
the workers; the summary files are written atomically.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from compliance.model import Company, Period, RuleSet


@dataclass
class BranchOptions:
    out: Path
    rule_set: RuleSet | None = None         # default: the bundled rules
    rules_dir: Path | None = None           # where the rule set came from (part of each file's fingerprint)
    templates: Path | None = None
    company: Company | None = None          # details for every file of the batch (e.g. the period)
    target_pct: float | None = None         # default: coverage_target in rules/ (with its reference)
    force: bool = False
    follow_symlinks: bool = False           # links in input folders that point outside the inputs
    letters: bool = True
    lang: str = "id"
    engine: str = "gx"
    office: object = None                   # compliance.outputs.letters.Office (default: the office file)
    letter_settings: object = None          # compliance.outputs.letters.Settings
    register: object = None                 # a Register, or its path/URL (default: the office file's)
    jobs: int | None = None                 # local processes (default: all cores)
    today: dt.date | None = None
    progress: Callable | None = None        # progress(total) -> a bar with update(n, label), or None
                                            # (then `say` gets a line every 5 s)
    say: Callable[..., None] = lambda code, **data: None   # a status line as a code of texts `cli:`


@dataclass
class AuditResult:
    summary: dict
    paths: list[Path]                       # summary.json, summary.xlsx, index.html
    stats: dict = field(default_factory=dict)
    list_issue_counts: dict = field(default_factory=dict)   # {"companies": n, "licences": n, "registry": n}
    unused_columns: dict = field(default_factory=dict)      # {"companies": [...], ...}: headers not used

    @property
    def clean(self) -> bool:
        """Every file audited and every company compliant."""
        f = self.summary["files"]
        return f["refused"] == 0 and f["not_tied"] == 0 and all(c["compliant"] for c in self.summary["companies"])


def audit_branch(inputs: list, *, registry: Path | None = None, companies: Path | None = None,
                 licences: Path | None = None, options: BranchOptions, runner=None) -> AuditResult:
    """Audit every payroll of `inputs` (folders, files, .zip archives). `runner`: None for a local
    process pool, a Dask scheduler address, or a runner object (compliance.audit.runners)."""
    from compliance.audit.inputs import digest, file_digest, find_submissions, folder_digest
    from compliance.audit.run import AuditOptions, Progress, run_audit
    from compliance.audit.runners import runner as make_runner
    from compliance.audit.work import Shared
    from compliance.ingest.lists import read_companies, read_licences
    from compliance.outputs.audit import write_summary
    from compliance.office import Settings, load_office
    from compliance.outputs.report import issue_records
    from compliance.register import Register
    from compliance.resources import rules_dir as bundled_rules
    from compliance.resources import templates_dir as bundled_templates
    from compliance.ruleset import load_rule_set

    o = options
    out = Path(o.out)
    rule_set = o.rule_set or load_rule_set(o.rules_dir)
    templates = Path(o.templates or bundled_templates())
    office = o.office or load_office(None, None, templates)
    settings = o.letter_settings or Settings(lang=o.lang, templates=templates, date=o.today or dt.date.today())
    if o.letters:
        office.check_ready(settings)
    reg = o.register if isinstance(o.register, Register) else Register.open(o.register or office.register)
    started = time.perf_counter()
    prepared = None
    if registry:
        o.say("audit_registry", file=str(registry))
        prepared = prepare_registry_in_child(Path(registry), rule_set, out)
    registry_seconds = time.perf_counter() - started
    listed = read_companies(companies, rule_set) if companies else None
    licence_list = read_licences(licences, rule_set) if licences else None
    base = digest(folder_digest(o.rules_dir or bundled_rules()), file_digest(registry), file_digest(companies),
                  json.dumps(o.company.to_dict() if o.company else None, sort_keys=True), o.lang, o.engine)
    scheduler = runner if isinstance(runner, str) else None
    shipped = None
    if prepared:                          # a Dask cluster gets the prepared registry's bytes, not paths
        shipped = dict(prepared) if not scheduler else {
            **prepared, "table": Path(prepared["table"]).read_bytes(), "issues": Path(prepared["issues"]).read_bytes()}
        for key in ("npps", "rows", "active", "issues_count"):
            shipped.pop(key, None)
    company = o.company
    if listed is not None:          # the vendors' NPPs: an outsourced worker under another NPP is said (issue 18)
        vendors = listed.table[listed.table["vendor"] & listed.table["npp"].notna()]
        company = replace(company or Company(),
                          vendor_npps=tuple(zip(vendors["key"], vendors["npp"])) + (company.vendor_npps if company else ()))
    shared = Shared(rule_set, None, listed.table if listed else None, company, o.lang, o.engine, shipped)
    state = AuditOptions(
        out=out, base_fingerprint=base, target=coverage_target(o.target_pct, rule_set, settings.date), force=o.force,
        letters=o.letters, office=office, letter_settings=settings,
        exclude={Path(p) for p in (registry, companies, licences) if p}, registry_info=prepared,
        licences=licence_list.table if licence_list else None, today=settings.date,
        list_issues={"companies": issue_records(listed.issues, listed.sheet, o.lang, rule_set.texts) if listed else [],
                     "licences": (issue_records(licence_list.issues, licence_list.sheet, o.lang, rule_set.texts)
                                  if licence_list else []),
                     "registry": prepared["issues_count"] if prepared else 0,
                     # headers of the lists not used, with their best guess (issue 20)
                     "unused_columns": {"companies": listed.unused if listed else [],
                                        "licences": licence_list.unused if licence_list else [],
                                        "registry": prepared["unused_columns"] if prepared else []}},
        lang=o.lang, texts=rule_set.texts)
    work_runner = runner if runner is not None and not isinstance(runner, str) else make_runner(shared, scheduler,
                                                                                                o.jobs)
    o.say(work_runner.where[0], **work_runner.where[1])
    try:
        subs = find_submissions(list(inputs), state.exclude | {out}, o.follow_symlinks)
        bar = o.progress(len(subs)) if o.progress is not None else None
        try:
            summary = run_audit(subs, shared, state, work_runner, reg, Progress(len(subs), o.say, bar))
        finally:
            if bar is not None and hasattr(bar, "finish"):
                bar.finish()
    finally:
        if work_runner is not runner:
            work_runner.close()
    started = time.perf_counter()
    paths = write_summary(summary, out, rule_set, o.lang, templates)
    stats = {**state.stats, "registry_seconds": registry_seconds, "registry_rows": prepared["rows"] if prepared else 0,
             "write_summary_seconds": time.perf_counter() - started, "jobs": work_runner.jobs}
    counts = {"companies": len(listed.issues) if listed else 0, "licences": len(licence_list.issues) if licence_list
              else 0, "registry": prepared["issues_count"] if prepared else 0}
    return AuditResult(summary, paths, stats, counts, state.list_issues["unused_columns"])


def coverage_target(given: float | None, rule_set: RuleSet, date: dt.date) -> dict:
    """The coverage target and where it comes from: given (--target), else the rule set's dated
    value with its reference and mark (domain reference section 10)."""
    if given is not None:
        return {"pct": given, "source": "option"}
    v = rule_set.parameters.at("coverage_target", Period(date.year, date.month))
    return {"pct": float(v.value), "source": "rules", "reference": v.reference, "domain": v.domain, "mark": v.mark}


def prepare_registry_in_child(registry: Path, rule_set: RuleSet, out: Path) -> dict:
    """The registry read in a child process (compliance.audit.work.prepare_registry): the
    parent's memory never holds it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from compliance.audit.run import STATE
    from compliance.audit.work import prepare_registry
    from compliance.lifeline import end_with_parent

    (out / STATE).mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=end_with_parent) as pool:
        return pool.submit(prepare_registry, str(registry), rule_set, str(out / STATE)).result()

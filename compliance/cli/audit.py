"""compliance audit: a branch's batch, through compliance.audit.audit_branch."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from compliance.cli.options import (EXIT_FINDINGS, EXIT_OK, company_of, company_options, echo, engine_option,
                                    lang_option, letter_options, letter_settings, load_rules, office_of,
                                    open_register, register_option, rules_option, say, templates_option,
                                    writable, write_bytes)


@click.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True))
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The branch's participant registry extract (CSV/XLSX), read and indexed once.")
@click.option("--companies", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The companies the branch supervises (CSV/XLSX: NPP, Nama Perusahaan, Alamat, Kabupaten/Kota, "
                   "Skala Usaha, Tingkat Risiko JKK, File Gaji, Vendor).")
@click.option("--licences", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Business-licence records (NIB, name, address, BPJS TK number, workers): registration candidates.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the company folders, summary.xlsx, summary.json and index.html.")
@company_options(only=("period",))
@click.option("--target", type=click.FloatRange(0, 100),
              help="The branch's coverage target, in percent (default: coverage_target in rules/, 48 %, "
                   "UNCONFIRMED; the summary says where the target came from).")
@click.option("--jobs", type=click.IntRange(min=1), help="Local worker processes (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on an existing Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local processes.")
@click.option("--force", is_flag=True, help="Check every file again, even those unchanged since the last run.")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links in the input folders that point outside the given inputs (default: "
                   "such a link is refused, with its target, in the list of refused files).")
@click.option("--letters/--no-letters", default=True, show_default=True,
              help="Warning letters for companies with violations and for listed vendors.")
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option()
@rules_option
@templates_option
@register_option
@letter_options(only=("office_config", "signer_name", "office_phone", "letter_date", "deadline_days", "draft", "full_nik"))
@click.option("--quiet", "-q", is_flag=True, help="No progress or status lines (errors still go to stderr).")
@click.option("--stats", "stats_file", type=click.Path(path_type=Path, dir_okay=False), hidden=True,
              help="Write timings and peak memory as JSON (benchmarks/audit.py).")
def audit(inputs, registry, companies, licences, out, company, target, jobs, scheduler, force, follow_symlinks, letters,
          lang, fmt, engine, rules_dir, templates_dir, register_at, letter, quiet, stats_file):
    """Audit every payroll of a branch: INPUT folders, files and .zip archives.

    \b
    Each file is tied to a company (the companies list by file name, else the
    NPP of its company sheet or file name), checked against the registry like
    `check`, and gets a folder under OUT/perusahaan/ with report.json,
    findings.xlsx and, for employer violations, a warning letter numbered in
    the office register. Across companies: participants AKTIF under an NPP but
    on none of its payrolls, workers on two payrolls, outsourced workers per
    vendor (and a letter to each listed vendor), and registration candidates
    (PWBD). OUT/summary.xlsx, summary.json and index.html show the branch
    against its coverage target. A re-run skips files unchanged since the last
    (from the register) unless --force.

    \b
    Exit code 0 every file audited and every company compliant; 1 violations
    or files refused; 2 unusable registry, list or options.

    \b
    Examples:
      compliance audit kiriman/ --registry peserta.csv --companies perusahaan.xlsx --out audit-juni/ --draft
      compliance audit kiriman.zip --registry peserta.csv --out audit/ --period 2025-06 --no-letters
      compliance audit kiriman/ --registry peserta.csv --licences oss.csv --out audit/ --target 48
      compliance audit kiriman/ --registry peserta.csv --out audit/ --scheduler tcp://10.0.0.5:8786
    """
    from compliance.audit import BranchOptions, audit_branch

    rule_set = load_rules(rules_dir)
    writable(out)
    office = office_of(letter, templates_dir)
    settings = letter_settings(letter, lang, templates_dir)

    def status(code: str, **data) -> None:
        if not quiet:
            echo(say(code, **data))

    if not registry:
        status("audit_no_registry")
    options = BranchOptions(
        out=out, rule_set=rule_set, rules_dir=rules_dir, templates=templates_dir, company=company_of(company, rule_set),
        target_pct=target, force=force, follow_symlinks=follow_symlinks, letters=letters, lang=lang, engine=engine,
        office=office, letter_settings=settings, register=open_register(register_at, office), jobs=jobs,
        today=settings.date, progress=None if quiet else _bar, say=status)
    result = audit_branch(list(inputs), registry=registry, companies=companies, licences=licences, options=options,
                          runner=scheduler)
    for count, what in ((result.list_issue_counts["companies"], companies),
                        (result.list_issue_counts["licences"], licences),
                        (result.list_issue_counts["registry"], registry)):
        if count:      # shown even with --quiet: rows of the lists that could not be read
            echo(say("list_issues", file=str(what), n=count))
    from compliance.outputs.validate import unmapped_words

    for key, what in (("companies", companies), ("licences", licences), ("registry", registry)):
        unused = result.unused_columns.get(key) or []
        if unused:     # a column not understood is said, with its best guess, never dropped silently
            echo(say("list_unused", file=str(what),
                     columns=[unmapped_words(u, lang, rule_set.texts) for u in unused]))
    if stats_file:
        write_bytes(stats_file, json.dumps(result.stats, indent=1).encode())
    if fmt == "json":
        click.echo(json.dumps(result.summary, ensure_ascii=False, indent=1, default=str))
    else:
        from compliance.outputs.audit import summary_text

        click.echo(summary_text(result.summary, rule_set, lang))
    status("audit_wrote", paths=[str(p) for p in result.paths], index=str(result.paths[2]))
    sys.exit(EXIT_OK if result.clean else EXIT_FINDINGS)


class _Bar:
    """The progress bar on a terminal (files, rows/s, time left); None elsewhere (plain lines)."""

    def __init__(self, total: int):
        self.bar = click.progressbar(length=total, label=say("audit_bar"), file=sys.stderr, show_eta=True,
                                     show_pos=True, item_show_func=lambda rate: rate and say("audit_rate", rate=rate))
        self.bar.__enter__()

    def update(self, n: int, label: str) -> None:
        self.bar.update(n, label)

    def finish(self) -> None:
        self.bar.__exit__(None, None, None)


def _bar(total: int):
    return _Bar(total) if sys.stderr.isatty() else None

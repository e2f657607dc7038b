"""validate, check, annotate, letter: one payroll (or its saved report) at a time. Each reads the
file through `compliance.check_file` and words what it found in the user's language."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from compliance.cli.options import (EXIT_FINDINGS, EXIT_OK, company_of, company_options, echo, engine_option,
                                    lang_option, letter_options, letter_settings, load_rules, office_of,
                                    open_register, payroll_bytes, reading_options, register_option, rules_option, say,
                                    stdout_bytes, templates_option, write_bytes, xlsx_out)
from compliance.errors import UnusableInput

ANNOTATE_MAX_ROWS = 20_000    # openpyxl rewrites the whole workbook: beyond this, `compliance annotate` on request


def checked(file: Path, rule_set, company: dict, reading: dict, engine: str, registry: Path | None = None,
            period_needed: bool = True):
    """The payroll's bytes read once and checked by check_file. What the user must still give is
    a one-line refusal that names the option (--period, --sheet, --map)."""
    from compliance.ingest import read_registry
    from compliance.pipeline import Needs, check_file

    data, name = payroll_bytes(file)
    reg = read_registry(registry, rule_set) if registry else None
    if reg is not None and reg.unused_columns:     # said with the best guess, never dropped silently
        from compliance.cli.options import lang_now
        from compliance.outputs.validate import unmapped_words

        echo(say("list_unused", file=str(registry),
                 columns=[unmapped_words(u, lang_now(), rule_set.texts) for u in reg.unused_columns]))
    result = check_file(data, name, rule_set, company=company_of(company, rule_set), columns=reading["columns"],
                        sheet=reading["sheet"], registry=reg, engine=engine, encoding=reading["encoding"],
                        delimiter=reading["delimiter"])
    if isinstance(result, Needs) and (period_needed or result.needs != ["period"]):
        raise result.problem
    return result


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@company_options()
@reading_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@engine_option()
@click.option("--limit", type=int, default=200, show_default=True, help="Data issues shown in text output.")
@rules_option
def validate(file, company, reading, fmt, lang, engine, limit, rules_dir):
    """Read a payroll FILE and report where and how it was read, and every data issue.

    \b
    Prints the sheet and header row used, the column mapping, rows read, rows
    usable, rows ignored as not workers (blank, JUMLAH/TOTAL, signature block)
    and every data issue with its row number as shown in Excel.
    Exit code 0 when every row is usable, 1 when some are not, 2 when the file
    cannot be read or lacks a required column.

    \b
    Examples:
      compliance validate gaji-juni.xlsx
      compliance validate gaji.xlsx --sheet "Gaji Juni" --period 2025-06
      compliance validate gaji.csv --format json --lang en
      compliance validate unicode-text.txt --encoding utf-16 --delimiter tab
      compliance validate gaji.xlsx --map start_date="Tgl Gabung" --map base_wage="Gapok"
      cat gaji.xlsx | compliance validate -
    """
    from compliance.outputs import validate as out

    rule_set = load_rules(rules_dir)
    payroll = checked(file, rule_set, company, reading, engine, period_needed=False).payroll
    if fmt == "json":
        click.echo(out.to_json(payroll, lang, rule_set.texts), nl=False)
    else:
        click.echo(out.to_text(payroll, lang, limit=limit, texts=rule_set.texts))
    sys.exit(EXIT_OK if payroll.rows_with_issues == 0 else EXIT_FINDINGS)


@click.command()
@click.argument("payroll", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
              help="Participant registry extract (CSV/XLSX: NPP,KPJ,NIK,NAMA,TGL_LAHIR,UPAH,PROGRAM,STATUS).")
@company_options()
@reading_options
@rules_option
@templates_option
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Write report.json, findings.csv, findings.xlsx and the marked payroll into this folder.")
@engine_option()
@click.option("--limit", type=int, default=100, show_default=True, help="Findings shown in text output.")
@click.option("--letter", "with_letter", is_flag=True,
              help="Also write letter.html and letter.pdf into --out (see `letter`).")
@register_option
@letter_options()
def check(payroll, registry, company, reading, rules_dir, templates_dir, lang, fmt, out, engine, limit, with_letter,
          register_at, letter):
    """Check a PAYROLL against BPJS Ketenagakerjaan duties: unregistered workers (PDS
    Tenaga Kerja), wages reported below actual (PDS Upah), missing programs (PDS Program).

    \b
    Prints a summary (workers, participants, coverage, findings by family, estimated
    monthly contribution shortfall) and the findings with their Excel rows.
    Exit code 0 compliant and every row checked; 1 violations, or rows that could
    not be checked; 2 unusable input.

    \b
    Examples:
      compliance check gaji-juni.xlsx --company-size medium --jkk-risk low
      compliance check gaji.xlsx --registry peserta.csv --npp 17010234 --period 2025-06
      compliance check gaji.xlsx --province Bengkulu --format json --lang en
      compliance check gaji.xlsx --out hasil/
      compliance check gaji.xlsx --out hasil/ --letter --lang en
    """
    from compliance.outputs import check as out_mod
    from compliance.outputs import report as contract

    if with_letter and not out:
        raise click.UsageError(say("letter_needs_out"))
    rule_set = load_rules(rules_dir)
    office = office_of(letter, templates_dir) if with_letter else None
    settings = letter_settings(letter, lang, templates_dir)
    result = checked(payroll, rule_set, company, reading, engine, registry)
    report, document = result.report, None
    if out:
        files, document = out_mod.render_outputs(report, rule_set, lang, {"office": office.to_dict()} if office else None)
        written = []
        for name, data in files.items():
            write_bytes(out / name, data)
            written.append(out / name)
        written.append(_write_annotated(result, document, rule_set, lang, out))
        echo(say("wrote", paths=[str(p) for p in written if p]))
    if with_letter:
        import hashlib

        from compliance.outputs.letters import issue

        reg = open_register(register_at, office)
        warn_letter_date(settings.date)
        check_id = reg.record_check(document, "check", settings.date, hashlib.sha256(result.data).hexdigest())
        echo_letter(issue(reg, document, out, office, settings, rule_set, check_id))
    if fmt == "json":
        stdout_bytes(contract.json_chunks(document) if document is not None else contract.to_json(report, rule_set, lang))
    else:
        click.echo(out_mod.to_text(report, rule_set, lang, limit))
    sys.exit(EXIT_OK if report.compliant else EXIT_FINDINGS)


def _write_annotated(result, document: dict, rule_set, lang: str, out: Path) -> Path | None:
    """annotated.xlsx beside the report (the employer's own workbook, marked)."""
    from compliance.outputs.annotate import annotate as mark
    from compliance.pipeline import sheet_grid

    if result.payroll.source.rows_read > ANNOTATE_MAX_ROWS:
        echo(say("annotated_skipped", rows=result.payroll.source.rows_read, limit=ANNOTATE_MAX_ROWS))
        return None
    path = out / "annotated.xlsx"
    write_bytes(path, mark(result.data, result.payroll, document, rule_set, lang, sheet_grid(result)))
    return path


def warn_letter_date(date) -> None:
    """A letter dated on a weekend or holiday is made, with a warning on stderr."""
    from compliance.cli.options import lang_now, texts_now
    from compliance.office import letter_date_notice
    from compliance.texts import notice_words, term

    found = letter_date_notice(date)
    if found:
        echo(f"{term('warning', lang_now(), texts_now())}: {notice_words(found, lang_now(), texts_now())}")


def echo_letter(issued) -> None:
    if issued.skipped:
        from compliance.cli.options import lang_now, texts_now

        echo(say("no_letter", reason=UnusableInput(issued.skipped).words(lang_now(), texts_now(), with_file=False)))
    else:
        echo(say("letter_reused" if issued.reused else "letter_issued", number=issued.number,
                 paths=[str(p) for p in issued.paths]))


@click.command()
@click.argument("report_file", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for letter.html and letter.pdf (default: the report's folder).")
@lang_option
@rules_option
@templates_option
@register_option
@letter_options()
def letter(report_file, out, lang, rules_dir, templates_dir, register_at, letter):
    """Render the letter for a saved REPORT (report.json of `check --out`).

    \b
    The office details come from the report's `office` section when it has one
    (edit it and render again), else from --office-config / templates/office.yaml.
    A number is issued once per company, period and stage and recorded in the
    office's register; rendering again reuses it unless --reissue. A second
    warning needs the first's deadline passed and a later check still finding
    the employer's violations.

    \b
    Examples:
      compliance letter hasil/report.json
      compliance letter hasil/report.json --lang en --full-nik
      compliance letter hasil/report.json --stage 2 --register kantor/register.sqlite
    """
    import json

    from compliance.outputs.letters import issue

    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        _check_report(report)
    except UnusableInput as exc:
        exc.file = str(report_file)
        raise
    except json.JSONDecodeError as exc:
        raise UnusableInput("report-not-json", file=str(report_file), line=exc.lineno, col=exc.colno) from None
    except UnicodeDecodeError:
        raise UnusableInput("report-not-json", file=str(report_file)) from None
    rule_set = load_rules(rules_dir)
    office = office_of(letter, templates_dir, report.get("office"))
    settings = letter_settings(letter, lang, templates_dir)
    reg = open_register(register_at, office)
    warn_letter_date(settings.date)
    echo_letter(issue(reg, report, out or report_file.parent, office, settings, rule_set))
    sys.exit(EXIT_OK)


def _check_report(report: dict) -> None:
    """A saved report must follow the contract (docs/schemas/check-report.schema.json)."""
    from compliance.outputs.report import SCHEMA_VERSION

    if not isinstance(report, dict):
        raise UnusableInput("not-a-report")
    needed = {"schema_version", "ruleset_version", "period", "company", "source", "totals", "compliant", "rules",
              "findings", "data_issues"}
    missing = sorted(needed - set(report))
    if "schema_version" in missing:
        raise UnusableInput("not-a-report", missing=missing)
    if report.get("schema_version") != SCHEMA_VERSION:
        raise UnusableInput("report-old-schema", found=report.get("schema_version"), wanted=SCHEMA_VERSION)
    if missing:
        raise UnusableInput("not-a-report", missing=missing)


@click.command()
@click.argument("payroll", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The annotated copy (.xlsx).")
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
              help="Participant registry extract (as for `check`).")
@company_options()
@reading_options
@rules_option
@lang_option
@engine_option()
def annotate(payroll, out, registry, company, reading, rules_dir, lang, engine):
    """Give back the employer's own PAYROLL with its problems marked.

    \b
    A copy of the workbook (their sheets, layout, values and formulas kept;
    nothing recalculated) where each cell with a data issue or a finding is
    filled and commented (what is wrong, what to do), and a first sheet
    `Hasil Pemeriksaan` with the summary and a link to each marked cell. A
    CSV becomes an xlsx of its cells with the same marks.
    Exit code 0 nothing to mark, 1 marks, 2 unusable input.

    \b
    Examples:
      compliance annotate gaji-juni.xlsx --out gaji-juni-diperiksa.xlsx
      compliance annotate gaji.csv --out gaji-diperiksa.xlsx --period 2025-06 --lang en
    """
    from compliance.outputs import report as contract
    from compliance.outputs.annotate import annotate as mark
    from compliance.pipeline import sheet_grid

    rule_set = load_rules(rules_dir)
    xlsx_out(out)
    result = checked(payroll, rule_set, company, reading, engine, registry)
    d = contract.to_dict(result.report, rule_set, lang)
    write_bytes(out, mark(result.data, result.payroll, d, rule_set, lang, sheet_grid(result)))
    marks = len(d["findings"]) + sum(1 for i in d["data_issues"] if i["row"] is not None)
    echo(say("annotated", path=str(out), findings=len(d["findings"]), issues=len(d["data_issues"])))
    sys.exit(EXIT_OK if marks == 0 else EXIT_FINDINGS)

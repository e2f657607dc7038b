"""The command line. Thin: parse options, call the library, print, set the exit code.

Exit codes: 0 compliant / every row usable; 1 findings or rows that could not be checked;
2 unusable input or usage.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from compliance import __version__
from compliance.errors import RuleFileError, UnusableInput

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


class Group(click.Group):
    """Turns expected failures into one line and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (UnusableInput, RuleFileError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_UNUSABLE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:   # the reader stopped early (`| head`): no traceback, no error line
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_FINDINGS)
        except Exception as exc:  # noqa: BLE001 - last line of defence for untrusted input
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: could not process the input ({type(exc).__name__}: "
                       f"{' '.join(str(exc).split())[:200]}); run with --debug for details", err=True)
            ctx.exit(EXIT_UNUSABLE)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="compliance")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def main(ctx, debug):
    """Check employer payrolls against BPJS Ketenagakerjaan (Jamsostek) duties.

    \b
    Examples:
      compliance validate samples/pt-maju-bersama-juni-2025.xlsx
      compliance check samples/pt-maju-bersama-juni-2025.xlsx --lang en
      compliance check samples/pt-maju-bersama-juni-2025.xlsx --out hasil/ --letter
      compliance letter hasil/report.json --lang en
      compliance rules list
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def rules_option(f):
    return click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
                        help="Rules folder: rules, parameters, column aliases, worker types, texts "
                             "(default: the bundled rules/).")(f)


def templates_option(f):
    return click.option("--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False),
                        help="Letter templates and office configuration (default: the bundled templates/).")(f)


def load_rule_set(rules_dir: Path | None):
    from compliance.engine import load_rule_set as load
    from compliance.resources import rules_dir as bundled

    return load(rules_dir or bundled())


def text_options(f):
    """How a text (CSV) file is read, when sniffing is not enough."""
    f = click.option("--delimiter", metavar="CHAR",
                     help="Field separator of a text file: , ; | or tab (default: sniffed).")(f)
    return click.option("--encoding", metavar="NAME",
                        help="Encoding of a text file, e.g. utf-8, utf-16, cp1252 (default: sniffed).")(f)


def map_options(f):
    """Columns the tool did not recognise, named by the user: --map start_date="Tgl Gabung"."""
    f = click.option("--map-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="A YAML file of FIELD: \"Header\" lines (one per company, reused by every check).")(f)
    return click.option("--map", "column_map", multiple=True, metavar='FIELD="Header"',
                        help="Which header is which field, e.g. --map start_date=\"Tgl Gabung\" (repeatable).")(f)


def columns_map_of(column_map, map_file) -> dict[str, str]:
    from compliance.ingest.company import NotUnderstood, parse_column_map
    from compliance.resources import load_yaml

    out: dict[str, str] = {}
    if map_file:
        data = load_yaml(map_file)
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise click.BadParameter("a mapping of FIELD: \"Header\" lines", param_hint="--map-file")
        out.update({str(k): v for k, v in data.items()})
    try:
        out.update(parse_column_map(column_map))
    except NotUnderstood as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    return out


def payroll_source(file: Path):
    """A path, or `-`: the bytes of standard input (their type comes from the bytes alone)."""
    from compliance.ingest.files import STDIN

    if str(file) == STDIN:
        return click.get_binary_stream("stdin").read(), STDIN
    return file, None


def delimiter_of(value: str | None) -> str | None:
    if value is None:
        return None
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(value.lower(), value)
    if len(value) != 1:
        raise click.BadParameter(f"one character (or tab), got {value!r}", param_hint="--delimiter")
    return value


def company_options(f):
    """Company details on the command line; they win over the company sheet and title rows."""
    options = [
        click.option("--company-name", help="Company name."),
        click.option("--company-address", help="Company address (for letters)."),
        click.option("--npp", help="Company registration number (NPP)."),
        click.option("--company-size", metavar="SIZE",
                     help="Business size (skala usaha): micro/mikro, small/kecil, medium/menengah, large/besar; "
                          "unknown: the strictest is assumed."),
        click.option("--jkk-risk", metavar="CLASS",
                     help="JKK risk class: very-low/sangat rendah, low/rendah, medium/sedang, high/tinggi, "
                          "very-high/sangat tinggi (or I-V)."),
        click.option("--period", metavar="MONTH",
                     help="Contribution month: 2025-06, 06/2025 or Juni 2025 (default: company sheet or title row)."),
        click.option("--province", help="Province, for the minimum wage (e.g. Bengkulu)."),
        click.option("--regency", help="Regency or city (kabupaten/kota), for its UMK (e.g. \"Kota Bengkulu\")."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def company_from_options(company_name, company_address, npp, company_size, jkk_risk, period, province, regency):
    from compliance.ingest.company import NotUnderstood, company_from_values

    try:
        return company_from_values({"name": company_name, "address": company_address, "npp": npp,
                                    "size": company_size, "jkk_risk": jkk_risk, "period": period,
                                    "province": province, "regency": regency})
    except NotUnderstood as exc:
        hint = {"size": "--company-size", "jkk_risk": "--jkk-risk", "period": "--period"}[exc.field]
        raise click.BadParameter(str(exc), param_hint=hint) from None


def read_and_check(payroll: Path, rule_set, registry, sheet, options, engine, encoding, delimiter, column_map,
                   map_file):
    """The payroll's bytes (read once), the payroll as read, and its check: what `check` and
    `annotate` share. A missing period is a one-line error that names --period."""
    from compliance.engine import check as run_check
    from compliance.ingest import read_payroll, read_registry

    source, name = payroll_source(payroll)
    content = source if isinstance(source, bytes) else _file_bytes(source)
    read = read_payroll(content, rule_set, name=name or str(payroll), sheet=sheet, options=options, engine=engine,
                        encoding=encoding, delimiter=delimiter_of(delimiter),
                        columns_map=columns_map_of(column_map, map_file))
    if "period" in read.needs:
        raise UnusableInput(f"{read.source.path}: no period found (company sheet, title row); "
                            "give it with --period (2025-06, 06/2025 or Juni 2025)")
    reg = read_registry(registry, rule_set) if registry else None
    return content, read, run_check(read, read.company, read.company.period, rule_set, reg)


def _file_bytes(path) -> bytes:
    from compliance.ingest.files import load_bytes

    return load_bytes(path)[0]

@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@company_options
@text_options
@map_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the messages.")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine: Great Expectations, or the same checks in plain pandas (faster start).")
@click.option("--limit", type=int, default=200, show_default=True, help="Data issues shown in text output.")
@rules_option
def validate(file, sheet, company_name, company_address, npp, company_size, jkk_risk, period, province, regency,
             encoding, delimiter, column_map, map_file, fmt, lang, engine, limit, rules_dir):
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
    from compliance.ingest import read_payroll
    from compliance.outputs import validate as out

    rule_set = load_rule_set(rules_dir)
    options = company_from_options(company_name, company_address, npp, company_size, jkk_risk, period, province, regency)
    source, name = payroll_source(file)
    payroll = read_payroll(source, rule_set, name=name, sheet=sheet, options=options, engine=engine,
                           encoding=encoding, delimiter=delimiter_of(delimiter),
                           columns_map=columns_map_of(column_map, map_file))
    if fmt == "json":
        click.echo(out.to_json(payroll, lang), nl=False)
    else:
        click.echo(out.to_text(payroll, lang, limit=limit))
    sys.exit(EXIT_OK if payroll.rows_with_issues == 0 else EXIT_FINDINGS)


def letter_options(f):
    """How letters are made: stage, office, numbering, date."""
    options = [
        click.option("--stage", type=click.IntRange(1, 2), default=1, show_default=True,
                     help="1: first written warning; 2: the second (the law allows no third)."),
        click.option("--all-letters", is_flag=True, help="Also a confirmation letter for a compliant company."),
        click.option("--full-nik", is_flag=True, help="Show whole NIKs in the appendix (default: last 4 digits)."),
        click.option("--reissue", is_flag=True, help="Issue a new number even if this company and period has one."),
        click.option("--office-config", type=click.Path(path_type=Path, dir_okay=False),
                     help="Office details and numbering (default templates/office.yaml)."),
        click.option("--office-name", help="Issuing office (letterhead)."),
        click.option("--office-address", help="Issuing office address."),
        click.option("--signer-name", help="Name in the signature block."),
        click.option("--signer-title", help="Title in the signature block."),
        click.option("--letter-date", metavar="YYYY-MM-DD", help="Date of the letter (default today)."),
        click.option("--deadline-days", type=click.IntRange(min=1),
                     help="Working days to comply, at most what the law allows, 10 (default: the office file's)."),
        click.option("--draft", is_flag=True,
                     help="A draft: DRAFT across each page; allowed while the signer is still the placeholder."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def letter_settings(lang, stage, all_letters, full_nik, reissue, letter_date, deadline_days, draft, templates_dir):
    import datetime as dt

    from compliance.outputs.letters import Settings
    from compliance.resources import templates_dir as bundled

    try:
        date = dt.date.fromisoformat(letter_date) if letter_date else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"not a date: {letter_date!r} (YYYY-MM-DD)", param_hint="--letter-date")
    return Settings(lang=lang, stage=stage, date=date, full_nik=full_nik, all_letters=all_letters, reissue=reissue,
                    deadline_days=deadline_days, templates=templates_dir or bundled(), draft=draft)


def office_of(office_config, office_name, office_address, signer_name, signer_title, templates_dir,
              saved: dict | None = None):
    from compliance.outputs.letters import load_office, office_from_dict

    overrides = {"name": office_name, "address": office_address, "signer_name": signer_name,
                 "signer_title": signer_title}
    if saved and not office_config:
        return office_from_dict({**saved, **{k: v for k, v in overrides.items() if v}}, "report office")
    return load_office(office_config, overrides, templates_dir)


def register_option(f):
    return click.option("--register", "register_at", metavar="PATH|URL",
                        help="The office's case register: a SQLite file or a PostgreSQL URL "
                             "(default: `register` in the office file).")(f)


def open_register(register_at, office):
    from compliance.register import Register

    return Register.open(register_at or office.register)


def echo_letter(issued, out):
    if issued.skipped:
        click.echo(f"no letter: {issued.skipped}", err=True)
    else:
        how = "already issued, rendered again" if issued.reused else "issued"
        click.echo(f"letter {issued.number} {how}: " + ", ".join(str(p) for p in issued.paths), err=True)


@main.command()
@click.argument("payroll", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
              help="Participant registry extract (CSV/XLSX: NPP,KPJ,NIK,NAMA,TGL_LAHIR,UPAH,PROGRAM,STATUS).")
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@company_options
@text_options
@map_options
@rules_option
@templates_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Write report.json, findings.csv and findings.xlsx into this folder.")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine.")
@click.option("--limit", type=int, default=100, show_default=True, help="Findings shown in text output.")
@click.option("--letter", is_flag=True, help="Also write letter.html and letter.pdf into --out (see `letter`).")
@register_option
@letter_options
def check(payroll, registry, sheet, company_name, company_address, npp, company_size, jkk_risk, period, province,
          regency, encoding, delimiter, column_map, map_file, rules_dir, templates_dir, lang, fmt, out, engine, limit, letter, register_at, stage, all_letters,
          full_nik, reissue, office_config, office_name, office_address, signer_name, signer_title, letter_date, deadline_days, draft):
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

    if letter and not out:
        raise click.UsageError("--letter writes beside the report: give --out DIR")
    rule_set = load_rule_set(rules_dir)
    options = company_from_options(company_name, company_address, npp, company_size, jkk_risk, period, province, regency)
    office = (office_of(office_config, office_name, office_address, signer_name, signer_title, templates_dir)
              if letter else None)
    settings = letter_settings(lang, stage, all_letters, full_nik, reissue, letter_date, deadline_days, draft,
                               templates_dir)
    content, data, report = read_and_check(payroll, rule_set, registry, sheet, options, engine, encoding, delimiter,
                                           column_map, map_file)
    document = None
    if out:
        written, document = out_mod.write_outputs(report, rule_set, out, lang,
                                                  {"office": office.to_dict()} if office else None)
        written.append(_write_annotated(content, data, document, rule_set, lang, out))
        click.echo("wrote " + ", ".join(str(p) for p in written if p), err=True)
    if letter:
        import hashlib

        reg = open_register(register_at, office)
        check_id = reg.record_check(document, "check", settings.date, hashlib.sha256(content).hexdigest())
        echo_letter(reg.issue_letter(document, out, office, settings, rule_set, check_id), out)
    if fmt == "json":
        from compliance.outputs import report as contract

        stdout = sys.stdout.buffer
        for chunk in (contract.json_chunks(document) if document is not None else
                      contract.to_json(report, rule_set, lang)):
            stdout.write(chunk)
        stdout.flush()
    else:
        click.echo(out_mod.to_text(report, rule_set, lang, limit))
    sys.exit(EXIT_OK if report.compliant else EXIT_FINDINGS)


@main.command()
@click.argument("report_file", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for letter.html and letter.pdf (default: the report's folder).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@rules_option
@templates_option
@register_option
@letter_options
def letter(report_file, out, lang, rules_dir, templates_dir, register_at, stage, all_letters, full_nik, reissue,
           office_config, office_name, office_address, signer_name, signer_title, letter_date, deadline_days, draft):
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

    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        _check_report(report)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnusableInput(f"{report_file}: not a check report ({' '.join(str(exc).split())[:160]})") from None
    rule_set = load_rule_set(rules_dir)
    office = office_of(office_config, office_name, office_address, signer_name, signer_title, templates_dir,
                       report.get("office"))
    settings = letter_settings(lang, stage, all_letters, full_nik, reissue, letter_date, deadline_days, draft,
                               templates_dir)
    reg = open_register(register_at, office)
    issued = reg.issue_letter(report, out or report_file.parent, office, settings, rule_set)
    echo_letter(issued, out)
    sys.exit(EXIT_OK)


def _check_report(report: dict) -> None:
    """A saved report must follow the contract (docs/schemas/check-report.schema.json)."""
    from compliance.outputs.report import SCHEMA_VERSION

    if not isinstance(report, dict):
        raise TypeError("not a JSON object")
    if report.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"schema_version {report.get('schema_version')!r} is not {SCHEMA_VERSION}; "
                         "run `compliance check --out` again with this version")
    needed = {"ruleset_version", "period", "company", "source", "totals", "compliant", "rules", "findings",
              "data_issues"}
    missing = needed - set(report)
    if missing:
        raise KeyError(f"missing {', '.join(sorted(missing))}")


@main.command()
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
@click.option("--period", metavar="MONTH", help="Contribution month for files that do not say (2025-06, Juni 2025).")
@click.option("--target", type=click.FloatRange(0, 100),
              help="The branch's coverage target, in percent (default: coverage_target in rules/, 48 %, "
                   "UNCONFIRMED; the summary says where the target came from).")
@click.option("--jobs", type=click.IntRange(min=1), help="Local worker processes (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on an existing Dask cluster (e.g. tcp://10.0.0.5:8786) instead of local processes.")
@click.option("--force", is_flag=True, help="Check every file again, even those unchanged since the last run.")
@click.option("--letters/--no-letters", default=True, show_default=True,
              help="Warning letters for companies with violations and for listed vendors.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine.")
@rules_option
@templates_option
@register_option
@click.option("--office-config", type=click.Path(path_type=Path, dir_okay=False),
              help="Office details and numbering (default templates/office.yaml).")
@click.option("--signer-name", help="Name in the signature block.")
@click.option("--letter-date", metavar="YYYY-MM-DD", help="Date of the letters (default today).")
@click.option("--deadline-days", type=click.IntRange(min=1), help="Working days to comply (at most 10).")
@click.option("--draft", is_flag=True, help="Draft letters: DRAFT across each page.")
@click.option("--full-nik", is_flag=True, help="Whole NIKs in the letters' appendix (default: last 4 digits).")
@click.option("--quiet", "-q", is_flag=True, help="No progress or status lines (errors still go to stderr).")
@click.option("--stats", "stats_file", type=click.Path(path_type=Path, dir_okay=False), hidden=True,
              help="Write timings and peak memory as JSON (benchmarks/audit.py).")
def audit(inputs, registry, companies, licences, out, period, target, jobs, scheduler, force, letters, lang, fmt,
          engine, rules_dir, templates_dir, register_at, office_config, signer_name, letter_date, deadline_days,
          draft, full_nik, quiet, stats_file):
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
    import json

    from compliance.audit import AuditOptions, run_audit
    from compliance.audit.inputs import digest, file_digest, find_submissions, folder_digest
    from compliance.audit.run import Progress
    from compliance.audit.runners import runner as make_runner
    from compliance.audit.work import Shared
    from compliance.ingest.lists import read_companies, read_licences
    from compliance.outputs.audit import write_summary
    from compliance.outputs.report import issue_records
    from compliance.resources import rules_dir as bundled_rules
    from compliance.resources import templates_dir as bundled_templates

    rule_set = load_rule_set(rules_dir)
    options = company_from_options(None, None, None, None, None, period, None, None)
    office = office_of(office_config, None, None, signer_name, None, templates_dir)
    settings = letter_settings(lang, 1, False, full_nik, False, letter_date, deadline_days, draft, templates_dir)
    if letters and office.signer_is_placeholder and not draft:
        raise UnusableInput(f"the signer is still the placeholder {office.signer_name!r}: set signer.name in the "
                            "office file (or --signer-name), make --draft letters, or use --no-letters")
    import time

    def say(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    reg = open_register(register_at, office)
    started = time.perf_counter()
    prepared = None
    if registry:
        say(f"reading the registry {registry} ...")
        prepared = _prepare_registry(registry, rule_set, out)
    registry_seconds = time.perf_counter() - started
    listed = read_companies(companies, rule_set) if companies else None
    licence_list = read_licences(licences, rule_set) if licences else None
    base = digest(folder_digest(rules_dir or bundled_rules()), file_digest(registry), file_digest(companies),
                  json.dumps(options.to_dict() if options else None, sort_keys=True), lang, engine)
    shipped = None
    if prepared:                          # a Dask cluster gets the prepared registry's bytes, not paths
        shipped = dict(prepared) if not scheduler else {
            **prepared, "table": Path(prepared["table"]).read_bytes(), "issues": Path(prepared["issues"]).read_bytes()}
        for key in ("npps", "rows", "active", "issues_count"):
            shipped.pop(key, None)
    shared = Shared(rule_set, None, listed.table if listed else None, options, lang, engine, shipped)
    audit_options = AuditOptions(
        out=out, base_fingerprint=base, target=_target(target, rule_set, settings.date), force=force, letters=letters, office=office,
        letter_settings=settings, exclude={p for p in (registry, companies, licences) if p},
        registry_info=prepared, licences=licence_list.table if licence_list else None, today=settings.date,
        list_issues={"companies": issue_records(listed.issues, listed.sheet, lang) if listed else [],
                     "licences": issue_records(licence_list.issues, licence_list.sheet, lang) if licence_list else [],
                     "registry": prepared["issues_count"] if prepared else 0})
    work_runner = make_runner(shared, scheduler, jobs)
    say(f"auditing on {work_runner.where}")
    try:
        subs = find_submissions(list(inputs), audit_options.exclude | {out})
        total = len(subs)
        if sys.stderr.isatty() and not quiet:
            with click.progressbar(length=total, label="audit: files", file=sys.stderr, show_eta=True,
                                   show_pos=True, item_show_func=lambda rate: rate) as bar:
                progress = Progress(total, None, bar)
                summary = run_audit(subs, shared, audit_options, work_runner, reg, progress)
        else:
            progress = Progress(total, say)
            summary = run_audit(subs, shared, audit_options, work_runner, reg, progress)
    finally:
        work_runner.close()
    for count, what in ((len(listed.issues) if listed else 0, companies),
                        (len(licence_list.issues) if licence_list else 0, licences),
                        (prepared["issues_count"] if prepared else 0, registry)):
        if count:      # shown even with --quiet: rows of the lists that could not be read
            click.echo(f"{what}: {count} data issue(s) (listed in summary.json, list_issues)", err=True)
    started = time.perf_counter()
    paths = write_summary(summary, out, rule_set, lang, templates_dir or bundled_templates())
    if stats_file:
        from compliance.outputs.files import write_atomic

        stats = {**audit_options.stats, "registry_seconds": registry_seconds,
                 "registry_rows": prepared["rows"] if prepared else 0,
                 "write_summary_seconds": time.perf_counter() - started, "jobs": work_runner.jobs}
        write_atomic(stats_file, json.dumps(stats, indent=1).encode())
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(audit_text(summary))
    say(f"wrote {', '.join(str(p) for p in paths)}; open {paths[2]}")
    files = summary["files"]
    clean = files["refused"] == 0 and files["not_tied"] == 0 and all(c["compliant"] for c in summary["companies"])
    sys.exit(EXIT_OK if clean else EXIT_FINDINGS)


def _target(given: float | None, rule_set, date) -> dict:
    """The coverage target and where it comes from: --target, else the rule set's dated value
    with its reference and mark (domain reference section 10)."""
    from compliance.model import Period

    if given is not None:
        return {"pct": given, "source": "--target"}
    v = rule_set.parameters.at("coverage_target", Period(date.year, date.month))
    return {"pct": float(v.value), "source": "rules", "reference": v.reference, "domain": v.domain, "mark": v.mark}


def _prepare_registry(registry: Path, rule_set, out: Path) -> dict:
    """The registry read in a child process (compliance.audit.work.prepare_registry): the
    parent's memory never holds it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from compliance.audit.run import STATE
    from compliance.audit.work import prepare_registry

    (out / STATE).mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(prepare_registry, str(registry), rule_set, str(out / STATE)).result()


def audit_text(s: dict) -> str:
    from compliance.outputs.report import rupiah

    cov, f, t = s["coverage"], s["files"], s["totals"]
    pct = "-" if cov["pct"] is None else f"{cov['pct']:.2f} %"
    lines = [f"branch audit {', '.join(s['periods']) or '-'}: coverage {pct} of {cov['workers']} workers "
             f"(target {cov['target_pct']:g} %{' ' + cov['target']['mark'] if cov['target'].get('mark') else ''}: "
             f"{cov['participants_to_target']} more participants needed)",
             f"files: {f['given']} given = {f['audited']} audited + {f['refused']} refused + {f['not_tied']} not tied",
             f"employer violations {t['violations']}, monthly shortfall {rupiah(t['shortfall_idr'])}, "
             f"vendor violations {t['vendor_violations']}, letters {t['letters']}",
             f"ghosts {len(s['ghosts'])}, workers on two payrolls {len(s['duplicates'])}, "
             f"PWBD candidates {len(s['pwbd']['companies'])} companies + {len(s['pwbd']['licences'])} licences"]
    for c in sorted(s["companies"], key=lambda c: (-c["unregistered"], c["name"] or ""))[:10]:
        lines.append(f"  {c['npp'] or '-':<10} {str(c['name'] or '-')[:40]:<40} workers {c['workers']:>6} "
                     f"unregistered {c['unregistered']:>5} shortfall {rupiah(c['shortfall_idr']):>16}"
                     + (f"  +{c['vendor_unregistered']} the vendor's" if c["vendor_unregistered"] else "")
                     + (f"  letter {c['letter']}" if c["letter"] else ""))
    for what, files in (("refused", s["refused"]), ("not tied", s["not_tied"])):
        lines += [f"  {what}: {r['file']}: {r['reason']}" for r in files]
    return "\n".join(lines)


@main.command()
@click.argument("payroll", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The annotated copy (.xlsx).")
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
              help="Participant registry extract (as for `check`).")
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@company_options
@text_options
@map_options
@rules_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine.")
def annotate(payroll, out, registry, sheet, company_name, company_address, npp, company_size, jkk_risk, period,
             province, regency, encoding, delimiter, column_map, map_file, rules_dir, lang, engine):
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
    from compliance.outputs.files import write_atomic

    rule_set = load_rule_set(rules_dir)
    options = company_from_options(company_name, company_address, npp, company_size, jkk_risk, period, province, regency)
    data, payroll_read, report = read_and_check(payroll, rule_set, registry, sheet, options, engine, encoding,
                                                delimiter, column_map, map_file)
    d = contract.to_dict(report, rule_set, lang)
    write_atomic(out, mark(data, payroll_read, d, rule_set, lang))
    marks = len(d["findings"]) + sum(1 for i in d["data_issues"] if i["row"] is not None)
    click.echo(f"wrote {out}: {len(d['findings'])} finding(s), {len(d['data_issues'])} data issue(s) marked", err=True)
    sys.exit(EXIT_OK if marks == 0 else EXIT_FINDINGS)


ANNOTATE_MAX_ROWS = 20_000    # openpyxl rewrites the whole workbook: beyond this, `compliance annotate` on request


def _write_annotated(content: bytes, payroll, document: dict, rule_set, lang: str, out: Path) -> Path | None:
    """annotated.xlsx beside the report (the employer's own workbook, marked)."""
    from compliance.outputs.annotate import annotate as mark
    from compliance.outputs.files import write_atomic

    if payroll.source.rows_read > ANNOTATE_MAX_ROWS:
        click.echo(f"annotated.xlsx not written: {payroll.source.rows_read:,} rows (more than "
                   f"{ANNOTATE_MAX_ROWS:,}); run `compliance annotate` for it", err=True)
        return None
    path = out / "annotated.xlsx"
    write_atomic(path, mark(content, payroll, document, rule_set, lang))
    return path

@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the blank payroll workbook (.xlsx).")
@rules_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the notes and messages (the headers are the Indonesian ones the reader knows).")
def template(out, rules_dir, lang):
    """Write a blank payroll workbook that prevents the common errors.

    \b
    A `Perusahaan` sheet with dropdowns (Skala Usaha, Tingkat Risiko JKK,
    Kabupaten/Kota), and the payroll sheet with NIK and KPJ kept as text and
    checked for 16 and 11 digits, dropdowns for worker type and programs,
    date and rupiah formats, an example row (CONTOH, skipped when read) and a
    note on each header. Filled in by hand, it reads with no assumption.

    \b
    Examples:
      compliance template --out gaji-template.xlsx
      compliance template --out payroll-template.xlsx --lang en
    """
    from compliance.outputs.files import write_atomic
    from compliance.outputs.template import template_xlsx

    write_atomic(out, template_xlsx(load_rule_set(rules_dir), lang))
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--max-upload-mb", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Largest upload accepted (413 above).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds a check may take (503 after).")
@click.option("--concurrent", type=click.IntRange(min=1), default=4, show_default=True,
              help="Checks at once; others wait.")
@click.option("--root-path", default="", help="The path prefix when served behind a reverse proxy (e.g. /cek).")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="pandas", show_default=True,
              help="Data-quality engine (the same checks; pandas has no per-request start-up).")
@rules_option
@templates_option
def serve(host, port, max_upload_mb, timeout_s, concurrent, root_path, engine, rules_dir, templates_dir):
    """Serve the employer's self-check page and the API for scripts.

    \b
    The page (Indonesian, with an English switch): drop a payroll, see how it
    was read and fix an unrecognised column, fill in missing company details,
    see the findings by family with what to do and the contributions owed,
    and download findings.xlsx, the marked payroll and the blank template.
    Nothing is stored beyond the request. One process (uvicorn) by default;
    behind a branch's reverse proxy give --root-path.

    \b
    API: POST /api/check, a multipart form with the payroll in `file` and
    optional `period`, `company_size`, `jkk_risk`, `regency`, `npp`,
    `company_name`, `lang`; the report contract's JSON (200), or a JSON error
    (400, 413, 415).

    \b
    Examples:
      compliance serve
      compliance serve --host 0.0.0.0 --port 8080 --root-path /cek
      curl -F file=@gaji.xlsx -F period=2025-06 http://127.0.0.1:8000/api/check
    """
    import uvicorn

    from compliance.web import WebSettings, create_app

    app = create_app(WebSettings(max_upload_mb=max_upload_mb, timeout_s=timeout_s, concurrent=concurrent,
                                 engine=engine, rules=rules_dir, templates=templates_dir))
    click.echo(f"compliance: serving on http://{host}:{port}{root_path}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, root_path=root_path, log_level="warning", server_header=False,
                timeout_keep_alive=5)


@main.group()
def cases():
    """The office's cases: warnings, deadlines, re-checks and what is due.

    \b
    Examples:
      compliance cases list
      compliance cases list --status due-stage-2 --format json
      compliance cases list --format xlsx --out kasus.xlsx
      compliance cases show 17010234
    """


def office_register_options(f):
    f = register_option(f)
    return click.option("--office-config", type=click.Path(path_type=Path, dir_okay=False),
                        help="Office file naming the register (default templates/office.yaml).")(f)


@cases.command("list")
@click.option("--status", type=click.Choice(["open", "due-stage-2", "due-sanction", "closed"]),
              help="Only the cases in this state.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="The date the states are computed for (default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="File for --format xlsx.")
@office_register_options
def cases_list(status, as_of, fmt, out, register_at, office_config):
    """List the cases with their state: open, due-stage-2 (the first warning's
    deadline has passed), due-sanction (the second's has: the fine, then withheld
    public services; a recommendation, never a letter), closed."""
    import datetime as dt
    import json

    from compliance.outputs.letters import load_office

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"not a date: {as_of!r} (YYYY-MM-DD)", param_hint="--as-of")
    rows = open_register(register_at, load_office(office_config)).cases(day, status)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "xlsx":
        if not out:
            raise click.UsageError("--format xlsx writes a file: give --out FILE.xlsx")
        from compliance.outputs.xlsx import write_table

        write_table(out, "Kasus", list(rows[0]) if rows else ["npp"], [list(r.values()) for r in rows])
        click.echo(f"wrote {out} ({len(rows)} cases)", err=True)
    else:
        click.echo(f"{len(rows)} case(s) as of {day.isoformat()}")
        for r in rows:
            click.echo(f"{r['npp'] or '-':<10} {str(r['company'])[:30]:<30} {r['period']}  {r['status']:<13} "
                       f"stage {r['stage']}  {r['last_letter'] or '-'}  deadline {r['deadline'] or '-'}")
            if r["recommendation"]:
                click.echo(f"{'':<11}{r['recommendation']}")


@cases.command("show")
@click.argument("npp")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@office_register_options
def cases_show(npp, fmt, register_at, office_config):
    """The history of one company (by NPP): its checks and letters."""
    import json

    from compliance.outputs.letters import load_office

    h = open_register(register_at, load_office(office_config)).history(npp)
    if fmt == "json":
        click.echo(json.dumps(h, ensure_ascii=False, indent=2))
        return
    c = h["company"]
    click.echo(f"{c['name']}  NPP {c['npp']}  {c['address'] or ''}")
    click.echo("checks:")
    for x in h["checks"]:
        click.echo(f"  {x['checked_on']}  period {x['period']}  workers {x['workers']}  violations {x['violations']}"
                   f"  shortfall {x['shortfall_idr']}  {'compliant' if x['compliant'] else 'not compliant'}")
    click.echo("letters:")
    for x in h["letters"]:
        click.echo(f"  {x['date']}  {x['number']}  period {x['period']}  stage {x['stage']}  {x['status']}"
                   f"  deadline {x['deadline'] or '-'}{'  DRAFT' if x['draft'] else ''}")


@main.group("register")
def register_group():
    """The office's register itself.

    \b
    Examples:
      compliance register import-ledger hasil/ledger.jsonl
      compliance register import-ledger hasil/ledger.jsonl --register postgresql+psycopg://kantor/compliance
    """


@register_group.command("import-ledger")
@click.argument("ledger_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@office_register_options
def register_import_ledger(ledger_file, register_at, office_config):
    """Bring the letters of an earlier version's ledger.jsonl into the register."""
    from compliance.outputs.letters import load_office

    n = open_register(register_at, load_office(office_config)).import_ledger(ledger_file)
    click.echo(f"imported {n} letter(s) from {ledger_file}")


@main.group()
def rules():
    """List, show and test the rule files.

    \b
    Examples:
      compliance rules list
      compliance rules show unregistered-worker
      compliance rules test
    """


@rules.command("list")
@rules_option
def rules_list(rules_dir):
    """List rules with family, severity, effective dates and citations."""
    rs = load_rule_set(rules_dir)
    click.echo(f"rule set {rs.version}: {len(rs.rules)} rules")
    for r in rs.rules:
        until = r.effective_to.isoformat() if r.effective_to else "..."
        click.echo(f"{r.id:<32} v{r.version}  {r.family:<12} {r.severity:<9} {r.effective_from} - {until}")
        for c in r.legal_basis:
            click.echo(f"{'':<36}{c.citation} [{c.mark}; domain {c.domain}]")


@rules.command("show")
@click.argument("rule_id")
@rules_option
def rules_show(rule_id, rules_dir):
    """Show one rule file."""
    rs = load_rule_set(rules_dir)
    try:
        rule = rs.get(rule_id)
    except KeyError:
        raise click.BadParameter(f"no rule {rule_id!r}; see `compliance rules list`", param_hint="RULE_ID")
    click.echo(Path(rule.path).read_text(encoding="utf-8"))


@rules.command("test")
@rules_option
def rules_test(rules_dir):
    """Run the rule files' own test cases."""
    from compliance.rulecases import all_cases, run_case

    rs = load_rule_set(rules_dir)
    passed = failed = 0
    for rule, case in all_cases(rs):
        failures = run_case(rs, rule, case)
        if failures:
            failed += 1
            click.echo(f"FAIL {rule.id} :: {case['name']}")
            for f in failures:
                click.echo(f"     {f}")
        else:
            passed += 1
            click.echo(f"ok   {rule.id} :: {case['name']}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(EXIT_OK if failed == 0 else EXIT_FINDINGS)


if __name__ == "__main__":
    main()

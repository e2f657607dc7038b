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
      compliance rules list
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def company_options(f):
    """Company details on the command line; they win over the company sheet and title rows."""
    options = [
        click.option("--company-name", help="Company name."),
        click.option("--npp", help="Company registration number (NPP)."),
        click.option("--company-size", type=click.Choice(["micro", "small", "medium", "large"]),
                     help="Business size (skala usaha); unknown: the strictest is assumed."),
        click.option("--jkk-risk", type=click.Choice(["very-low", "low", "medium", "high", "very-high"]),
                     help="JKK risk class set for the company."),
        click.option("--period", metavar="YYYY-MM", help="Contribution month (default: company sheet or title row)."),
        click.option("--province", help="Province, for the minimum wage (e.g. Bengkulu)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def company_from_options(company_name, npp, company_size, jkk_risk, period, province):
    from compliance.model import Company, Period

    values = {"name": company_name, "npp": npp, "size": company_size, "jkk_risk": jkk_risk, "province": province}
    if period:
        try:
            values["period"] = Period.parse(period)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--period")
    values = {k: v for k, v in values.items() if v is not None}
    return Company(**values, sources={k: "option" for k in values}) if values else None


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@company_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the messages.")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine: Great Expectations, or the same checks in plain pandas (faster start).")
@click.option("--limit", type=int, default=200, show_default=True, help="Data issues shown in text output.")
def validate(file, sheet, company_name, npp, company_size, jkk_risk, period, province, fmt, lang, engine, limit):
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
    """
    from compliance.ingest import read_payroll
    from compliance.outputs import validate as out

    options = company_from_options(company_name, npp, company_size, jkk_risk, period, province)
    payroll = read_payroll(file, sheet=sheet, options=options, engine=engine)
    if fmt == "json":
        click.echo(out.to_json(payroll, lang))
    else:
        click.echo(out.to_text(payroll, lang, limit=limit))
    sys.exit(EXIT_OK if payroll.rows_with_issues == 0 else EXIT_FINDINGS)


@main.command()
@click.argument("payroll", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
              help="Participant registry extract (CSV/XLSX: NPP,KPJ,NIK,NAMA,TGL_LAHIR,UPAH,PROGRAM,STATUS).")
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@company_options
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Rule folder (default: the bundled rules/).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Write report.json, findings.csv and findings.xlsx into this folder.")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine.")
@click.option("--limit", type=int, default=100, show_default=True, help="Findings shown in text output.")
def check(payroll, registry, sheet, company_name, npp, company_size, jkk_risk, period, province, rules_dir, lang,
          fmt, out, engine, limit):
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
    """
    from compliance.engine import check as run_check
    from compliance.engine import load_rules
    from compliance.ingest import read_payroll
    from compliance.ingest.registry import read_registry
    from compliance.outputs import check as out_mod
    from compliance.resources import rules_dir as default_rules

    rule_set = load_rules(rules_dir or default_rules())
    options = company_from_options(company_name, npp, company_size, jkk_risk, period, province)
    data = read_payroll(payroll, sheet=sheet, options=options, engine=engine)
    reg = read_registry(registry) if registry else None
    report = run_check(data, rule_set, reg)
    if out:
        written = out_mod.write_outputs(report, out, lang)
        click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
    click.echo(out_mod.to_json(report, lang) if fmt == "json" else out_mod.to_text(report, lang, limit))
    sys.exit(EXIT_OK if report.compliant else EXIT_FINDINGS)


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
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False))
def rules_list(rules_dir):
    """List rules with family, severity, effective dates and citations."""
    from compliance.engine import load_rules
    from compliance.resources import rules_dir as default_rules

    rs = load_rules(rules_dir or default_rules())
    click.echo(f"rule set {rs.version}: {len(rs.rules)} rules")
    for r in rs.rules:
        until = r.effective_to.isoformat() if r.effective_to else "..."
        click.echo(f"{r.id:<32} v{r.version}  {r.family:<12} {r.severity:<9} {r.effective_from} - {until}")
        for c in r.legal_basis:
            click.echo(f"{'':<36}{c.citation} [{c.mark}; domain {c.domain}]")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False))
def rules_show(rule_id, rules_dir):
    """Show one rule file."""
    from compliance.engine import load_rules
    from compliance.resources import rules_dir as default_rules

    rs = load_rules(rules_dir or default_rules())
    try:
        rule = rs.get(rule_id)
    except KeyError:
        raise click.BadParameter(f"no rule {rule_id!r}; see `compliance rules list`", param_hint="RULE_ID")
    click.echo(Path(rule.path).read_text(encoding="utf-8"))


@rules.command("test")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False))
def rules_test(rules_dir):
    """Run the rule files' own test cases."""
    from compliance.engine import load_rules
    from compliance.engine.cases import all_cases, run_case
    from compliance.resources import rules_dir as default_rules

    rs = load_rules(rules_dir or default_rules())
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

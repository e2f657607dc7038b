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
      compliance validate payroll.csv --format json
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sheet", help="Sheet holding the payroll (default: found from its header row).")
@click.option("--period", metavar="YYYY-MM", help="Contribution month (default: company sheet or title row).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the messages.")
@click.option("--engine", type=click.Choice(["gx", "pandas"]), default="gx", show_default=True,
              help="Data-quality engine: Great Expectations, or the same checks in plain pandas (faster start).")
@click.option("--limit", type=int, default=200, show_default=True, help="Data issues shown in text output.")
def validate(file, sheet, period, fmt, lang, engine, limit):
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
    from compliance.model import Company, Period
    from compliance.outputs import validate as out

    options = None
    if period:
        try:
            options = Company(period=Period.parse(period), sources={"period": "option"})
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--period")
    payroll = read_payroll(file, sheet=sheet, options=options, engine=engine)
    if fmt == "json":
        click.echo(out.to_json(payroll, lang))
    else:
        click.echo(out.to_text(payroll, lang, limit=limit))
    sys.exit(EXIT_OK if payroll.rows_with_issues == 0 else EXIT_FINDINGS)


if __name__ == "__main__":
    main()

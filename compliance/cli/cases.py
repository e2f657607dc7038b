"""cases and register: the office's case register."""
from __future__ import annotations

import json
from pathlib import Path

import click

from compliance.cli.options import date_of, echo, lang_option, register_option, say, write_bytes, xlsx_out


def office_register_options(f):
    f = register_option(f)
    return click.option("--office-config", type=click.Path(path_type=Path, dir_okay=False),
                        help="Office file naming the register (default templates/office.yaml).")(f)


def _register(register_at, office_config):
    from compliance.office import load_office
    from compliance.register import Register

    return Register.open(register_at or load_office(office_config).register)


@click.group()
def cases():
    """The office's cases: warnings, deadlines, re-checks and what is due.

    \b
    Examples:
      compliance cases list
      compliance cases list --status due-stage-2 --format json
      compliance cases list --format xlsx --out kasus.xlsx
      compliance cases show 17010234 --lang en
    """


@cases.command("list")
@click.option("--status", type=click.Choice(["open", "due-stage-2", "due-sanction", "closed"]),
              help="Only the cases in this state.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="The date the states are computed for (default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="File for --format xlsx.")
@lang_option
@office_register_options
def cases_list(status, as_of, fmt, out, lang, register_at, office_config):
    """List the cases with their state: open, due-stage-2 (the first warning's
    deadline has passed), due-sanction (the second's has: the fine, then withheld
    public services; a recommendation, never a letter), closed."""
    from compliance.outputs.cases import case_rows, cases_text

    day = date_of(as_of, "--as-of")
    rows = _register(register_at, office_config).cases(day, status)
    if fmt == "json":
        click.echo(json.dumps(case_rows(rows, lang), ensure_ascii=False, indent=2))
    elif fmt == "xlsx":
        if not out:
            raise click.UsageError(say("xlsx_needs_out"))
        from compliance.outputs.cases import cases_xlsx

        write_bytes(xlsx_out(out), cases_xlsx(rows, lang))
        echo(say("wrote_cases", path=str(out), n=len(rows)))
    else:
        click.echo(cases_text(rows, day, lang))


@cases.command("show")
@click.argument("npp")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@office_register_options
def cases_show(npp, fmt, lang, register_at, office_config):
    """The history of one company (by NPP): its checks and letters."""
    from compliance.outputs.cases import history_text

    h = _register(register_at, office_config).history(npp)
    if fmt == "json":
        click.echo(json.dumps(h, ensure_ascii=False, indent=2))
    else:
        click.echo(history_text(h, lang))


@click.group("register")
def register_group():
    """The office's register itself.

    \b
    Examples:
      compliance register import-ledger hasil/ledger.jsonl
      compliance register import-ledger hasil/ledger.jsonl --register postgresql+psycopg://kantor/compliance
    """


@register_group.command("import-ledger")
@click.argument("ledger_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@lang_option
@office_register_options
def register_import_ledger(ledger_file, lang, register_at, office_config):
    """Bring the letters of an earlier version's ledger.jsonl into the register."""
    n = _register(register_at, office_config).import_ledger(ledger_file)
    echo(say("imported", n=n, file=str(ledger_file)), err=False)

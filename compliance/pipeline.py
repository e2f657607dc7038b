"""One way to check a file, for every face (the command line, the page, the audit's workers, the
tests):

    result = check_file(data, "gaji.xlsx", rule_set, company=options, registry=registry)
    if isinstance(result, Needs):      # the user can still give what is missing
        ...  result.needs == ["period"] / ["sheet"] / ["column:nik", ...]; result.problem words it
    else:
        result.report                  # check()'s Report; result.payroll is the file as read

Company details are merged in one order, each later source winning where it has a value:

    the file's company sheet  <  its title rows  <  the companies list (an audit)  <  the options

A refusal that nothing the user types can mend (a PDF, a damaged workbook) is raised as
UnusableInput; what the user can give (a period, a sheet, a column's header) comes back as Needs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from compliance.engine import check
from compliance.errors import UnusableInput
from compliance.ingest import read_payroll
from compliance.ingest.files import load_bytes
from compliance.model import Company, Payroll, Report, RuleSet

__all__ = ["check_file", "Checked", "Needs", "sheet_grid"]


@dataclass
class Checked:
    """A file read and checked."""

    data: bytes                 # the file's bytes, read once (a marked copy, a digest for the register)
    payroll: Payroll            # the file as read (its company: the file's own details)
    company: Company            # the details the check used, merged in the documented order
    report: Report
    tied: object = None         # what `listed` returned (an audit's companies-list entry), if anything


@dataclass
class Needs:
    """What the user must give before the file can be checked: codes such as "period", "sheet",
    "column:nik"; `problem` words it (a face adds how to give it: an option, a form field)."""

    needs: list[str]
    problem: UnusableInput
    data: bytes
    payroll: Payroll | None = None      # what was read, when the file itself could be read
    company: Company | None = None
    details: dict = field(default_factory=dict)


def check_file(data: bytes | str | Path, name: str | None, rule_set: RuleSet, *, company: Company | None = None,
               listed: Company | Callable[[Company], Company | None] | None = None,
               columns: dict[str, str] | None = None, sheet: str | None = None, registry=None,
               engine: str = "gx", encoding: str | None = None, delimiter: str | None = None) -> Checked | Needs:
    """Read one payroll (bytes with their file name, or a path), merge the company details, decide
    what is still needed, apply the registry and check it.

    `company`: what the user gave (options, a form). `listed`: the companies list's details, or a
    function of the file's own details returning them (None: the file is not tied to the list,
    which is a Needs of "company"). `columns`: field -> header as in the file. `registry`: a
    Registry, or an index with `for_payroll(table)` (the audit's) that cuts out what this file needs.
    """
    data, shown = load_bytes(data, name)
    try:
        payroll = read_payroll(data, rule_set, name=shown, sheet=sheet, engine=engine, encoding=encoding,
                               delimiter=delimiter, columns_map=columns or None,
                               options=Company(period=company.period) if company and company.period else None)
    except UnusableInput as exc:
        if exc.needs:
            return Needs(list(exc.needs), exc, data, details=dict(exc.data))
        raise
    tied = listed(payroll.file_company) if callable(listed) else listed
    if callable(listed) and tied is None:
        problem = UnusableInput("not-tied", file=shown, needs=["company"])
        return Needs(["company"], problem, data, payroll)
    merged = payroll.file_company
    for layer in (tied, company):
        if layer is not None:
            merged = merged.merged_with(layer)
    if merged.period is None:
        return Needs(["period"], UnusableInput("period-missing", file=shown, needs=["period"]), data, payroll, merged)
    if registry is not None and hasattr(registry, "for_payroll"):
        registry = registry.for_payroll(payroll.table)
    report = check(payroll, merged, merged.period, rule_set, registry)
    return Checked(data, payroll, merged, report, tied)



def sheet_grid(result: Checked):
    """The payroll sheet's cells as read (a text file's grid), for a marked copy of a file that is
    not an xlsx workbook; None for an xlsx, which is marked in place."""
    from compliance.ingest.files import read_file

    source = result.payroll.source
    if source.file_type in ("xlsx", "xlsm"):
        return None
    raw = read_file(result.data, source.path, source.encoding, source.delimiter)
    return next((s for s in raw.sheets if s.name == source.sheet), raw.sheets[0]).grid

"""Dated parameters (OpenFisca style): each value keyed by the date it took effect, with its
regulation, the row of the domain reference it comes from, and that row's mark.

The value in force for a period is the one whose date is the latest on or before the period's
last day. A period before the first date has no value: that is an error, never a guess.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from compliance.errors import RuleFileError
from compliance.model import MARKS, Parameter, Parameters, Value
from compliance.resources import check_keys, load_yaml

def load_parameters(folder: Path) -> Parameters:
    params: dict[str, Parameter] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise RuleFileError(f"{folder}: no parameter files")
    for path in files:
        data = load_yaml(path)
        where = str(path)
        if not isinstance(data, dict):
            raise RuleFileError(f"{where}: expected a mapping")
        check_keys(data, {"description", "unit", "parameters"}, where)
        for name, spec in (data.get("parameters") or {}).items():
            pwhere = f"{where}: {name}"
            if not isinstance(spec, dict):
                raise RuleFileError(f"{pwhere}: expected a mapping")
            check_keys(spec, {"description", "unit", "values", "renewed"}, pwhere)
            if spec.get("renewed") not in (None, "yearly"):
                raise RuleFileError(f"{pwhere}: renewed is `yearly` (a new value is expected every year) or absent")
            if name in params:
                raise RuleFileError(f"{pwhere}: defined twice (also in {params[name].source})")
            values = []
            for since, entry in (spec.get("values") or {}).items():
                if not isinstance(since, dt.date) or isinstance(since, dt.datetime):
                    raise RuleFileError(f"{pwhere}: {since!r} is not a date (YYYY-MM-DD)")
                if not isinstance(entry, dict):
                    raise RuleFileError(f"{pwhere} {since}: expected {{value, reference, domain, mark}}")
                check_keys(entry, {"value", "reference", "domain", "mark"}, f"{pwhere} {since}")
                missing = {"value", "reference", "domain", "mark"} - set(entry)
                if missing:
                    raise RuleFileError(f"{pwhere} {since}: missing {', '.join(sorted(missing))}")
                if entry["mark"] not in MARKS:
                    raise RuleFileError(f"{pwhere} {since}: mark must be one of {', '.join(sorted(MARKS))}")
                values.append(Value(since, entry["value"], str(entry["reference"]), str(entry["domain"]),
                                    entry["mark"]))
            if not values:
                raise RuleFileError(f"{pwhere}: no values")
            params[name] = Parameter(name, spec.get("description", ""), spec.get("unit", data.get("unit", "")),
                                     tuple(sorted(values, key=lambda v: v.since)), where, spec.get("renewed"))
    return Parameters(params)

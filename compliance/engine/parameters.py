"""Dated parameters (OpenFisca style): each value keyed by the date it took effect, with its
regulation, the row of the domain reference it comes from, and that row's mark.

The value in force for a period is the one whose date is the latest on or before the period's
last day. A period before the first date has no value: that is an error, never a guess.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from compliance.errors import RuleFileError
from compliance.model import Period
from compliance.resources import check_keys, load_yaml

MARKS = {"CONFIRMED", "CORROBORATED", "UNCONFIRMED"}


@dataclass(frozen=True)
class Value:
    since: dt.date
    value: object
    reference: str
    domain: str
    mark: str

    def to_dict(self, name: str) -> dict:
        return {"name": name, "value": self.value, "since": self.since.isoformat(), "reference": self.reference,
                "domain": self.domain, "mark": self.mark}


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[Value, ...]     # sorted by date
    source: str

    def at(self, period: Period) -> Value:
        found = None
        for v in self.values:
            if v.since <= period.last_day:
                found = v
        if found is None:
            raise RuleFileError(f"{self.source}: {self.name} has no value in force for {period} "
                                f"(first value from {self.values[0].since})")
        return found


class Parameters:
    """All parameters of a rule set, by name."""

    def __init__(self, params: dict[str, Parameter]):
        self._params = params

    def __contains__(self, name: str) -> bool:
        return name in self._params

    def names(self) -> list[str]:
        return sorted(self._params)

    def get(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise RuleFileError(f"unknown parameter {name!r}") from None

    def at(self, name: str, period: Period) -> Value:
        return self.get(name).at(period)


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
            check_keys(spec, {"description", "unit", "values"}, pwhere)
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
                                     tuple(sorted(values, key=lambda v: v.since)), where)
    return Parameters(params)

"""The office's letter policy, below both the register and the letters' rendering: the office
file (name, signer, number pattern, deadline), the letter settings, how numbers are made and how
working days are counted. Errors are codes (texts `problems:`), worded by each face.
"""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from pathlib import Path

from compliance.errors import UnusableInput
from compliance.model import RuleSet
from compliance.resources import check_keys, load_yaml, templates_dir

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class LetterError(UnusableInput):
    """A letter cannot be made: a field it needs is missing or the settings are wrong."""


@dataclass
class Office:
    name: str
    address: str
    city: str
    code: str
    signer_title: str
    signer_name: str
    phone: str = ""
    pattern: str = "{seq:03d}/PDS/{office}/{month}/{year}"
    month_style: str = "roman"
    deadline_working_days: int = 10
    copies_to: list = field(default_factory=list)     # Tembusan
    register: str = "~/.local/share/compliance/register.sqlite"   # the office's case register (path or URL)

    def to_dict(self) -> dict:
        return {**self.__dict__, "copies_to": list(self.copies_to)}

    @property
    def signer_is_placeholder(self) -> bool:
        return self.signer_name.strip().startswith("[")

    @property
    def phone_is_placeholder(self) -> bool:
        """A telephone still the office file's example: all zeros after the area code, or [...]."""
        import re

        number = re.sub(r"\(.*?\)", "", self.phone or "")
        digits = re.sub(r"\D", "", number)
        return number.strip().startswith("[") or (bool(digits) and set(digits) == {"0"})

    def check_ready(self, settings: "Settings") -> None:
        """A signed (not --draft) letter needs the office's real signer and telephone (issue 18)."""
        if settings.draft:
            return
        if self.signer_is_placeholder:
            raise LetterError("signer-placeholder", signer=self.signer_name)
        if self.phone_is_placeholder:
            raise LetterError("phone-placeholder", phone=self.phone)


def load_office(path: Path | None = None, overrides: dict | None = None, templates: Path | None = None) -> Office:
    path = path or (templates or templates_dir()) / "office.yaml"
    data = load_yaml(path) or {}
    where = str(path)
    check_keys(data, {"office", "signer", "numbering", "deadline_working_days", "copies_to", "register"}, where)
    office, signer, numbering = data.get("office", {}), data.get("signer", {}), data.get("numbering", {})
    check_keys(office, {"name", "address", "city", "phone", "code"}, f"{where}: office")
    check_keys(signer, {"title", "name"}, f"{where}: signer")
    check_keys(numbering, {"pattern", "month_style"}, f"{where}: numbering")
    values = {"name": office.get("name"), "address": office.get("address"), "city": office.get("city"),
              "code": office.get("code"), "phone": office.get("phone", ""), "signer_title": signer.get("title"),
              "signer_name": signer.get("name"), "pattern": numbering.get("pattern", Office.pattern),
              "month_style": numbering.get("month_style", "roman"),
              "deadline_working_days": int(data.get("deadline_working_days", 10)),
              "copies_to": data.get("copies_to") or [],
              "register": str(data.get("register") or Office.register)}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return office_from_dict(values, where)


def office_from_dict(values: dict, where: str = "office") -> Office:
    check_keys(values, set(Office.__dataclass_fields__), where)
    for key in ("name", "address", "city", "code", "signer_title", "signer_name"):
        if not str(values.get(key) or "").strip():
            raise LetterError("office-field-missing", file=where, field=key)
    if values.get("month_style", "roman") not in ("roman", "arabic"):
        raise LetterError("office-month-style", file=where, found=values.get("month_style"))
    check_pattern(values.get("pattern", Office.pattern), where)
    try:
        values["deadline_working_days"] = int(values.get("deadline_working_days", 10))
    except (TypeError, ValueError):
        raise LetterError("office-deadline-days", file=where, found=values.get("deadline_working_days")) from None
    copies = values.get("copies_to", [])
    if not isinstance(copies, list) or not all(isinstance(c, str) and c.strip() for c in copies):
        raise LetterError("office-copies-to", file=where)
    return Office(**values)


def deadline_days(office: Office, settings: "Settings", rule_set: RuleSet) -> int:
    """The working days a warning gives: --deadline-days, else the office file's; never more than
    the law allows (warning_max_working_days, domain 6.4)."""
    from compliance.model import Period

    days = settings.deadline_days or office.deadline_working_days
    limit = int(rule_set.parameters.at("warning_max_working_days",
                                       Period(settings.date.year, settings.date.month)).value)
    if not 1 <= days <= limit:
        raise LetterError("deadline-too-long", limit=limit, days=days)
    return days


def check_pattern(pattern: str, where: str) -> None:
    """A number pattern may use only {seq}, {office}, {month}, {year}, {stage} (no attributes)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        raise LetterError("office-pattern", file=where, found=pattern) from None
    bad = [n for n in names if n not in {"seq", "office", "month", "year", "stage"}]
    if bad or "seq" not in names:
        raise LetterError("office-pattern", file=where, found=pattern)


@dataclass
class Settings:
    lang: str = "id"
    stage: int = 1
    date: dt.date = field(default_factory=dt.date.today)
    full_nik: bool = False
    all_letters: bool = False
    reissue: bool = False
    deadline_days: int | None = None
    templates: Path = field(default_factory=templates_dir)   # --templates DIR
    draft: bool = False                                      # DRAFT across each page; any signer


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Working days: Monday to Friday, less Indonesia's public holidays and cuti bersama (the
    `holidays` package, categories public and government)."""
    import holidays

    off = holidays.country_holidays("ID", years=range(start.year, start.year + 2), categories=("public", "government"))
    d = start
    while days > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            days -= 1
    return d


def letter_number(office: Office, seq: int, date: dt.date, stage: int) -> str:
    month = ROMAN[date.month - 1] if office.month_style == "roman" else f"{date.month:02d}"
    return office.pattern.format(seq=seq, office=office.code, month=month, year=date.year, stage=stage)


@dataclass
class Issued:
    number: str | None
    paths: list[Path]
    reused: bool = False
    skipped: str | None = None         # a code of texts `problems:` (letter-skipped-...)




def letter_date_notice(date: dt.date) -> dict | None:
    """A letter dated on a Saturday, Sunday or public holiday: allowed, but said (issue 18)."""
    import holidays

    from compliance.texts import notice

    off = holidays.country_holidays("ID", years=[date.year], categories=("public", "government"))
    if date.weekday() >= 5 or date in off:
        return notice("letter-date-not-working-day", date=date.isoformat())
    return None


def check_letter_date(period: str, date: dt.date) -> None:
    """A letter about a month is dated after that month has ended (issue 18): its wages and
    registrations cannot be judged before."""
    from compliance.model import Period

    last = Period.parse(period).last_day
    if date <= last:
        raise LetterError("letter-before-period-end", date=date.isoformat(), period=period, last=last.isoformat())

"""Options shared by the commands, each a reusable click decorator, and the small steps every
command takes (the rule set, a file's bytes, the words of a refusal in the user's language)."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from compliance.errors import UnusableInput

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


# -- language ---------------------------------------------------------------------------------
def _remember_lang(ctx, _param, value):
    ctx.meta["lang"] = value
    return value


def lang_option(f):
    """--lang id|en: every word a command prints, its refusals included, is in this language."""
    return click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, is_eager=True,
                        callback=_remember_lang, help="Language of everything printed (id: Indonesian, en: English).")(f)


def lang_now() -> str:
    ctx = click.get_current_context(silent=True)
    return (ctx.meta.get("lang") if ctx else None) or "id"


def texts_now() -> dict | None:
    ctx = click.get_current_context(silent=True)
    rule_set = ctx.meta.get("rule_set") if ctx else None
    return rule_set.texts if rule_set is not None else None


def say(key: str, **data) -> str:
    """A line of the command line's own words (texts `cli:`) in the user's language."""
    from compliance.texts import bundled, fill

    lang = lang_now()
    texts = texts_now() or bundled()
    return fill(str(texts[lang]["cli"][key]), data, lang, texts)


def problem_line(exc: UnusableInput, lang: str, texts: dict | None) -> str:
    """A refusal as the command line words it: what is wrong, then how to give what is missing."""
    from compliance.texts import bundled, fill, term

    texts = texts or bundled()
    line = exc.words(lang, texts)
    hints = texts[lang].get("needs_cli") or {}
    columns = [n.split(":", 1)[1] for n in exc.needs if n.startswith("column:")]
    for need in dict.fromkeys(n.split(":", 1)[0] for n in exc.needs):
        if need in hints:
            fields = ", ".join(f"{c} ({term('field:' + c, lang, texts)})" for c in columns)
            line += "; " + fill(str(hints[need]), {"fields": fields}, lang, texts)
    return line


# -- the rule set -----------------------------------------------------------------------------
def rules_option(f):
    return click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False),
                        help="Rules folder: rules, parameters, column aliases, worker types, texts "
                             "(default: the bundled rules/).")(f)


def templates_option(f):
    return click.option("--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False),
                        help="Letter templates and office configuration (default: the bundled templates/).")(f)


def engine_option(default: str = "gx"):
    return click.option("--engine", type=click.Choice(["gx", "pandas"]), default=default, show_default=True,
                        help="Data-quality engine: Great Expectations, or the same checks in plain pandas.")


def load_rules(rules_dir: Path | None):
    """The rule set, loaded once per command; its texts then word the command's refusals."""
    from compliance.ruleset import load_rule_set

    rule_set = load_rule_set(rules_dir)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta["rule_set"] = rule_set
    return rule_set


# -- a payroll file ---------------------------------------------------------------------------
def payroll_bytes(file: Path) -> tuple[bytes, str]:
    """The file's bytes and the name shown (`-`: standard input, its type from its bytes alone)."""
    from compliance.ingest.files import STDIN, load_bytes

    if str(file) == STDIN:
        return click.get_binary_stream("stdin").read(), STDIN
    return load_bytes(file)


def reading_options(f):
    """How a payroll is read: --sheet, --encoding, --delimiter, --map, --map-file. The command
    receives `reading`: {sheet, encoding, delimiter, columns}."""
    options = [
        click.option("--sheet", help="Sheet holding the payroll (default: found from its header row)."),
        click.option("--encoding", metavar="NAME",
                     help="Encoding of a text file, e.g. utf-8, utf-16, cp1252 (default: sniffed)."),
        click.option("--delimiter", metavar="CHAR",
                     help="Field separator of a text file: , ; | or tab (default: sniffed)."),
        click.option("--map", "column_map", multiple=True, metavar='FIELD="Header"',
                     help="Which header is which field, e.g. --map start_date=\"Tgl Gabung\" (repeatable)."),
        click.option("--map-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                     help="A YAML file of FIELD: \"Header\" lines (one per company, reused by every check)."),
    ]

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        kwargs["reading"] = {"sheet": kwargs.pop("sheet"), "encoding": kwargs.pop("encoding"),
                             "delimiter": delimiter_of(kwargs.pop("delimiter")),
                             "columns": columns_of(kwargs.pop("column_map"), kwargs.pop("map_file"))}
        return f(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def delimiter_of(value: str | None) -> str | None:
    if value is None:
        return None
    value = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(value.lower(), value)
    if len(value) != 1:
        raise UnusableInput("value-not-understood", field="--delimiter", value=value,
                            accepted_values=[",", ";", "|", "tab"])
    return value


def columns_of(column_map, map_file) -> dict[str, str]:
    from compliance.ingest.company import parse_column_map
    from compliance.resources import load_yaml

    out: dict[str, str] = {}
    if map_file:
        data = load_yaml(map_file)
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise UnusableInput("map-file-not-a-mapping", file=str(map_file))
        out.update({str(k): v for k, v in data.items()})
    out.update(parse_column_map(column_map))
    return out


# -- company details --------------------------------------------------------------------------
COMPANY_OPTIONS = [
    ("name", click.option("--company-name", "company__name", help="Company name.")),
    ("address", click.option("--company-address", "company__address", help="Company address (for letters).")),
    ("npp", click.option("--npp", "company__npp", help="Company registration number (NPP).")),
    ("size", click.option("--company-size", "company__size", metavar="SIZE",
                          help="Business size (skala usaha): micro/mikro, small/kecil, medium/menengah, large/besar; "
                               "unknown: only the programs every size owes are checked.")),
    ("jkk_risk", click.option("--jkk-risk", "company__jkk_risk", metavar="CLASS",
                              help="JKK risk class: very-low/sangat rendah, low/rendah, medium/sedang, high/tinggi, "
                                   "very-high/sangat tinggi (or I-V).")),
    ("period", click.option("--period", "company__period", metavar="MONTH",
                            help="Contribution month: 2025-06, 06/2025 or Juni 2025 (default: company sheet or "
                                 "title row).")),
    ("province", click.option("--province", "company__province", help="Province, for the minimum wage (e.g. Bengkulu).")),
    ("regency", click.option("--regency", "company__regency",
                             help="Regency or city (kabupaten/kota), for its UMK (e.g. \"Kota Bengkulu\").")),
    ("vendor_npps", click.option("--vendor-npp", "company__vendor_npps", multiple=True, metavar="NAME=NPP",
                                 help="An outsourcing vendor's NPP, so that its workers registered under another NPP "
                                      "are said (repeatable).")),
]


def company_options(only: tuple[str, ...] | None = None):
    """Company details on the command line (they win over the file's company sheet and title
    rows). The command receives `company`: the raw values by field, read with `company_of`."""
    chosen = [(k, o) for k, o in COMPANY_OPTIONS if only is None or k in only]

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            kwargs["company"] = {k: kwargs.pop(f"company__{k}") for k, _ in chosen}
            return f(*args, **kwargs)

        for _, option in reversed(chosen):
            wrapper = option(wrapper)
        return wrapper
    return decorate


def company_of(values: dict, rule_set):
    """The company details the user typed, read as a company sheet's are (None: nothing given)."""
    from dataclasses import replace

    from compliance.ingest.company import company_from_values
    from compliance.model import Company, normalize

    values = dict(values)
    pairs = []
    for given in values.pop("vendor_npps", None) or ():
        name, sep, npp = str(given).rpartition("=")
        if not sep or not name.strip() or not npp.strip():
            raise UnusableInput("vendor-npp-option", found=str(given))
        pairs.append((normalize(name), npp.strip()))
    company = company_from_values(values, rule_set.columns.values, "option")
    if pairs:
        company = replace(company or Company(), vendor_npps=tuple(pairs))
    return company


# -- letters, the office and its register -----------------------------------------------------
LETTER_OPTIONS = [
    ("stage", click.option("--stage", "letter__stage", type=click.IntRange(1, 2), default=1, show_default=True,
                           help="1: first written warning; 2: the second (the law allows no third).")),
    ("all_letters", click.option("--all-letters", "letter__all_letters", is_flag=True,
                                 help="Also a confirmation letter for a compliant company.")),
    ("full_nik", click.option("--full-nik", "letter__full_nik", is_flag=True,
                              help="Show whole NIKs in the appendix (default: last 4 digits).")),
    ("reissue", click.option("--reissue", "letter__reissue", is_flag=True,
                             help="Issue a new number even if this company and period has one.")),
    ("office_config", click.option("--office-config", "letter__office_config",
                                   type=click.Path(path_type=Path, dir_okay=False),
                                   help="Office details and numbering (default templates/office.yaml).")),
    ("office_name", click.option("--office-name", "letter__office_name", help="Issuing office (letterhead).")),
    ("office_address", click.option("--office-address", "letter__office_address", help="Issuing office address.")),
    ("office_phone", click.option("--office-phone", "letter__office_phone", help="Issuing office telephone (letterhead).")),
    ("signer_name", click.option("--signer-name", "letter__signer_name", help="Name in the signature block.")),
    ("signer_title", click.option("--signer-title", "letter__signer_title", help="Title in the signature block.")),
    ("letter_date", click.option("--letter-date", "letter__letter_date", metavar="YYYY-MM-DD",
                                 help="Date of the letter (default today).")),
    ("deadline_days", click.option("--deadline-days", "letter__deadline_days", type=click.IntRange(min=1),
                                   help="Working days to comply, at most what the law allows, 10 (default: the "
                                        "office file's).")),
    ("draft", click.option("--draft", "letter__draft", is_flag=True,
                           help="A draft: DRAF (DRAFT) across each page; allowed while the signer is still the "
                                "placeholder.")),
]


def letter_options(only: tuple[str, ...] | None = None):
    """How letters are made. The command receives `letter`: the values by name."""
    chosen = [(k, o) for k, o in LETTER_OPTIONS if only is None or k in only]

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            kwargs["letter"] = {k: kwargs.pop(f"letter__{k}") for k, _ in chosen}
            return f(*args, **kwargs)

        for _, option in reversed(chosen):
            wrapper = option(wrapper)
        return wrapper
    return decorate


def date_of(text: str | None, option: str):
    import datetime as dt

    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UnusableInput("value-not-understood", field=option, value=text, accepted_values=["YYYY-MM-DD"]) from None


def letter_settings(letter: dict, lang: str, templates_dir: Path | None):
    from compliance.office import Settings
    from compliance.resources import templates_dir as bundled

    return Settings(lang=lang, stage=letter.get("stage") or 1, date=date_of(letter.get("letter_date"), "--letter-date"),
                    full_nik=bool(letter.get("full_nik")), all_letters=bool(letter.get("all_letters")),
                    reissue=bool(letter.get("reissue")), deadline_days=letter.get("deadline_days"),
                    templates=templates_dir or bundled(), draft=bool(letter.get("draft")))


def office_of(letter: dict, templates_dir: Path | None, saved: dict | None = None):
    from compliance.office import load_office, office_from_dict

    overrides = {"name": letter.get("office_name"), "address": letter.get("office_address"),
                 "phone": letter.get("office_phone"),
                 "signer_name": letter.get("signer_name"), "signer_title": letter.get("signer_title")}
    if saved and not letter.get("office_config"):
        return office_from_dict({**saved, **{k: v for k, v in overrides.items() if v}}, "report office")
    return load_office(letter.get("office_config"), overrides, templates_dir)


def register_option(f):
    return click.option("--register", "register_at", metavar="PATH|URL",
                        help="The office's case register: a SQLite file or a PostgreSQL URL "
                             "(default: `register` in the office file).")(f)


def open_register(register_at, office):
    from compliance.register import Register

    return Register.open(register_at or office.register)


def write_bytes(path: Path, data: bytes) -> None:
    """An output file, written atomically; a folder that cannot be written is named."""
    from compliance.outputs.files import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise cannot_write(Path(path).parent, exc) from None


def writable(folder: Path) -> Path:
    """An output folder, made if need be, that can be written: else one line naming it, before any
    work is done."""
    import tempfile

    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise cannot_write(Path(folder), exc) from None
    return folder


def cannot_write(folder: Path, exc: OSError) -> UnusableInput:
    """The folder that could not be written, and why in the user's words (`os:ENOENT`, ...)."""
    from compliance.errors import os_reason

    return UnusableInput("cannot-write", folder=str(folder), reason=os_reason(exc))


def xlsx_out(path: Path, option: str = "--out") -> Path:
    """An output that is an Excel workbook must be named .xlsx: under another name (t.csv) Excel and
    the user would take it for what it is not."""
    if Path(path).suffix.lower() != ".xlsx":
        raise UnusableInput("out-not-xlsx", option=option, path=str(path), suggested=str(Path(path).with_suffix(".xlsx")))
    return path


def echo(line: str, err: bool = True) -> None:
    click.echo(line, err=err)


def stdout_bytes(chunks) -> None:
    out = sys.stdout.buffer
    for chunk in chunks:
        out.write(chunk)
    out.flush()

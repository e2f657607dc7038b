"""click's own words in the user's language: a usage error ("No such option", the usage line, "Try
... for help") is worded from texts `click:` (English msgid -> the user's words), exit code 2 as
click gives it. click words its messages through gettext (`from gettext import gettext as _` in
each of its modules); while the command line runs (parsed, the command run, an error shown) those
names in click's modules point to the catalogue, and are given back after. Nothing else in the
process words through click's gettext. The help (`--help`), whose option texts are English, stays as click writes it: only the
messages of errors are in the catalogue, and the usage line's "Usage:" only while an error is shown.
"""
from __future__ import annotations

import contextlib
import importlib
import sys

MODULES = ("core", "parser", "exceptions", "types", "formatting")
HELP_TOO = {"Usage:"}          # also in the help: worded only while an error is shown


def lang_of(args: list[str]) -> str:
    """--lang as given anywhere on the line (before click has read it), else Indonesian."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in ("id", "en") else "id"
        if arg.startswith("--lang="):
            return "en" if arg == "--lang=en" else "id"
    return "id"


def _showing_error() -> bool:
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            return False
        if frame.f_code.co_name == "show" and frame.f_code.co_filename.endswith(("exceptions.py",)):
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def worded(lang: str):
    """click's messages from the catalogue of `lang` while the block runs."""
    from compliance.texts import bundled

    catalogue = (bundled().get(lang) or {}).get("click") or {}
    if not catalogue:
        yield
        return

    def gettext(message: str) -> str:
        if message in HELP_TOO and not _showing_error():
            return message
        return catalogue.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    saved = []
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        for attr, ours in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, ours)
    try:
        yield
    finally:
        for module, attr, theirs in saved:
            setattr(module, attr, theirs)

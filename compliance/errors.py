"""Refusals as codes with data (like frictionless' errors): a face words them in the user's
language from the templates in rules/texts.yaml (`problems:`), never by string surgery.

    raise UnusableInput("file-empty", file="gaji.xlsx")
    exc.words("id", rule_set.texts)   ->  "gaji.xlsx: berkas kosong (0 byte); ..."
    str(exc)                          ->  the English words (logs, tracebacks, tests)

A refusal ends a command with exit code 2 and one line (never a traceback). RuleFileError is for
the people who write rule files: it names the file and line, in English, like a syntax error.
"""
from __future__ import annotations


class Term(str):
    """A value inside a problem's data that is itself a word to translate (texts `terms:`),
    e.g. what a file seems to be: Term("pdf") -> "a PDF document" / "dokumen PDF"."""

    __slots__ = ()

    def __reduce__(self):
        return Term, (str(self),)


class Problem(Exception):
    """A code (kebab-case) and its data; `file` is the name shown before the words. `needs` names
    what the user could give for the file to be checked after all ("period", "sheet",
    "column:nik"): each face asks for it its own way (an option, a form field)."""

    def __init__(self, code: str, /, *, file: str | None = None, needs: list[str] | None = None, **data):
        super().__init__(code)
        self.code, self.file, self.data, self.needs = code, file, data, list(needs or [])

    def words(self, lang: str = "en", texts: dict | None = None, with_file: bool = True) -> str:
        from compliance.texts import problem_words

        return problem_words(self.code, self.data, lang, texts, self.file if with_file else None)

    def to_dict(self, lang: str = "en", texts: dict | None = None) -> dict:
        """What the JSON faces carry: the code and its data beside the words."""
        out = {"code": self.code, "data": {k: _plain(v) for k, v in self.data.items()},
               "message": self.words(lang, texts, with_file=False)}
        if self.needs:
            out["needs"] = list(self.needs)
        return out

    def __str__(self) -> str:
        return self.words("en")

    def __reduce__(self):          # a worker process or a Dask worker sends it back whole
        return _rebuild, (type(self), self.code, self.file, self.needs, self.data)


# the reasons a file or folder cannot be written or opened that texts `terms:` word (os:ENOENT, ...)
OS_REASONS = {"ENOENT", "EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENOTDIR", "EISDIR", "EEXIST", "ENAMETOOLONG"}


def os_reason(exc: BaseException):
    """Why a file operation failed, as a Term in the user's words (`os:EACCES`) when it is a known
    one, else as the system words it."""
    import errno

    name = errno.errorcode.get(getattr(exc, "errno", None) or 0)
    if name in OS_REASONS:
        return Term(f"os:{name}")
    return getattr(exc, "strerror", None) or " ".join(str(exc).split())[:200] or type(exc).__name__


def _rebuild(cls, code, file, needs, data):
    return cls(code, file=file, needs=needs, **data)


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Term) else value


class UnusableInput(Problem):
    """A file that cannot be read, or lacks what every check needs (exit code 2)."""


class RuleFileError(Exception):
    """A rule, parameter or alias file that does not load (file and line in the message)."""

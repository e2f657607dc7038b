"""Writing outputs safely: atomic replacement, fixed file names, formula-injection neutralised,
ordinary permissions (0666 less the umask, as any program's files; a temporary file alone
would be 0600)."""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would take as a formula is written as text: prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def csv_bytes(header: list[str], rows: list[list], digits_as_text: tuple[str, ...] = ()) -> bytes:
    """A CSV as Excel with an Indonesian locale opens it (docs/check-report.md, "findings.csv"):
    UTF-8 with a BOM (so that Excel reads it as UTF-8), `;` between fields (Indonesian Excel's list
    separator: its decimal separator is the comma), CRLF, amounts with a decimal comma. The columns
    named in `digits_as_text` (NIK, KPJ) are written `="1771..."` when they are digits only, so that
    Excel keeps them as text with every digit (a 16-digit number would lose its last digit and show
    as 1,77101E+15); that string constant is the only formula written. Every other cell that a
    spreadsheet would take as a formula is neutralised."""
    keep = {header.index(c) for c in digits_as_text if c in header}
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(v, i in keep) for i, v in enumerate(row)] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def _csv_cell(value, digits_as_text: bool):
    if digits_as_text and isinstance(value, str) and value.isascii() and value.isdigit():
        return f'="{value}"'
    if isinstance(value, float) and value == value:
        return str(int(value)) if value == int(value) else str(value).replace(".", ",")
    return neutralise(value)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069/\\:*?\"<>|]+")


def safe_name(text: object, limit: int = 80) -> str:
    """A file or folder name built from data (a company's name): no path separators, no `..`,
    no NUL or control characters, no bidi overrides (which can disguise a name), no characters
    Windows refuses, bounded length; never empty."""
    name = unicodedata.normalize("NFKC", str(text or ""))
    name = _UNSAFE.sub("-", name)
    name = re.sub(r"\s+", " ", name).strip(" .-")
    name = re.sub(r"\.{2,}", ".", name)
    name = name[:limit].rstrip(" .-")
    if name.upper().split(".")[0] in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                                      *(f"LPT{i}" for i in range(1, 10))}:
        name = f"_{name}"
    return name or "unnamed"

"""Open payroll files safely and return raw grids of cell values.

Nothing in a file is ever executed: workbooks are read for their cached cell values (no formula
is evaluated, no macro run), CSV text is only split. Inputs are opened read-only.
A file that cannot be read raises UnusableInput with one line saying what it seems to be.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compliance.errors import Term, UnusableInput

STDIN = "-"          # the name of a file read from standard input: its type comes from its bytes alone
BOMS = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}     # Excel's "Unicode Text" export is UTF-16 with a BOM
WORKBOOK_EXT = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_EXT = {".csv", ".txt", ".tsv"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = [       # what a file seems to be: the words are terms in rules/texts.yaml
    (b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"Rar!", "rar"),
    (b"\x1f\x8b", "gzip"), (b"7z\xbc\xaf", "7z"), (b"BM", "bmp"),
]
DELIMITERS = [",", ";", "\t", "|"]
# Limits on what a file may make the reader do (docs: what the tool trusts). A workbook is a ZIP
# archive: its declared sizes are checked before any reader inflates it. Real sheets compress
# about 5-30 times; a "zip bomb" a thousand times.
MAX_INFLATED_BYTES = 4 * 1024 ** 3        # all members together, as declared
MAX_RATIO = 100                           # inflated / compressed, for a member over ...
RATIO_FROM_BYTES = 16 * 1024 ** 2         # ... this size (small members may compress well)
MAX_TEXT_BYTES = 1024 ** 3                # a CSV or text file
# Memory: what reading one workbook and checking it may take, as estimated before its reader
# allocates anything (compliance/ingest/extent.py for xlsx; the child process's own check for
# .xls/.ods/.xlsb). With the interpreter and the libraries (110 MB; 280 MB with Great
# Expectations) the process peaks under 1 GB (docs/security.md).
READ_LIMIT = 700 * 1024 ** 2
MAX_TEXT_CELLS = 24_000_000               # lines x fields of a text file's grid (about 32 bytes each)
MAX_COLUMNS = 16_384                      # fields on one line of a text file (a sheet's most columns)
SHARED_STRINGS_SLACK = 1024               # uniqueCount may exceed the strings present by this much


@dataclass
class Sheet:
    """A raw grid: row i of `grid` is the row number `first_row + i` the user sees."""

    name: str | None
    grid: pd.DataFrame
    first_row: int = 1
    visible: bool = True


@dataclass
class RawFile:
    path: str                # the name shown to the user (a path, an upload's name, a zip member)
    file_type: str           # xlsx | xls | ods | csv
    sheets: list[Sheet]
    encoding: str | None = None
    delimiter: str | None = None


def load_bytes(source: str | Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """The file's bytes and the name to show: a path is read (one line if it cannot be), bytes
    (a web upload, a member of a .zip) are taken as they are, with `name` for their type."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "<upload>"
    path = Path(source)
    shown = name or str(path)
    if not path.exists():
        raise UnusableInput("file-not-found", file=shown)
    if path.is_dir():
        raise UnusableInput("file-is-folder", file=shown)
    try:
        return path.read_bytes(), shown
    except OSError as exc:
        raise UnusableInput("file-cannot-be-read", file=shown, reason=_one_line(exc)) from None


def sniff(data: bytes, name: str) -> str:
    """What the file is, from its bytes, checked against its name. Returns xlsx|xls|ods|csv."""
    if not data:
        raise UnusableInput("file-empty", file=name)
    ext = Path(name).suffix.lower()
    kind, what = _kind_from_bytes(data, name)
    if kind is None:
        raise UnusableInput("not-a-payroll", file=name, what=Term(what))
    if ext in WORKBOOK_EXT and kind == "csv":
        raise UnusableInput("named-workbook-but-text", file=name, ext=ext, what=Term(what))
    if ext in TEXT_EXT and kind != "csv":
        raise UnusableInput("named-text-but-workbook", file=name, ext=ext, what=Term(what))
    if ext not in WORKBOOK_EXT | TEXT_EXT and name != STDIN:
        raise UnusableInput("unsupported-type", file=name, ext=ext or Term("no-extension"), what=Term(what))
    return kind


def _kind_from_bytes(data: bytes, name: str | None = None) -> tuple[str | None, str]:
    """(xlsx | xls | ods | csv, or None for what cannot be a payroll; the term for what it seems)."""
    head = data[:65536]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
                names = {i.filename for i in infos}
        except (zipfile.BadZipFile, OSError, ValueError):
            return None, "damaged-zip"
        bomb = inflation_problem(infos, name)
        if bomb:
            raise bomb
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx", "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods", "ods"
        if "word/document.xml" in names:
            return None, "docx"
        return None, "zip"
    if head.startswith(OLE2):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return None, "encrypted-workbook"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls", "xls"
        if "WordDocument".encode("utf-16-le") in data:
            return None, "doc"
        return None, "ole2"
    for magic, what in SIGNATURES:
        if head.startswith(magic):
            return None, what
    if head[:2] in BOMS:
        return "csv", "utf16-text"
    if b"\x00" in head:
        return None, "binary"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype html", b"<table")):
        return None, "html"
    if stripped.startswith(b"<?xml"):
        return None, "xml"
    return "csv", "text"


def inflation_problem(infos, name: str | None = None) -> UnusableInput | None:
    """What is wrong with a ZIP archive's declared sizes, before anything is inflated."""
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED_BYTES:
        return UnusableInput("archive-too-large", file=name, gb=round(total / 1024 ** 3, 1),
                             limit_gb=round(MAX_INFLATED_BYTES / 1024 ** 3))
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            return UnusableInput("zip-bomb", file=name, member=i.filename, ratio=round(ratio),
                                 mb=round(i.file_size / 1024 ** 2))
    return None


def read_file(source: str | Path | bytes, name: str | None = None, encoding: str | None = None,
              delimiter: str | None = None) -> RawFile:
    """Raw grids of a payroll or registry file, from a path or from bytes with their file name
    (`-` for standard input). `encoding` and `delimiter` override what is sniffed in a text file."""
    data, shown = load_bytes(source, name)
    kind = sniff(data, shown)
    if kind == "csv":
        if len(data) > MAX_TEXT_BYTES:
            raise UnusableInput("text-too-large", file=shown, gb=round(len(data) / 1024 ** 3, 1),
                                limit_gb=round(MAX_TEXT_BYTES / 1024 ** 3))
        return _read_text(data, shown, encoding, delimiter)
    return _read_workbook(data, shown, kind)


def _read_workbook(data: bytes, name: str, kind: str) -> RawFile:
    """Cells of every sheet. An xlsx is measured first (extent.py) and read here; the formats
    that cannot be measured are read in a child process under a memory limit (sandbox.py)."""
    if kind == "xlsx" and not _is_xlsb(data):
        return RawFile(name, kind, _read_xlsx(data, name))
    from compliance.ingest import extent, sandbox

    books = sandbox.read_in_child(data, name, READ_LIMIT, extent.PER_CELL, extent.PER_VALUE, extent.PER_TEXT)
    return RawFile(name, kind, [Sheet(sheet_name, _grid(rows), 1, visible) for sheet_name, visible, rows in books])


def _is_xlsb(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "xl/workbook.xml" not in zf.namelist()


def _read_xlsx(data: bytes, name: str) -> list[Sheet]:
    import python_calamine as pc

    check_xlsx(data, name)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        meta = {m.name: m for m in wb.sheets_metadata}
        for sheet_name in wb.sheet_names:
            visible = "Visible" in str(getattr(meta.get(sheet_name), "visible", "Visible"))
            sheets.append(Sheet(sheet_name, _sheet_grid(wb.get_sheet_by_name(sheet_name)), 1, visible))
    except pc.PasswordError:
        raise UnusableInput("workbook-encrypted", file=name) from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        raise UnusableInput("workbook-damaged", file=name, reason=_one_line(exc)) from None
    except BaseException as exc:          # pyo3's PanicException (a reader bug) is no Exception
        if type(exc).__name__ != "PanicException":
            raise
        raise UnusableInput("workbook-damaged", file=name, reason=_one_line(exc)) from None
    return sheets


def check_xlsx(data: bytes, name: str) -> None:
    """Refuse an xlsx whose read would take more than READ_LIMIT, before any reader opens it:
    one line naming the sheet and what makes it large (a far cell, its size, its text)."""
    from compliance.ingest import extent

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            est = extent.estimate(zf, READ_LIMIT)
        except extent.Unmeasurable as exc:
            raise UnusableInput("xml-unmeasurable", file=name, member=exc.member,
                                limit_mb=extent.MAX_TOKEN // 1024 ** 2) from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            raise UnusableInput("workbook-damaged", file=name, reason=_one_line(exc)) from None
        if est.shared_declared > est.shared_found + SHARED_STRINGS_SLACK:
            raise UnusableInput("shared-strings-count", file=name, declared=est.shared_declared,
                                found=est.shared_found)
        total = est.bytes()
        if total <= READ_LIMIT:
            return
        names = extent.sheet_names(zf)
    mb, limit_mb = -(-total // 1024 ** 2), READ_LIMIT // 1024 ** 2
    part = max(est.sheets, key=lambda p: p.bytes(), default=None)
    if part is None or part.bytes() * 2 < total:
        raise UnusableInput("workbook-too-large", file=name, mb=mb, limit_mb=limit_mb)
    sheet = names.get(part.member.replace("\\", "/").lower(), part.member)
    if part.grid_bytes() < part.bytes() - part.grid_bytes():
        raise UnusableInput("sheet-text-too-large", file=name, sheet=sheet,
                            text_mb=-(-(part.text + part.shared) // 1024 ** 2),
                            mb=mb, limit_mb=limit_mb)
    if part.cells > 10 * max(part.values, 1):
        raise UnusableInput("sheet-far-cell", file=name, sheet=sheet, cell=part.far, rows=part.rows,
                            columns=part.columns, mb=mb, limit_mb=limit_mb)
    raise UnusableInput("sheet-too-large", file=name, sheet=sheet, rows=part.rows, columns=part.columns, mb=mb,
                        limit_mb=limit_mb)


def _sheet_grid(sheet) -> pd.DataFrame:
    """The sheet's cells from A1 as an object grid ('' where empty), row by row into one array:
    the reader's grid and the Python one are never held twice."""
    import numpy as np

    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return pd.DataFrame(dtype=object)
    grid = np.full((end[0] + 1, end[1] + 1), "", dtype=object)
    first, left = start
    for i, row in enumerate(sheet.iter_rows()):
        if i >= first:
            grid[i, left:] = row
    return pd.DataFrame(grid, dtype=object, copy=False)


def read_workbook_openpyxl(path: Path) -> RawFile:
    """The reference reader (openpyxl, cached values, read-only). Slower; used by tests and benchmarks
    to check that the fast reader sees the same cells."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            sheets.append(Sheet(ws.title, _grid(rows), 1, ws.sheet_state == "visible"))
    finally:
        wb.close()
    return RawFile(str(path), "xlsx", sheets)


def _grid(rows: list[list]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(dtype=object)
    return pd.DataFrame(rows, dtype=object)


def _read_text(data: bytes, name: str, encoding: str | None = None, delimiter: str | None = None) -> RawFile:
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise UnusableInput("cannot-decode", file=name, encoding=encoding, reason=_one_line(exc)) from None
    elif data[:2] in BOMS:
        encoding = BOMS[data[:2]]
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise UnusableInput("damaged-utf16", file=name, reason=_one_line(exc)) from None
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if encoding == "utf-8-sig":
            encoding = "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise UnusableInput("text-has-nul", file=name)
    delimiter = delimiter or _sniff_delimiter(text)
    grid = _split(text, delimiter, name)
    return RawFile(name, "csv", [Sheet(None, grid, 1, True)], encoding=encoding, delimiter=delimiter)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (>1) of fields."""
    lines = [ln for ln in text[:1_000_000].splitlines()[:60] if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:                # a field longer than the csv module takes: not this one
            continue
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        modal = max(set(multi), key=multi.count)
        score = (multi.count(modal), modal)
        if score > best_score:
            best, best_score = d, score
    return best


def _split(text: str, delimiter: str, name: str = "") -> pd.DataFrame:
    """Split CSV text into a grid of strings, one grid row per line (blank lines kept, so that
    row i is line i+1 of the file). Every line becomes a row as wide as the widest, so the grid
    (lines x fields) is checked before it is made: a million blank lines under one wide line
    would otherwise ask for a billion cells."""
    sample = text[:200_000].splitlines()
    try:
        width = max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=1)
    except csv.Error:
        width = max((ln.count(delimiter) + 1 for ln in sample), default=1)
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    _check_grid(lines, width, name)
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=object,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                           quotechar='"')
    except (pd.errors.ParserError, ValueError):       # a line wider than the first ones
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise UnusableInput("text-unreadable", file=name, reason=_one_line(exc)) from None
        _check_grid(len(rows), max(map(len, rows), default=1), name)
        grid = pd.DataFrame(rows, dtype=object)
    grid = grid.fillna("")
    return grid


def _check_grid(lines: int, fields: int, name: str) -> None:
    if fields > MAX_COLUMNS:
        raise UnusableInput("text-too-wide", file=name, fields=fields, limit=MAX_COLUMNS)
    if lines * fields > MAX_TEXT_CELLS:
        raise UnusableInput("text-too-many-cells", file=name, lines=lines, fields=fields, cells=lines * fields,
                            limit=MAX_TEXT_CELLS)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__

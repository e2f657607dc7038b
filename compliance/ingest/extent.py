"""What an xlsx workbook would make its reader allocate, found before any reader opens it.

A sheet's grid runs from A1 to its farthest cell: the reader (python-calamine) allocates every
cell of it, empty or not, and then each becomes a Python value. A 2 KB file with one cell at
XFD1048576 asks for 17 billion cells. So the extent is decided here from the cells present in the
sheet's XML, streamed from the archive a megabyte at a time: the `<dimension>` element is never
trusted, nor the shared strings table's declared count.

Every member of the archive is scanned, not only the parts the workbook names as sheets, so a
sheet reached through an odd relationship is never missed. Canonical XML (what Excel,
LibreOffice, openpyxl and XlsxWriter write: `<c r="B7" s="1" t="s">`) is measured with one
regular expression and a few counts a piece; anything else (a cell without a reference, a
prefixed element, a comment, CDATA, odd attribute forms) goes to a tokenizer that follows the
reader's own rules (a cell without `r` takes the next column, a cell holds a value when an
element starts inside it) and never expands an entity or reads a DTD.

The result is an estimate of the bytes the read will take (the memory model below, an upper
bound of what was measured on the worst shapes in tests/test_hostile_files.py); files.py refuses
a workbook whose estimate is over its limit, naming the sheet and what makes it large.
"""
from __future__ import annotations

import re
import zipfile
from array import array
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

MB = 1024 ** 2
CHUNK = 1 << 20                 # bytes of XML looked at at once
MAX_TOKEN = 64 * MB             # an XML construct (a tag, a comment, a text) longer than this is refused

# The memory model: bytes that reading a workbook and checking it take (python-calamine's grid,
# the Python values and the grid's references, the copies the check makes of text columns), each
# an upper bound of what was measured on the shapes in tests/test_hostile_files.py
# (docs/security.md has the figures).
PER_CELL = 48                   # a cell of the grid from A1 to the farthest cell, empty or not
PER_VALUE = 112                 # more for a cell holding a value (its Python object, a string's headers)
PER_TEXT_ASCII = 7              # a byte of ASCII text: the reader's copy, Python's, the check's
PER_TEXT = 14                   # a byte of other text: Python may keep 4 bytes a character (one emoji does it)
PER_MERGE = 48                  # a merged range
PER_SHARED = 3                  # a byte of the shared strings table (held once, a header per string)
PER_OTHER = 2                   # a byte of any other part (workbook, styles: held while open)


@dataclass
class Part:
    """What one member of the archive asks of the reader if it is read as a sheet."""

    member: str
    rows: int = 0               # the last row holding a cell (1-based); 0 if none
    columns: int = 0            # the last column holding a cell (1-based)
    values: int = 0             # cells that may hold a value
    text: int = 0               # bytes of text in its cells (all character data)
    shared: int = 0             # bytes of shared strings its cells copy, each use counted
    merges: int = 0
    size: int = 0               # bytes of XML: the text's bound until the text is measured
    measured: bool = False
    ascii: bool = True          # its text is ASCII (no character reference either)
    shared_ascii: bool = True

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def far(self) -> str:
        """The farthest corner of the grid ("XFD1048576")."""
        return f"{column_letters(self.columns)}{self.rows}"

    def grid_bytes(self) -> int:
        return PER_CELL * self.cells + PER_VALUE * self.values + PER_MERGE * self.merges

    def text_bytes(self) -> int:
        own = self.text if self.measured else max(self.text, self.size)
        return (own * (PER_TEXT_ASCII if self.ascii else PER_TEXT)
                + self.shared * (PER_TEXT_ASCII if self.shared_ascii else PER_TEXT))

    def bytes(self) -> int:
        return self.grid_bytes() + self.text_bytes()


@dataclass
class Estimate:
    sheets: list[Part] = field(default_factory=list)     # members holding cells
    shared_bytes: int = 0
    shared_declared: int = 0                              # uniqueCount, as declared
    shared_found: int = 0                                 # strings actually in the table
    shared_ascii: bool = True
    other_bytes: int = 0

    def bytes(self) -> int:
        return (sum(p.bytes() for p in self.sheets) + PER_SHARED * self.shared_bytes
                + PER_OTHER * self.other_bytes)


class Unmeasurable(Exception):
    """An XML construct longer than MAX_TOKEN, or strings nested in strings: refuse the file."""

    def __init__(self, member: str):
        super().__init__(member)
        self.member = member


def column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters or "A"


def column_number(letters: bytes) -> int:
    """1-based, as the reader reads it (lower case is upper case)."""
    n = 0
    for b in letters.upper():
        n = n * 26 + b - 64
    return n


def estimate(zf: zipfile.ZipFile, limit: int) -> Estimate:
    """The estimate for every member of an xlsx archive (its declared sizes already checked).
    A sheet's text is first bounded by its size; it is measured (another pass) only when that
    bound would put the estimate over `limit`, the largest sheets first."""
    out = Estimate()
    infos = [i for i in zf.infolist() if not i.is_dir()]
    shared = [i for i in infos if i.filename.replace("\\", "/").rsplit("/", 1)[-1].lower() == "sharedstrings.xml"]
    lengths = array("q")
    for info in shared:          # normally one; with more, each index is charged its longest string
        found, declared, these = _shared_strings(zf, info)
        out.shared_ascii = out.shared_ascii and _is_ascii(zf, info)
        out.shared_bytes += info.file_size
        out.shared_found = max(out.shared_found, found)
        out.shared_declared = max(out.shared_declared, declared)
        lengths = _longest(lengths, these)
    longest = max(lengths, default=0)
    unmeasured = []
    for info in infos:
        if info in shared:
            continue
        part = _fast(zf, info, lengths, longest) or _lenient(zf, info, lengths, longest)
        if part.values or part.merges:
            part.size = info.file_size
            part.shared_ascii = out.shared_ascii
            out.sheets.append(part)
            if not part.measured:
                unmeasured.append((part, info))
        else:
            out.other_bytes += info.file_size
    for part, info in sorted(unmeasured, key=lambda p: p[0].size, reverse=True):
        if out.bytes() <= limit:
            break
        part.text += _text(zf, info)
        part.measured = True
    return out


def _text(zf, info) -> int:
    """Bytes of character data in the member (all of it, in cells or not)."""
    text = 0
    for chunk in _chunks(zf, info):
        if b"<!" in chunk:                   # CDATA or comments: measured as the reader reads them
            return _lenient(zf, info, array("q"), 0).text
        text += sum(map(len, TEXT.findall(chunk)))
    return text


def _ascii(chunk: bytes) -> bool:
    return chunk.isascii() and b"&#" not in chunk


def _is_ascii(zf, info) -> bool:
    return all(map(_ascii, _chunks(zf, info)))


def _longest(a: array, b: array) -> array:
    if len(a) < len(b):
        a, b = b, a
    out = array("q", a)
    for i, n in enumerate(b):
        out[i] = max(out[i], n)
    return out


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes in pieces that each end just before a '<' (no tag is cut), the last
    piece whole. Reading stops at the declared size (zipfile checks it)."""
    tail = b""
    with zf.open(info) as f:
        while True:
            block = f.read(max(CHUNK, len(tail)))
            if not block:
                break
            buf = tail + block
            cut = buf.rfind(b"<")
            if cut <= 0:
                if len(buf) > MAX_TOKEN:
                    raise Unmeasurable(info.filename)
                tail = buf
                continue
            yield buf[:cut]
            tail = buf[cut:]
    if tail:
        yield tail


# -- sheets: the fast path ------------------------------------------------------------------

# a canonical cell tag: the reference first, then only the attributes writers put there
CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"<>]*")*(/?)>')
# the forms of a start tag named c that the reader also takes for a cell
C_TAGS = [b"<c" + e for e in (b" ", b"\t", b"\n", b"\r", b">", b"/")]
PREFIXED_C = re.compile(rb":c[\s>/]")
TEXT = re.compile(rb">([^<]+)")                    # character data (a '>' in it included)
INDEX = re.compile(rb"<v>([0-9]+)</v>")            # a value that may be a shared string's index
XML_DECL = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")


def _fast(zf, info, lengths: array, longest: int) -> Part | None:
    """Canonical XML: every cell tag as Excel writes it. None when a piece is not. The text is
    left to be measured (its bound is the member's size); shared strings are counted here."""
    part = Part(info.filename)
    cols: set[bytes] = set()
    first = True
    for chunk in _chunks(zf, info):
        if first:
            chunk = XML_DECL.sub(b"", chunk, count=1)
            first = False
        if b":" in chunk and PREFIXED_C.search(chunk):
            return None                      # a prefixed cell (<x:c>)
        part.ascii = part.ascii and _ascii(chunk)
        part.merges += chunk.count(b"mergeCell")
        tags = chunk.count(b"<c")
        if not tags:
            continue
        refs = CELL.findall(chunk)
        if len(refs) != tags and len(refs) != sum(chunk.count(t) for t in C_TAGS):
            return None                      # a cell tag in another form (no r, r not first, odd attributes)
        if sum(map(len, map(itemgetter(2), refs))):
            refs = [r for r in refs if not r[2]]         # <c r="A1" s="1"/>: styled, empty
        if refs:
            cols.update(map(itemgetter(0), refs))
            part.rows = max(part.rows, max(map(int, set(map(itemgetter(1), refs)))))
        part.values += len(refs)
        if longest:
            # comments or instructions inside a value would hide its index from INDEX
            marked = (b"!" in chunk and b"<!" in chunk) or (b"?" in chunk and b"<?" in chunk)
            part.shared += _shared_uses(chunk, lengths, longest, exact=not marked)
    if cols:
        part.columns = max(map(column_number, cols))
    return part


def _shared_uses(chunk: bytes, lengths: array, longest: int, exact: bool) -> int:
    """Bytes of shared strings the piece's cells copy (each use is a copy): at most its `t="s"`
    cells times the longest string; counted when that is large (every `<v>n</v>` taken for an
    index, plus one string for a cell cut at the piece's end)."""
    uses = chunk.count(b't="s"')
    bound = uses * longest
    if bound <= MB or not exact:
        return bound
    exact = longest
    n = len(lengths)
    for index, count in Counter(INDEX.findall(chunk)).items():
        i = int(index)
        if i < n:
            exact += count * lengths[i]
    return min(bound, exact)


# -- sheets: the lenient path, one token at a time, as the reader sees them ------------------

# Every alternative is linear: no construct can make the tokenizer backtrack over a long input.
TOKEN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^\[>]*(?:\[[^\]]*\][^>]*)?>"
                   rb"|<!(?!--|\[CDATA\[|DOCTYPE)[^>]*>"
                   rb"|<(/?)((?![!?])[^\s/>]*)((?:[\s/](?:[^>\"']|\"[^\"]*\"|'[^']*')*)?)>", re.S)
ATTR = re.compile(rb"([^\s=/\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')|\"[^\"]*\"|'[^']*'|[^\s=/\"']+|[\s\S]")
POSITION = re.compile(rb"([A-Za-z]*)([0-9]+)")


def _attrs(raw: bytes) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for key, dq, sq in ATTR.findall(raw):
        if key:
            out.setdefault(key, []).append(dq or sq)
    return out


def _positions(values: list[bytes] | None) -> list[tuple[int, int]]:
    """(row, column), 0-based (column -1 when none), of each reference the reader accepts."""
    out = []
    for value in values or ():
        m = POSITION.fullmatch(value)
        if m:
            out.append((int(m.group(2)) - 1, column_number(m.group(1)) - 1 if m.group(1) else -1))
    return out


def _local(name: bytes) -> bytes:
    return name.rsplit(b":", 1)[-1]


def _tokens(zf, info):
    """(token match or None for character data, the buffer, start, end) in document order; a
    construct cut by the end of the member is dropped (the reader fails on it)."""
    buf = b""
    with zf.open(info) as f:
        eof = False
        while not eof:
            block = f.read(max(CHUNK, len(buf)))
            eof = not block
            buf += block
            pos = 0
            while True:
                lt = buf.find(b"<", pos)
                if lt < 0:
                    if eof or len(buf) - pos > MAX_TOKEN:
                        yield None, buf, pos, len(buf)
                        pos = len(buf)
                    break
                if lt > pos:
                    yield None, buf, pos, lt
                    pos = lt
                m = TOKEN.match(buf, lt)
                if m is None or (m.end() == len(buf) and not eof):
                    break                    # unfinished: wait for more (at the end, the reader fails too)
                yield m, buf, lt, m.end()
                pos = m.end()
            buf = buf[pos:]
            if len(buf) > MAX_TOKEN:
                raise Unmeasurable(info.filename)


def _lenient(zf, info, lengths: array, longest: int) -> Part:
    """The reader's cell rules: `<row r>` sets the row, `</row>` moves to the next and back to
    column A, a `<c>` without `r` takes the next column (the last `r` wins: every one is
    counted), a cell holds a value when any element starts inside it and ends at the first
    `</c>`. Everything inside a cell counts as its text."""
    part = Part(info.filename)
    row = col = 0
    in_cell = valued = shared = False
    cells: list[tuple[int, int]] = []
    size = 0                                 # bytes inside the current cell
    n = len(lengths)
    max_row = max_col = -1
    for m, buf, start, end in _tokens(zf, info):
        if m is None or m.group(2) is None:
            if in_cell:
                size += end - start
                part.ascii = part.ascii and _ascii(buf[start:end])
                if shared and m is None:
                    digits = buf[start:end].strip()
                    if digits:
                        i = int(digits) if digits.isdigit() else -1
                        part.shared += lengths[i] if 0 <= i < n else longest
            continue
        closing, name, raw = m.group(1), _local(m.group(2)), m.group(3)
        empty = raw.endswith(b"/")
        if name == b"mergeCell" and not closing:
            part.merges += 1
        if in_cell:
            if closing and name == b"c":
                in_cell = False
                col += 1
                if valued:
                    part.values += 1
                    part.text += size
                    for r, c in cells:
                        max_row, max_col = max(max_row, r), max(max_col, c)
            elif not closing:
                valued = True
            continue
        if name == b"row":
            if closing:
                row, col = row + 1, 0
            else:
                rows = [r for r, _ in _positions(_attrs(raw).get(b"r"))]
                row = max(rows, default=row)
                if empty:
                    row, col = row + 1, 0
        elif name == b"c" and not closing:
            attrs = _attrs(raw)
            found = [(r, c) for r, c in _positions(attrs.get(b"r")) if c >= 0]
            if found:
                col = max(c for _, c in found)
                cells = found
            else:
                cells = [(row, col)]
            if empty:
                col += 1
            else:
                in_cell, valued, size = True, False, 0
                shared = b"s" in attrs.get(b"t", ())
    if max_row >= 0:
        part.rows, part.columns = max_row + 1, max_col + 1
    part.measured = True
    return part


# -- the shared strings table -----------------------------------------------------------------

UNIQUE = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']\s*([0-9]+)")
SI_TAGS = [b"<si" + e for e in (b" ", b"\t", b"\n", b"\r", b">", b"/")]


def _shared_strings(zf, info) -> tuple[int, int, array]:
    """(strings found, uniqueCount declared, an upper bound of each string's bytes: from its
    `<si>` to the next)."""
    lengths = array("q")
    declared = 0
    open_ends = 0                       # `</si>` seen in the string still open
    first = True
    for chunk in _chunks(zf, info):
        if first:
            m = UNIQUE.search(chunk[:65536])
            declared = int(m.group(1)) if m else 0
            chunk = XML_DECL.sub(b"", chunk, count=1)
            first = False
        if (b"<!" in chunk or b"<?" in chunk or b":si" in chunk
                or chunk.count(b"<si>") != sum(chunk.count(t) for t in SI_TAGS)):
            return _shared_strings_lenient(zf, info, declared)
        pieces = chunk.split(b"<si>")
        ends = [p.count(b"</si>") for p in pieces]
        if lengths:
            lengths[-1] += len(pieces[0])
            open_ends += ends[0]
        elif ends[0]:
            return _shared_strings_lenient(zf, info, declared)
        if len(pieces) > 1:
            if lengths and open_ends != 1 or any(e != 1 for e in ends[1:-1]):
                return _shared_strings_lenient(zf, info, declared)     # a string in a string
            lengths.extend(map(len, pieces[1:]))
            open_ends = ends[-1]
    if lengths and open_ends != 1:
        return _shared_strings_lenient(zf, info, declared)
    return len(lengths), declared, lengths


def _shared_strings_lenient(zf, info, declared: int) -> tuple[int, int, array]:
    """Any form: a string starts at each element named si and runs to the next; a string
    inside a string is refused (the reader and this count would disagree on the indexes)."""
    lengths = array("q")
    depth = 0
    for m, _buf, start, end in _tokens(zf, info):
        if lengths:
            lengths[-1] += end - start
        if m is None or m.group(2) is None or _local(m.group(2)) != b"si":
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3).endswith(b"/"):
            if depth:
                raise Unmeasurable(info.filename)
            depth = 1
            lengths.append(0)
        else:
            lengths.append(0)
    return len(lengths), declared, lengths


# -- which member is which sheet (for the words of a refusal) -----------------------------------

REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")


def sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """member name (lower case, '/') -> sheet name, as far as the small index parts say; {} when
    they cannot be read (a refusal then names the member)."""
    try:
        names = {i.filename.replace("\\", "/").lower(): i for i in zf.infolist()}

        def small(path: str) -> bytes:
            info = names.get(path.lower())
            return zf.read(info) if info is not None and info.file_size <= 4 * MB else b""

        def first(attrs: dict, key: bytes) -> str:
            return (attrs.get(key) or [b""])[-1].decode("utf-8", "replace")

        base = "xl/"
        for m in REL.finditer(small("_rels/.rels")):
            a = _attrs(m.group(1))
            if first(a, b"Type").endswith("/officeDocument"):
                target = first(a, b"Target").lstrip("/")
                base = target.rsplit("/", 1)[0] + "/" if "/" in target else ""
        rels = {}
        for m in REL.finditer(small(f"{base}_rels/workbook.xml.rels")):
            a = _attrs(m.group(1))
            target = first(a, b"Target")
            rels[first(a, b"Id")] = target[1:] if target.startswith("/") else base + target
        out = {}
        for m in SHEET.finditer(small(f"{base}workbook.xml")):
            a = _attrs(m.group(1))
            rid = next((v[-1].decode("utf-8", "replace") for k, v in a.items() if _local(k) == b"id"), "")
            if rid in rels:
                out[rels[rid].lower()] = first(a, b"name")
        return out
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, Unmeasurable):
        return {}

"""Hostile files, built here byte by byte (issue 19): each is read correctly or refused with one
line and exit code 2, fast, and the process that reads it stays under 1 GB. A 2 KB workbook with
one cell at XFD1048576 used to make the reader ask for 550 GB and abort the process (the server,
an audit's pool); one at GR200000 cost 2.3 GB and 29 s.

The end-to-end cases run `python -m compliance` in a child under a 4 GB address-space cap, so a
regression fails the test instead of taking the machine; the odd XML forms are checked against
the pre-scan alone (no reader is opened)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance.errors import UnusableInput
from compliance.ingest import extent, files
from tests.conftest import HEADER, SAMPLES, worker, write_csv

GB = 1024 ** 3
BOUND_MB = 1024                  # docs/security.md: what reading an accepted file may peak at

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx(path: Path, sheet_data: str, dimension: str = "A1", shared: str | None = None,
         sheet_part: str = "worksheets/sheet1.xml", tail: str = "") -> Path:
    """A workbook of one sheet 'Gaji' whose <sheetData> is `sheet_data`, as few bytes as Excel needs."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
             f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData>{tail}</worksheet>')
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="{sheet_part}"/>'
            f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                   'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_NS}">'
                                  f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
                                  f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
                                      f'xmlns:r="{REL_NS}"><sheets><sheet name="Gaji" sheetId="1" r:id="rId1"/>'
                                      f'</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr(f"xl/{sheet_part}", sheet)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# a header and one worker, as every workbook below starts
TABLE = ('<row r="1">' + text_cell("A1", "NIK") + text_cell("B1", "Nama") + text_cell("C1", "Gaji Pokok") + '</row>'
         '<row r="2">' + text_cell("A2", "1771011203850001") + text_cell("B2", "Ani") + '<c r="C2"><v>4500000</v></c>'
         '</row>')


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float              # the largest resident set of the command and its children
    seconds: float


PROBE = """
import resource, subprocess, sys, time
cap, timeout = int(sys.argv[1]), float(sys.argv[2])
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
t = time.monotonic()
try:
    p = subprocess.run([sys.executable, *sys.argv[3:]], capture_output=True, text=True, preexec_fn=limit,
                       timeout=timeout)
    code, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired as exc:           # the command is killed, not left running
    code, out, err = "timeout", "", str(exc)
sys.stdout.write(out)
sys.stderr.write(err)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\\nPROBE {code} {peak} {time.monotonic() - t}\\n")
"""


def probe(*args, cap: int = 4 * GB, timeout: int = 600) -> Run:
    """`python ARGS` in a fresh process under an address-space cap: its exit code, output, peak
    memory (its own and its children's) and time. A command still running after `timeout`
    seconds is killed and fails the test."""
    proc = subprocess.run([sys.executable, "-c", PROBE, str(cap), str(timeout), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout + 60)
    err, _, last = proc.stderr.rstrip().rpartition("\n")
    _, code, peak_kb, seconds = last.split()
    assert code != "timeout", f"still running after {timeout} s: {args}"
    return Run(int(code), proc.stdout, err, int(peak_kb) / 1024, float(seconds))


def validate(path: Path, *more) -> Run:
    return probe("-m", "compliance", "validate", path, "--period", "2025-06", "--engine", "pandas", "--lang", "en",
                 *more)


def refused(run: Run, *words: str) -> str:
    """The one line of a refusal (exit code 2, no traceback), holding `words`."""
    assert run.code == 2, (run.code, run.err[-2000:])
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in run.err, run.err[-2000:]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


# -- far cells -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, rows, columns", [("XFD1048576", 1048576, 16384), ("GR200000", 200000, 200)])
def test_a_far_cell_is_refused_before_anything_is_allocated(tmp_path, cell, rows, columns):
    row = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    path = xlsx(tmp_path / "jauh.xlsx", TABLE + f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>')
    assert path.stat().st_size < 2048
    run = validate(path)
    line = refused(run, f"sheet 'Gaji' has cells out to {cell}, far beyond the rest",
                   f"{rows} rows x {columns} columns", "more than the 700 MB a file may use")
    assert "jauh.xlsx" in line
    assert run.peak_mb < 300 and run.seconds < 30, (run.peak_mb, run.seconds)


def test_a_far_cell_within_the_limit_is_read(tmp_path):
    """Far, but the grid fits: read as it is (the worker found, the far value a stray cell)."""
    path = xlsx(tmp_path / "jauh.xlsx", TABLE + '<row r="100000"><c r="O100000"><v>1</v></c></row>')
    run = validate(path)
    assert run.code in (0, 1), run.err[-2000:]
    assert "rows read: 1" in run.out and run.peak_mb < 400, (run.out, run.peak_mb)


def test_a_lying_dimension_is_not_trusted(tmp_path):
    """<dimension ref="A1:XFD1048576"/> over two rows: the rows present are what count."""
    path = xlsx(tmp_path / "dim.xlsx", TABLE, dimension="A1:XFD1048576")
    run = validate(path)
    assert run.code == 0 and "rows read: 1  usable: 1" in run.out, run.err[-2000:]
    assert run.peak_mb < 300


@pytest.mark.parametrize("shape", ["self-closing", "open-close", "styled-empty-far"])
def test_a_million_empty_rows_cost_little(tmp_path, shape):
    """Rows without values (even styled cells out at column XFD) are no cells: cheap to read."""
    rows = {"self-closing": '<row r="{i}"/>', "open-close": '<row r="{i}" ht="15"></row>',
            "styled-empty-far": '<row r="{i}"><c r="XFD{i}" s="1"/></row>'}[shape]
    path = xlsx(tmp_path / "kosong.xlsx", TABLE + "".join(rows.format(i=i) for i in range(3, 1_000_003)))
    run = validate(path)
    assert run.code == 0 and "rows read: 1  usable: 1" in run.out, run.err[-2000:]
    assert run.peak_mb < 300 and run.seconds < 60, (run.peak_mb, run.seconds)


# -- shared strings --------------------------------------------------------------------------------

def sst(*strings: str, unique: int | None = None) -> str:
    n = len(strings) if unique is None else unique
    return (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" uniqueCount="{n}">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")


def test_a_long_shared_string_repeated_in_many_cells_is_refused(tmp_path):
    """One 1 MB string used by 20,000 cells: the reader copies it into each (20 GB)."""
    cells = "".join(f'<row r="{i}"><c r="D{i}" t="s"><v>0</v></c></row>' for i in range(3, 20_003))
    path = xlsx(tmp_path / "panjang.xlsx", TABLE + cells, shared=sst("x" * 1_000_000))
    assert path.stat().st_size < 200_000
    run = validate(path)
    refused(run, "the cells of sheet 'Gaji' hold 19074 MB of text", "more than the 700 MB a file may use")
    assert run.peak_mb < 300 and run.seconds < 30, (run.peak_mb, run.seconds)


def test_a_shared_strings_table_that_lies_about_its_count_is_refused(tmp_path):
    """uniqueCount="4000000000": the reader reserves room for that many strings (96 GB)."""
    path = xlsx(tmp_path / "hitung.xlsx", TABLE + '<row r="3"><c r="B3" t="s"><v>0</v></c></row>',
                shared=sst("Budi", unique=4_000_000_000))
    run = validate(path)
    refused(run, "shared strings table declares 4000000000 strings but holds 1")
    assert run.peak_mb < 300


def test_shared_strings_are_read_as_written(tmp_path):
    strings = ["NIK", "Nama", "Gaji Pokok", "1771011203850001", "Ani & Budi"]
    row1 = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABC"))
    path = xlsx(tmp_path / "sst.xlsx", f'<row r="1">{row1}</row><row r="2"><c r="A2" t="s"><v>3</v></c>'
                                       f'<c r="B2" t="s"><v>4</v></c><c r="C2"><v>4500000</v></c></row>',
                shared=sst(*[s.replace("&", "&amp;") for s in strings]))
    raw = files.read_file(path)
    assert raw.sheets[0].grid.iloc[1].tolist() == ["1771011203850001", "Ani & Budi", 4500000.0]


# -- odd XML cannot hide a far cell (the pre-scan alone: no reader is opened) ---------------------

FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
ODD_FORMS = {
    "prefixed": ('<x:row r="1048576" xmlns:x="' + NS + '"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'),
    "no reference": '<row r="1048576">' + "<c><v>1</v></c>" * 16384 + "</row>",
    "reference not first": '<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>',
    "two references": '<row r="3"><c r="A3" r="XFD1048576"><v>1</v></c></row>',
    "spaces around =": '<row r="1048576"><c r = "XFD1048576"><v>1</v></c></row>',
    "single quotes": "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    "lower case": '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    "comment": '<row r="1048576"><!-- </c> --><c r="XFD1048576"><!-- --><v>1</v></c></row>',
    "row of implied cells": '<row r="1048576"/>' + "<row>" + "<c><v>1</v></c>" * 16384 + "</row>",
    "a '>' in a value": '<row r="3"><c t=">" r="XFD1048576"><v>1</v></c></row>',
}


@pytest.mark.parametrize("form", list(ODD_FORMS))
def test_odd_xml_cannot_hide_a_far_cell(tmp_path, form):
    path = xlsx(tmp_path / "aneh.xlsx", TABLE + ODD_FORMS[form])
    with pytest.raises(UnusableInput) as caught:
        files.check_xlsx(path.read_bytes(), "aneh.xlsx")
    assert caught.value.code == "sheet-far-cell", str(caught.value)
    assert caught.value.data["columns"] == 16384, str(caught.value)


def test_a_sheet_reached_by_an_odd_path_is_scanned_too(tmp_path):
    path = xlsx(tmp_path / "jalan.xlsx", TABLE + FAR, sheet_part="../elsewhere/data.bin")
    with pytest.raises(UnusableInput) as caught:
        files.check_xlsx(path.read_bytes(), "jalan.xlsx")
    assert caught.value.code == "sheet-far-cell"


# the pre-scan alone, in a child: a scan that would not end fails the test instead of hanging it
SCAN = """
import io, sys, zipfile
from compliance.errors import UnusableInput
from compliance.ingest import extent, files
files.READ_LIMIT = 1000           # so low that the text is measured (the slow way if it must)
data = open(sys.argv[1], "rb").read()
try:
    files.check_xlsx(data, "x.xlsx")
except UnusableInput as exc:
    print(exc.code)
with zipfile.ZipFile(io.BytesIO(data)) as zf:
    print(sum(p.text for p in extent.estimate(zf, 0).sheets))
"""


def scan(path: Path) -> tuple[str, int, float]:
    """(the refusal's code, bytes of text counted, seconds) of the pre-scan of `path`."""
    run = probe("-c", SCAN, path, timeout=90)
    assert run.code == 0, run.err[-2000:]
    code, text = run.out.split()
    return code, int(text), run.seconds


def test_text_hidden_in_cdata_and_runs_is_counted(tmp_path):
    """Inline text the fast path cannot see (CDATA, many short runs) is measured the slow way."""
    big = "y" * 1_000_000
    cells = "".join(f'<row r="{i}"><c r="D{i}" t="inlineStr"><is><t><![CDATA[{big}]]></t></is></c></row>'
                    for i in range(3, 18))
    runs = "".join(f"<r><t>{'z' * 30}</t></r>" for _ in range(30_000))
    cells += "".join(f'<row r="{i}"><c r="E{i}" t="inlineStr"><is>{runs}</is></c></row>' for i in range(18, 28))
    code, text, _ = scan(xlsx(tmp_path / "cdata.xlsx", TABLE + cells))
    assert code == "sheet-text-too-large" and text >= 15 * len(big) + 10 * 30 * 30_000


def _estimate(data: bytes, limit: int = 0) -> extent.Estimate:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return extent.estimate(zf, limit)


def test_canonical_and_lenient_paths_agree(tmp_path):
    """The fast path and the tokenizer measure the same cells alike."""
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="1" t="n"><v>{r}</v></c>' for c in "ABCDEFG")
                    + f'<c r="K{r}" s="2"/></row>' for r in range(3, 200))
    data = xlsx(tmp_path / "k.xlsx", TABLE + cells).read_bytes()
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        fast = extent._fast(zf, info, extent.array("q"), 0)
        slow = extent._lenient(zf, info, extent.array("q"), 0)
    assert (fast.rows, fast.columns, fast.values) == (slow.rows, slow.columns, slow.values) == (199, 7, 6 + 197 * 7)


# -- the worst accepted shapes: read and checked under 1 GB -----------------------------------------

HEAD = ["NIK", "Nama", "Status", "Tgl Masuk", "Gaji Pokok", "Tunjangan Tetap", "No KPJ", "Upah BPJS", "Jabatan",
        "Alamat"]
NIK = "17{d:02d}01120385{s:04d}"          # unique, born 12 March 1985: no data issue
ROWS = {   # a worker's row, a template of its row number {r} (and {d}, {s} of its NIK)
    "texts": (text_cell("A{r}", NIK) + text_cell("B{r}", "Pekerja Nomor {r}") + text_cell("C{r}", "Tetap")
              + text_cell("D{r}", "01/02/2020") + text_cell("E{r}", "Rp 4.500.000") + text_cell("F{r}", "500.000")
              + text_cell("G{r}", "170{r:08d}") + text_cell("H{r}", "5.000.000") + text_cell("I{r}", "Staf Umum")
              + text_cell("J{r}", "Jl. Merdeka No. {r}, Kota Bengkulu")),
    "numbers": ('<c r="A{r}"><v>' + NIK + '</v></c>' + text_cell("B{r}", "P{r}") + text_cell("C{r}", "Tetap")
                + '<c r="D{r}" s="1"><v>43862</v></c><c r="E{r}"><v>4500000</v></c><c r="F{r}"><v>500000</v></c>'
                  '<c r="G{r}"><v>170{r:08d}</v></c><c r="H{r}"><v>5000000</v></c><c r="I{r}"><v>1</v></c>'
                  '<c r="J{r}"><v>{r}</v></c>'),
    "dates": (text_cell("A{r}", NIK) + text_cell("B{r}", "P{r}") + text_cell("C{r}", "Tetap")
              + '<c r="D{r}" t="d"><v>2020-02-01</v></c><c r="E{r}"><v>4500000</v></c>'
                '<c r="F{r}"><v>500000</v></c>' + text_cell("G{r}", "170{r:08d}")
              + '<c r="H{r}"><v>5000000</v></c><c r="I{r}" t="d"><v>2023-07-08</v></c>'
                '<c r="J{r}" t="d"><v>2024-09-10</v></c>'),
}


def payroll(path: Path, kind: str, rows: int) -> Path:
    head = '<row r="1">' + "".join(text_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEAD)) + "</row>"
    template = '<row r="{r}">' + ROWS[kind] + "</row>"
    return xlsx(path, head + "".join(template.format(r=r, d=r // 10_000 % 100, s=r % 10_000)
                                     for r in range(2, rows + 2)))


def just_under(build) -> Path:
    """`build(rows)` with as many rows as keep the estimate under 97 % of the limit (measured on
    2,000 rows, then scaled)."""
    sample = _estimate(build(2_000).read_bytes(), 0).bytes()          # text measured
    return build(int(files.READ_LIMIT * 0.97 * 2_000 // sample))


def long_texts(path: Path, rows: int, extra: str = "") -> Path:
    """Stray cells of 10,000 characters under a worker, every one its own (a random token
    repeated, so that the file compresses as text does, under the zip-bomb ratio)."""
    import base64
    import random

    rnd = random.Random(19)
    cells = []
    for r in range(3, 3 + rows):
        token = base64.b64encode(rnd.randbytes(150)).decode()
        cells.append(f'<row r="{r}">{text_cell(f"D{r}", extra + (token * 50)[:10_000 - len(extra.encode())])}</row>')
    return xlsx(path, TABLE + "".join(cells))


WORST = {
    # one far cell: the whole grid empty
    "far cell": lambda p: just_under(lambda n: xlsx(p, TABLE + f'<row r="{n * 100}"><c r="Z{n * 100}"><v>1</v>'
                                                           f'</c></row>')),
    "text payroll": lambda p: just_under(lambda n: payroll(p, "texts", n)),
    "number payroll": lambda p: just_under(lambda n: payroll(p, "numbers", n)),
    "date payroll": lambda p: just_under(lambda n: payroll(p, "dates", n)),
    "long texts": lambda p: just_under(lambda n: long_texts(p, n // 10)),
    # one emoji makes Python keep 4 bytes for every character of a string
    "long texts, one emoji each": lambda p: just_under(lambda n: long_texts(p, n // 10, "\U0001f600")),
    # one shared string of 1,000 characters in every cell of a column: each use is a copy
    "a shared string repeated": lambda p: just_under(lambda n: xlsx(
        p, TABLE + "".join(f'<row r="{r}"><c r="D{r}" t="s"><v>0</v></c></row>' for r in range(3, 3 + n)),
        shared=sst("s" * 1_000))),
}


@pytest.mark.parametrize("shape", list(WORST))
def test_the_worst_accepted_shapes_are_read_and_checked_under_1_gb(tmp_path, shape):
    path = WORST[shape](tmp_path / "besar.xlsx")
    est = _estimate(path.read_bytes(), files.READ_LIMIT)
    assert 0.8 * files.READ_LIMIT < est.bytes() <= files.READ_LIMIT, est.bytes() / 2 ** 20
    run = validate(path)
    assert run.code in (0, 1), run.err[-2000:]
    assert run.peak_mb < BOUND_MB, (shape, run.peak_mb, est.bytes() / 2 ** 20)


# -- formats read in a child process ---------------------------------------------------------------

def ods(path: Path, rows_xml: str) -> Path:
    t = "urn:oasis:names:tc:opendocument:xmlns"
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{t}:office:1.0" '
               f'xmlns:table="{t}:table:1.0" xmlns:text="{t}:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="Gaji">{rows_xml}</table:table></office:spreadsheet>'
               f'</office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{t}:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                   'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
        z.writestr("content.xml", content)
    return path


def ods_row(*values) -> str:
    cells = "".join(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
                    f'</table:table-cell>' if isinstance(v, (int, float)) else
                    f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                    for v in values)
    return f"<table:table-row>{cells}</table:table-row>"


def test_an_ods_is_read_in_a_child(tmp_path):
    path = ods(tmp_path / "gaji.ods", ods_row("NIK", "Nama", "Gaji Pokok") + ods_row("1771011203850001", "Ani", 4500000))
    raw = files.read_file(path)
    assert raw.file_type == "ods" and raw.sheets[0].grid.iloc[1].tolist() == ["1771011203850001", "Ani", 4500000.0]


def test_a_repeated_cell_bomb_in_an_ods_ends_only_its_child(tmp_path):
    """An 800-byte ODS repeating one value over 1,048,575 rows x 64 columns (67 million cells):
    the reader in the caller took 4.3 GB; in its child it meets the 1 GB limit."""
    bomb = ('<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" '
            'office:value="1" table:number-columns-repeated="64"><text:p>1</text:p></table:table-cell>'
            '</table:table-row>')
    path = ods(tmp_path / "bom.ods", ods_row("NIK", "Nama") + bomb)
    run = validate(path)
    refused(run, "bom.ods: reading this workbook needs more than the 1024 MB a file may use")
    assert run.peak_mb < BOUND_MB and run.seconds < 60, (run.peak_mb, run.seconds)


# -- text files ------------------------------------------------------------------------------------

def test_a_million_blank_lines_cost_little(tmp_path):
    path = write_csv(tmp_path / "kosong.csv", [HEADER, worker(1)])
    path.write_bytes(path.read_bytes() + b"\r\n" * 1_000_000)
    t = time.monotonic()
    raw = files.read_file(path)
    took = time.monotonic() - t
    assert raw.sheets[0].grid.shape == (1_000_002, len(HEADER)) and took < 10, took


def test_a_line_wider_than_a_sheet_is_refused(tmp_path):
    rows = [HEADER] + [worker(i) for i in range(1, 20_001)]
    path = write_csv(tmp_path / "lebar.csv", rows)
    path.write_bytes(path.read_bytes() + b"," * 1_000_000 + b"\r\n")
    run = validate(path)
    refused(run, "lebar.csv: a line has 1000001 fields, more than the 16384 columns a sheet can have")
    assert run.peak_mb < 400


def test_blank_lines_under_a_wide_header_are_refused(tmp_path):
    path = tmp_path / "lebar.csv"
    path.write_bytes(b",".join(b"k%d" % i for i in range(10_000)) + b"\n" + b"\n" * 5_000)
    run = validate(path)
    refused(run, "a text file of 5002 lines x 10000 fields (50020000 cells) is more than the 24000000 cells read")
    assert run.peak_mb < 400


def test_a_field_longer_than_the_csv_module_takes(tmp_path):
    """A 200,000-character field: read (it used to escape as an unexpected error); with ragged
    lines, which the csv module must split, refused with its reason."""
    path = tmp_path / "panjang.csv"
    path.write_bytes(b"NIK,Nama\n1771011203850001," + b"x" * 200_000 + b"\n")
    assert files.read_file(path).sheets[0].grid.iloc[1, 1] == "x" * 200_000
    path.write_bytes(b"NIK,Nama\n1771011203850001," + b"x" * 200_000 + b"\na,b,c\n")
    with pytest.raises(UnusableInput, match="the text cannot be split into fields") as caught:
        files.read_file(path)
    assert caught.value.code == "text-unreadable"


# -- a batch goes on --------------------------------------------------------------------------------

def test_a_hostile_workbook_in_an_audit_is_refused_and_the_rest_audited(tmp_path):
    batch = tmp_path / "kiriman"
    batch.mkdir()
    (batch / "cv-mitra-jasa-juni-2025.xlsx").write_bytes((SAMPLES / "cv-mitra-jasa-juni-2025.xlsx").read_bytes())
    xlsx(batch / "pt-jauh-17010999.xlsx", TABLE + FAR)
    run = probe("-m", "compliance", "audit", batch, "--registry", SAMPLES / "branch" / "registry-cabang-bengkulu-juni-2025.csv",
                "--out", tmp_path / "out", "--register", tmp_path / "r.sqlite", "--no-letters", "--engine", "pandas",
                "--jobs", "2")
    assert run.code in (0, 1), run.err[-3000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"] == {"given": 2, "audited": 1, "refused": 1, "not_tied": 0}
    (refusal,) = summary["refused"]
    assert refusal["file"].endswith("pt-jauh-17010999.xlsx") and refusal["code"] == "sheet-far-cell"
    assert "XFD1048576" in refusal["reason"]
    assert run.peak_mb < BOUND_MB


PATHOLOGICAL = {
    "a long run of '>'": "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>" + ">" * 3_000_000 + "</t></is></c></row>",
    "an unclosed CDATA": "<!-- -->" + "<row r=\"3\"><c r=\"A3\"><v><![CDATA[" + "y" * 3_000_000,
    "an attribute without '='": "<!-- --><row r=\"3\"><c " + "x" * 3_000_000 + "><v>1</v></c></row>",
    "an unclosed quote": "<!-- --><row r=\"3\"><c r=\"A3\" t=\"" + "z" * 3_000_000 + "><v>1</v></c></row>",
    "many '<'": "<!-- --><row r=\"3\">" + "<" * 1_000_000 + "</row>",
}


@pytest.mark.parametrize("form", list(PATHOLOGICAL))
def test_the_scan_is_linear_on_pathological_xml(tmp_path, form):
    """No input makes the scan backtrack: each finishes in seconds, refused or measured."""
    _code, _text, seconds = scan(xlsx(tmp_path / "lambat.xlsx", TABLE + PATHOLOGICAL[form]))
    assert seconds < 20

"""Every face in the user's language: each is rendered on the samples in Indonesian and in English,
and its text is searched for words of the other language (a word list kept here, not a
translation engine). Names, legal titles and quoted headers may be in either language: quoted
text ('...'), the samples' names and addresses, and citations are taken out before the search."""
import io
import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from compliance.cli import main
from tests.conftest import RULES, SAMPLES

PAYROLLS = sorted(p for p in list(SAMPLES.glob("*.xlsx")) + list(SAMPLES.glob("*.csv"))
                  if not p.name.startswith("registry"))
BRANCH = SAMPLES / "branch"

# words that only one of the two languages uses (each matched as a whole word, any case)
ENGLISH = {"the", "and", "of", "is", "not", "with", "column", "columns", "row", "rows", "file", "files",
           "violation", "violations", "warning", "warnings", "permanent", "contract", "outsourced", "assumed",
           "error", "unregistered", "shortfall", "letter", "letters", "issued", "compliant", "workers", "worker",
           "company", "period", "size", "risk", "small", "large", "wage", "registered", "draft", "month",
           "missing", "unknown", "wrote", "local", "processes", "given", "refused", "audited", "daily",
           "found", "payroll", "none", "read", "usable", "ignored", "case", "cases", "stage", "deadline", "open"}
INDONESIAN = {"yang", "dan", "tidak", "pekerja", "baris", "berkas", "kolom", "perusahaan", "upah", "pelanggaran",
              "peringatan", "kesalahan", "kekurangan", "belum", "terdaftar", "dengan", "untuk", "dari",
              "surat", "periode", "skala", "risiko", "tetap", "kontrak", "harian", "diperiksa", "ditulis",
              "asumsi", "diabaikan", "kasus", "tahap", "batas", "waktu", "patuh", "bulan", "teguran",
              "ditolak", "diterima", "cakupan", "peserta"}
# names in the samples and legal titles, which stay as they are in either language
NAMES = [r"Rumah Makan Bumi Raflesia", r"Bumi Raflesia", r"Sinar Bengkulu", r"Maju Bersama Sejahtera",
         r"Mitra Jasa Bengkulu", r"Rafflesia Digital Nusantara", r"Kopi Kepahiang", r"Bengkulu Makmur",
         r"Jl\.[^,\n<]*", r"Desa [^,\n<]*", r"Kota Bengkulu", r"Kantor Cabang \w+", r"BPJS Ketenagakerjaan",
         r"Kabupaten/Kota", r"PP \d+/\d+[^;,\n]*", r"UU \d+/\d+[^;,\n]*", r"Perpres[^;,\n]*", r"Permenaker[^;,\n]*",
         r"Perdir[^;,\n]*", r"\(PKWTT?\)", r"Tenaga Kerja", r"Jaminan [A-Z][a-z]+( [A-Z][a-z]+)*",
         r"Program", r"PDS[- ][A-Z]+", r"compliance [a-z]+[^\n]*", r"--[a-z-]+", r"\S+\.(xlsx|csv|json|html|pdf|sqlite)",
         r"\[[a-z_]+\]",                                  # a field's name for --map
         r"Ya/Tidak", r"\b(Tetap|Kontrak|Harian Lepas|Borongan|Paruh Waktu|Magang)\b(?= \()"]   # values to type
# the headers a payroll may have (quoted headers may be in either language)
HEADERS = sorted({str(a) for spec in RULES.columns.columns.values() for a in spec.aliases} |
                 {str(a) for c in (RULES.companies_columns, RULES.licences_columns, RULES.registry_columns)
                  for spec in c.columns.values() for a in spec.aliases}, key=len, reverse=True)


def stripped(text: str) -> str:
    """The text with quoted values, names, legal titles, paths and option names taken out."""
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|‘[^’\n]*’|“[^”\n]*”", " ", text)
    for name in NAMES:
        text = re.sub(name, " ", text, flags=re.I)
    for header in HEADERS:
        text = re.sub(rf"(?<!\w){re.escape(header)}(?!\w)", " ", text)
    return text


def foreign(text: str, lang: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z]+", stripped(text).lower()))
    return words & (ENGLISH if lang == "id" else INDONESIAN)


def html_text(html: str) -> str:
    """The words of a page; cells that show the user's own values or headers (class "value") are
    the user's, not ours."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(td|span|code)\b[^>]*class="value"[^>]*>.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")


def xlsx_text(data: bytes, added_sheets: int | None = None, sentences_only: bool = False) -> str:
    """Sheet names, text cells and comments; of an annotated workbook (the user's own sheets, with
    comments added) only the first `added_sheets` sheets and the comments are ours. Of the
    template, whose headers and choices are what the reader accepts (quoted headers), only the
    sentences and comments."""
    wb = load_workbook(io.BytesIO(data))
    out = []
    for n, ws in enumerate(wb.worksheets):
        if sentences_only:
            out.extend(c.value for row in ws.iter_rows() for c in row
                       if isinstance(c.value, str) and len(c.value.split()) > 4)
            out.extend(c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None)
            continue
        if added_sheets is not None and n >= added_sheets:
            out.extend(c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None)
            continue
        out.append(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    out.append(cell.value)
                if cell.comment is not None:
                    out.append(cell.comment.text)
    return "\n".join(out)


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> dict:
    """Each face's text, by (face, language)."""
    tmp = tmp_path_factory.mktemp("faces")
    out: dict[tuple[str, str], str] = {}
    for lang in ("id", "en"):
        for path in PAYROLLS:
            key = f"{lang}-{path.stem}"
            out[("validate " + path.name, lang)] = run("validate", path, "--engine", "pandas", "--lang", lang)[1]
            code, text = run("check", path, "--engine", "pandas", "--lang", lang, "--out", tmp / key, "--letter",
                             "--draft", "--all-letters", "--letter-date", "2025-07-14", "--register",
                             tmp / f"{lang}.sqlite")
            out[("check " + path.name, lang)] = text
            out[("findings.xlsx " + path.name, lang)] = xlsx_text((tmp / key / "findings.xlsx").read_bytes())
            letter = tmp / key / "letter.html"
            if letter.exists():
                out[("letter " + path.name, lang)] = html_text(letter.read_text(encoding="utf-8"))
            run("annotate", path, "--engine", "pandas", "--lang", lang, "--out", tmp / f"{key}.xlsx")
            out[("annotate " + path.name, lang)] = xlsx_text((tmp / f"{key}.xlsx").read_bytes(), added_sheets=1)
        audit = tmp / f"audit-{lang}"
        out[("audit", lang)] = run("audit", BRANCH / "kiriman", "--registry",
                                   BRANCH / "registry-cabang-bengkulu-juni-2025.csv", "--companies",
                                   BRANCH / "perusahaan.csv", "--out", audit, "--draft", "--register",
                                   tmp / f"audit-{lang}.sqlite", "--letter-date", "2025-07-10", "--lang", lang,
                                   "--jobs", "1")[1]
        out[("audit index.html", lang)] = html_text((audit / "index.html").read_text(encoding="utf-8"))
        out[("audit summary.xlsx", lang)] = xlsx_text((audit / "summary.xlsx").read_bytes())
        out[("cases list", lang)] = run("cases", "list", "--register", tmp / f"{lang}.sqlite", "--as-of",
                                        "2025-09-30", "--lang", lang)[1]
        out[("cases show", lang)] = run("cases", "show", "17030456", "--register", tmp / f"{lang}.sqlite",
                                        "--lang", lang)[1]
        out[("template", lang)] = (run("template", "--out", tmp / f"template-{lang}.xlsx", "--lang", lang)[1] +
                                   xlsx_text((tmp / f"template-{lang}.xlsx").read_bytes(), sentences_only=True))
        # click's own usage errors, a workbook under another name, a folder that cannot be written
        # (the usage line is the command line's syntax, `compliance check [OPTIONS] PAYROLL`, as a name)
        out[("usage error", lang)] = "".join(
            CliRunner().invoke(main, args + ["--lang", lang], prog_name="compliance").output
            for args in (["check", "--bogus", "x"], ["cases", "list", "--status", "bad"], ["chek"]))
        out[("refusals", lang)] = run("template", "--out", tmp / "t.csv", "--lang", lang)[1] + \
            run("template", "--out", tmp / f"template-{lang}.xlsx" / "t.xlsx", "--lang", lang)[1]
        out[("audit without registry", lang)] = run(
            "audit", BRANCH / "kiriman" / "pt-maju-bersama-juni-2025.xlsx", "--out", tmp / f"noreg-{lang}",
            "--no-letters", "--register", tmp / f"noreg-{lang}.sqlite", "--lang", lang, "--jobs", "1")[1]
        out[("audit without registry index.html", lang)] = html_text(
            (tmp / f"noreg-{lang}" / "index.html").read_text(encoding="utf-8"))
    out.update(web_faces(tmp))
    return out


def web_faces(tmp: Path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from compliance.web.app import create_app

    client = TestClient(create_app())
    out = {}
    for lang in ("id", "en"):
        page = client.get(f"/?lang={lang}")
        out[("page", lang)] = html_text(page.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        sample = SAMPLES / "pt-maju-bersama-juni-2025.xlsx"
        result = client.post("/check", data={"csrf_token": token, "lang": lang},
                             files={"file": (sample.name, sample.read_bytes())})
        out[("page result", lang)] = html_text(result.text)
        bad = client.post("/check", data={"csrf_token": token, "lang": lang},
                          files={"file": ("gaji.csv", "Nama;Alamat\nA;B\n".encode())})
        out[("page error", lang)] = html_text(bad.text)
    return out


def test_every_face_speaks_the_users_language(faces):
    assert len(faces) > 40
    leaks = {f"{face} [{lang}]": {w: context(text, w) for w in sorted(foreign(text, lang))}
             for (face, lang), text in faces.items() if foreign(text, lang)}
    assert leaks == {}, "\n".join(f"{k}: {v}" for k, v in leaks.items())


def context(text: str, word: str) -> str:
    """The first line where a foreign word was found (for the failure message)."""
    for line in stripped(text).splitlines():
        if re.search(rf"\b{word}\b", line, re.I):
            return line.strip()[:140]
    return ""


def test_the_word_lists_catch_a_leak():
    """The test above is real: English in an Indonesian line is found, a quoted header is not."""
    assert foreign("baris 3: violation of the rule", "id") == {"violation", "of", "the"}
    assert foreign("kolom 'Working Days' tidak dikenal", "id") == set()
    assert foreign("row 3: pekerja belum terdaftar", "en") == {"pekerja", "belum", "terdaftar"}
    assert foreign("PP 44/2015 Pasal 5 ayat (2) huruf c applies", "en") == set()

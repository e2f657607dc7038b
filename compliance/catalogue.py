"""The catalogue of data-issue codes: one place for each code's severity and its sentences.

`error`: the row cannot be checked (it counts in rows_with_issues).
`warning`: the row is checked, but the value deserves a look (e.g. a KPJ that is not 11 digits,
a soft check in the domain reference, section 8).
Messages are templates over {value}, {column} and {detail}.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssueType:
    severity: str
    id: str
    en: str


CATALOGUE: dict[str, IssueType] = {
    "column-missing": IssueType(
        "error",
        "Kolom wajib {column} tidak ada di berkas.",
        "The required column {column} is not in the file."),
    "nik-missing": IssueType(
        "error",
        "NIK kosong: setiap pekerja harus punya NIK 16 digit.",
        "NIK is empty: every worker needs a 16-digit NIK."),
    "nik-length": IssueType(
        "error",
        "NIK {value!r} bukan 16 digit angka.",
        "NIK {value!r} is not 16 digits."),
    "nik-precision-lost": IssueType(
        "error",
        "NIK {value!r} tersimpan sebagai angka dan digit terakhirnya hilang (Excel hanya menyimpan 15 digit); "
        "simpan kolom NIK sebagai teks dan isi ulang.",
        "NIK {value!r} was stored as a number and lost its last digits (Excel keeps 15 significant digits); "
        "store the NIK column as text and re-enter it."),
    "nik-province": IssueType(
        "error",
        "NIK {value!r}: dua digit pertama bukan kode provinsi yang berlaku.",
        "NIK {value!r}: the first two digits are not a valid province code."),
    "nik-birth-date": IssueType(
        "error",
        "NIK {value!r}: digit 7-12 bukan tanggal lahir yang mungkin (DDMMYY, tanggal +40 untuk perempuan).",
        "NIK {value!r}: digits 7-12 are not a possible birth date (DDMMYY, day +40 for women)."),
    "duplicate-nik": IssueType(
        "error",
        "NIK {value!r} muncul lebih dari sekali (pertama di baris {detail}).",
        "NIK {value!r} appears more than once (first on row {detail})."),
    "name-missing": IssueType(
        "error",
        "Nama pekerja kosong.",
        "The worker's name is empty."),
    "kpj-format": IssueType(
        "warning",
        "Nomor KPJ {value!r} bukan 11 digit; periksa (angka nol di depan bisa hilang bila disimpan sebagai angka).",
        "KPJ number {value!r} is not 11 digits; check it (leading zeros are lost when stored as a number)."),
    "wage-not-a-number": IssueType(
        "error",
        "Nilai upah {value!r} bukan angka rupiah (contoh yang diterima: 4500000, Rp 4.500.000, 4.500.000,00).",
        "Wage {value!r} is not a rupiah amount (accepted e.g. 4500000, Rp 4.500.000, 4.500.000,00)."),
    "negative-wage": IssueType(
        "error",
        "Nilai upah {value!r} negatif.",
        "Wage {value!r} is negative."),
    "wage-missing": IssueType(
        "error",
        "Upah pokok kosong.",
        "The basic wage is empty."),
    "date-unparseable": IssueType(
        "error",
        "Tanggal {value!r} tidak terbaca (format yang diterima: 05/07/2025, 5-7-2025, 2025-07-05, 5 Juli 2025).",
        "Date {value!r} cannot be read (accepted: 05/07/2025, 5-7-2025, 2025-07-05, 5 July 2025; day first)."),
    "date-out-of-range": IssueType(
        "error",
        "Tanggal {value!r} di luar tahun yang mungkin untuk data upah ({detail}).",
        "Date {value!r} is outside the years a payroll can hold ({detail})."),
    "date-in-future": IssueType(
        "error",
        "Tanggal {value!r} jatuh setelah akhir periode yang diperiksa ({detail}).",
        "Date {value!r} falls after the end of the checked period ({detail})."),
    "start-after-period": IssueType(
        "warning",
        "Tanggal mulai kerja {value!r} setelah akhir periode yang diperiksa ({detail}): pekerja belum bekerja pada "
        "periode ini.",
        "Start date {value!r} is after the end of the checked period ({detail}): not yet employed in this period."),
    "end-before-start": IssueType(
        "error",
        "Tanggal keluar {value!r} sebelum tanggal mulai kerja.",
        "End date {value!r} is before the start date."),
    "unknown-employment-type": IssueType(
        "error",
        "Status pekerja {value!r} tidak dikenal (dikenal: {detail}).",
        "Employment type {value!r} is not known (known: {detail})."),
    "program-value-unknown": IssueType(
        "error",
        "Isian program {value!r} tidak dikenal (gunakan Ya/Tidak, Y/N, 1/0, centang, atau daftar seperti "
        "\"JKK, JKM, JHT\").",
        "Program entry {value!r} is not understood (use Ya/Tidak, Y/N, 1/0, a tick, or a list such as "
        "\"JKK, JKM, JHT\")."),
    "count-not-a-number": IssueType(
        "error",
        "Nilai {value!r} bukan bilangan.",
        "{value!r} is not a number."),
    "registry-id-missing": IssueType(
        "error",
        "Baris registri tanpa NIK maupun KPJ yang terbaca: tidak dapat dicocokkan dengan pekerja.",
        "Registry row with no readable NIK or KPJ: it cannot be matched to a worker."),
    "list-value-unknown": IssueType(
        "warning",
        "{column} {value!r} tidak dikenali; dianggap tidak diketahui.",
        "{column} {value!r} is not understood; taken as unknown."),
    "registry-status-unknown": IssueType(
        "warning",
        "STATUS registri {value!r} bukan AKTIF atau NONAKTIF; dianggap NONAKTIF.",
        "Registry STATUS {value!r} is neither AKTIF nor NONAKTIF; taken as NONAKTIF."),
    "birth-date-nik-mismatch": IssueType(
        "warning",
        "Tanggal lahir {value!r} tidak sama dengan tanggal lahir dalam NIK ({detail}); kolom tanggal lahir yang "
        "dipakai. Periksa keduanya.",
        "Birth date {value!r} differs from the birth date in the NIK ({detail}); the birth-date column is used. "
        "Check both."),
    "days-worked-range": IssueType(
        "error",
        "Jumlah hari kerja {value!r} di luar 0-31.",
        "Days worked {value!r} is outside 0-31."),
}


def render(code: str, lang: str, value: object = None, column: str | None = None, detail: str | None = None) -> str:
    entry = CATALOGUE[code]
    template = entry.en if lang == "en" else entry.id
    return template.format(value=value, column=column, detail=detail or "")


def severity(code: str) -> str:
    return CATALOGUE[code].severity

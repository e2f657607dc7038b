"""Builds the sample payroll files in this folder (fictional companies, realistic layouts).

Run: .venv/bin/python samples/make_samples.py   (the files are committed; rerun after editing)
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent


def nik(regency: str, day: int, month: int, year: int, serial: int, female: bool = False, province: str = "17") -> str:
    return f"{province}{regency}01{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


def rupiah(n: int) -> str:
    return "Rp " + f"{n:,}".replace(",", ".")


def title_rows(ws, lines: list[str], width: int) -> None:
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = Font(bold=True, size=12 if i == 1 else 11)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")


def signature(ws, row: int, col: int, place_date: str, title: str, name: str) -> None:
    ws.cell(row=row, column=col, value=place_date)
    ws.cell(row=row + 1, column=col, value="Mengetahui,")
    ws.cell(row=row + 2, column=col, value=title)
    ws.cell(row=row + 6, column=col, value=name).font = Font(bold=True, underline="single")


# -- 1. PT Maju Bersama Sejahtera: medium, Bengkulu; summary sheet first, company sheet, merged header
def formats(ws, text_col: int, date_cols: tuple[int, int], first_row: int = 5) -> None:
    """NIK stored as text and dates shown day-first, as an HR clerk sets up a sheet."""
    for row in ws.iter_rows(min_row=first_row, min_col=text_col, max_col=text_col):
        for cell in row:
            cell.number_format = "@"
    for row in ws.iter_rows(min_row=first_row, min_col=date_cols[0], max_col=date_cols[1]):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"


def company_sheet(wb, values: list[tuple[str, str]]) -> None:
    comp = wb.create_sheet("Perusahaan")
    for k, v in values:
        comp.append([k, v])


def maju_bersama() -> None:
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Ringkasan"
    summary.append(["REKAP GAJI JUNI 2025"])
    summary.append(["Divisi", "Jumlah Karyawan", "Total Gaji"])
    summary.append(["Produksi", 8, 38_750_000])
    summary.append(["Kantor", 4, 24_400_000])

    comp = wb.create_sheet("Perusahaan")
    for k, v in [("Nama Perusahaan", "PT Maju Bersama Sejahtera"), ("NPP", "17010234"),
                 ("Alamat", "Jl. S. Parman No. 45, Kota Bengkulu"), ("Provinsi", "Bengkulu"),
                 ("Skala Usaha", "Menengah"), ("Tingkat Risiko JKK", "Sedang"), ("Periode", "Juni 2025")]:
        comp.append([k, v])

    ws = wb.create_sheet("Gaji Juni 2025")
    header = ["No", "NIK KTP", "Nama Karyawan", "Jabatan", "Status", "Tgl Masuk", "Tgl Lahir", "Komponen Upah", None,
              "No KPJ", "Upah BPJS", "JKK", "JKM", "JHT", "JP", "Vendor"]
    title_rows(ws, ["DAFTAR GAJI KARYAWAN PT MAJU BERSAMA SEJAHTERA", "BULAN JUNI 2025"], len(header))
    ws.append([])
    ws.append(header)
    ws.append([None] * 7 + ["Gaji Pokok", "Tunjangan Tetap"] + [None] * 7)
    for c in range(1, len(header) + 1):
        if header[c - 1] is not None and header[c - 1] != "Komponen Upah":
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
    ws.merge_cells(start_row=4, start_column=8, end_row=4, end_column=9)
    rows = [
        # nik, name, job, status, start, birth, base, allowance, kpj, reported, jkk, jkm, jht, jp, vendor
        (nik("71", 12, 3, 1985, 1), "Ahmad Fauzi", "Kepala Produksi", "Tetap", "02/01/2015", dt.date(1985, 3, 12),
         rupiah(7_500_000), rupiah(1_500_000), "17023456781", rupiah(9_000_000), "Ya", "Ya", "Ya", "Ya", None),
        (nik("71", 25, 7, 1990, 2, True), "Siti Rahmawati", "Staf Keuangan", "Tetap", "15 Maret 2018",
         dt.date(1990, 7, 25), rupiah(5_200_000), rupiah(800_000), "17023456782", rupiah(4_000_000),
         "Ya", "Ya", "Ya", "Ya", None),
        (nik("71", 3, 11, 1995, 3), "Budi Santoso", "Operator", "Kontrak", "1 Juli 2024", dt.date(1995, 11, 3),
         rupiah(3_100_000), "-", None, None, "Tidak", "Tidak", "Tidak", "Tidak", None),
        (nik("71", 17, 2, 1998, 4, True), "Dewi Lestari", "Operator", "PKWT", "05/01/2025", dt.date(1998, 2, 17),
         rupiah(3_100_000), rupiah(250_000), "17023456784", rupiah(3_350_000), "Ya", "Ya", "Ya", "Tidak", None),
        (nik("71", 9, 9, 1963, 5), "Hendra Gunawan", "Penasihat Teknik", "Tetap", "10/10/2005", dt.date(1963, 9, 9),
         rupiah(8_000_000), rupiah(1_000_000), "17023456785", rupiah(9_000_000), "Ya", "Ya", "Ya", "Tidak", None),
        (nik("71", 30, 4, 2003, 6), "Rizky Pratama", "Peserta Magang", "Magang", "02/06/2025", dt.date(2003, 4, 30),
         rupiah(1_500_000), "-", None, None, "Tidak", "Tidak", "Tidak", "Tidak", None),
        (nik("71", 21, 8, 2002, 7, True), "Nurul Hidayah", "Peserta Magang", "Pemagangan", "02/06/2025",
         dt.date(2002, 8, 21), rupiah(1_500_000), "-", "17023456787", rupiah(1_500_000), "Ya", "Ya", "Tidak",
         "Tidak", None),
        (nik("71", 14, 1, 1992, 8), "Joko Susilo", "Satpam", "Outsourcing", "01/02/2023", dt.date(1992, 1, 14),
         rupiah(3_000_000), "-", None, None, "Tidak", "Tidak", "Tidak", "Tidak", "PT Garda Nusantara"),
        (nik("71", 6, 6, 1994, 9), "Eko Prasetyo", "Satpam", "Alih Daya", "01/02/2023", dt.date(1994, 6, 6),
         rupiah(3_000_000), "-", "17023456789", rupiah(3_000_000), "Ya", "Ya", "Ya", "Ya", "PT Garda Nusantara"),
        (nik("71", 28, 10, 1988, 10, True), "Maya Sari", "Admin Gudang", "Tetap", "12 Agustus 2019",
         dt.date(1988, 10, 28), rupiah(4_200_000), rupiah(600_000), "17023456790", rupiah(4_800_000),
         "Ya", "Ya", "Ya", "Ya", None),
        (nik("71", 1, 12, 1979, 11), "Agus Salim", "Sopir", "Tetap", "03/04/2012", dt.date(1979, 12, 1),
         rupiah(3_900_000), rupiah(400_000), "17023456791", rupiah(4_300_000), "Ya", "Ya", "Ya", "Ya", None),
        (nik("71", 19, 5, 1997, 12), "Fajar Nugroho", "Operator", "Kontrak", "01/08/2024", dt.date(1997, 5, 19),
         rupiah(3_100_000), rupiah(250_000), "17023456792", rupiah(3_350_000), "Ya", "Ya", "Ya", "Ya", None),
    ]
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r[:5], r[5], *r[6:]])
    ws.append([])
    ws.append([None, None, "JUMLAH", None, None, None, None, 54_100_000, 4_800_000])
    signature(ws, ws.max_row + 2, 12, "Bengkulu, 30 Juni 2025", "Manajer HRD", "Ratna Juwita")
    wb.save(HERE / "pt-maju-bersama-juni-2025.xlsx")


# -- 2. CV Sinar Bengkulu: small; semicolon CSV in Windows-1252 with Indonesian money and month names
def sinar_bengkulu() -> None:
    lines = [
        "DAFTAR GAJI CV SINAR BENGKULU;;;;;;;;;",
        "BULAN JUNI 2025;;;;;;;;;",
        "NPP;17030456;;;;;;;;",
        "Alamat;Jl. Salak Raya No. 12, Kota Bengkulu;;;;;;;;",
        "Skala Usaha;Kecil;;;;;;;;",
        "Tingkat Risiko JKK;Rendah;;;;;;;;",
        "Provinsi;Bengkulu;;;;;;;;",
        ";;;;;;;;;",
        "No;NIK;Nama;Status Karyawan;Tanggal Mulai Kerja;Gaji Pokok;Tunjangan Tetap;Nomor Peserta BPJS TK;"
        "Upah Dilaporkan;Program;HK 2 Bulan Lalu;HK Bulan Lalu;Hari Kerja",
    ]
    people = [
        (nik("02", 11, 1, 1980, 21), "André Wijaya", "Tetap", "5 Jan 2010", "4.500.000,00", "500.000,00",
         "17056789011", "5.000.000,00", "JKK, JKM, JHT"),
        (nik("02", 52, 3, 1991, 22, False), "Ma’ruf Hasan", "Tetap", "12-3-2016", "3.800.000,00", "300.000,00",
         "17056789012", "3.000.000,00", "JKK, JKM, JHT"),
        (nik("02", 8, 8, 1999, 23, True), "Putri Ayu", "Harian Lepas", "01/05/2025", "3.000.000,00", "-",
         "", "", ""),
        (nik("02", 20, 4, 2000, 24), "Dimas Saputra", "Borongan", "15 April 2025", "2.900.000,00", "-",
         "17056789014", "2.900.000,00", "JKK, JKM"),
        (nik("02", 2, 2, 1986, 25, True), "Yuni Kartika", "Paruh Waktu", "3 Februari 2021", "2.700.000,00", "-",
         "17056789015", "2.700.000,00", "JKK, JKM, JHT"),
        (nik("02", 13, 6, 1993, 26), "Teguh Wibowo", "Kontrak", "01/01/2025", "3.300.000,00", "200.000,00",
         "17056789016", "3.500.000,00", "JKK, JKM, JHT"),
    ]
    days = {3: ("23", "22", "24"), 4: ("18", "20", "19")}     # the daily and the piece-rate worker
    for i, p in enumerate(people, start=1):
        lines.append(";".join([str(i), *p, *days.get(i, ("", "", ""))]))
    lines += [";;;;;;;;;", ";;JUMLAH;;;20.200.000,00;1.000.000,00;;;", ";;;;;;;;;",
              "Bengkulu, 30 Juni 2025;;;;;;;;;", "Pemilik;;;;;;;;;", ";;;;;;;;;", "Hartono;;;;;;;;;"]
    (HERE / "cv-sinar-bengkulu-juni-2025.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


# -- 3. PT Rafflesia Digital: large, compliant; NIK means employee number, the ID sits in No. KTP
def rafflesia() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Payroll"
    ws.append(["PT RAFFLESIA DIGITAL NUSANTARA"])
    ws.append(["Daftar Upah Periode Juni 2025"])
    ws.append([])
    ws.append(["NIK", "No. KTP", "Nama Lengkap", "Status Pegawai", "TMT", "Tanggal Lahir", "Upah Pokok",
               "Tunjangan Tetap", "No. BPJS Ketenagakerjaan", "Upah BPJS", "JKK", "JKM", "JHT", "JP",
               "Kewarganegaraan"])
    staff = [
        ("RD-0001", nik("71", 4, 4, 1984, 31), "Irwan Setiawan", "Tetap", dt.date(2016, 1, 4), dt.date(1984, 4, 4),
         12_000_000, 2_000_000, "17098765431", 14_000_000, "WNI"),
        ("RD-0002", nik("71", 55, 9, 1989, 32), "Lina Marlina", "Tetap", dt.date(2017, 5, 2), dt.date(1989, 9, 15),
         9_500_000, 1_500_000, "17098765432", 11_000_000, "WNI"),
        ("RD-0003", nik("71", 10, 10, 1996, 33), "Yoga Pratama", "Kontrak", dt.date(2024, 7, 1), dt.date(1996, 10, 10),
         6_500_000, 500_000, "17098765433", 7_000_000, "WNI"),
        ("RD-0004", nik("71", 63, 1, 2002, 34), "Citra Anggraini", "Magang", dt.date(2025, 3, 3), dt.date(2002, 1, 23),
         2_900_000, 0, "17098765434", 2_900_000, "WNI"),
        ("RD-0005", nik("71", 7, 7, 1987, 35), "Fikri Ramadhan", "Tetap", dt.date(2019, 8, 1), dt.date(1987, 7, 7),
         8_000_000, 1_000_000, "17098765435", 9_000_000, "WNI"),
    ]
    for s in staff:
        is_intern = s[3] == "Magang"
        ws.append([*s[:10], "Ya", "Ya", "Tidak" if is_intern else "Ya", "Tidak" if is_intern else "Ya", s[10]])
    formats(ws, 2, (5, 6))
    company_sheet(wb, [("Nama Perusahaan", "PT Rafflesia Digital Nusantara"), ("NPP", "17020987"),
                       ("Alamat", "Jl. Jend. Sudirman No. 8, Kota Bengkulu"), ("Skala Usaha", "Besar"),
                       ("Tingkat Risiko JKK", "Sangat Rendah"), ("Periode", "06/2025"), ("Provinsi", "Bengkulu")])
    wb.save(HERE / "pt-rafflesia-digital-juni-2025.xlsx")


# -- 5. CV Mitra Jasa: small; its own workers all registered, its only problem its vendor's workers
def mitra_jasa() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Gaji"
    ws.append(["DAFTAR GAJI CV MITRA JASA BENGKULU"])
    ws.append(["BULAN JUNI 2025"])
    ws.append([])
    ws.append(["No", "NIK", "Nama", "Status", "Tgl Masuk", "Gaji Pokok", "Tunjangan Tetap", "No KPJ", "Upah BPJS",
               "Program", "Perusahaan Alih Daya"])
    staff = [
        (nik("71", 3, 2, 1985, 41), "Rudi Hartono", "Tetap", dt.date(2015, 2, 2), 5_000_000, 500_000, "17055500041"),
        (nik("71", 52, 8, 1990, 42), "Sri Wahyuni", "Tetap", dt.date(2018, 6, 1), 4_500_000, 300_000, "17055500042"),
        (nik("71", 11, 11, 1998, 43), "Andi Saputra", "Kontrak", dt.date(2024, 1, 8), 3_500_000, 0, "17055500043"),
    ]
    for i, (n, name, status, start, base, allowance, kpj) in enumerate(staff, start=1):
        ws.append([i, n, name, status, start, base, allowance, kpj, base + allowance, "JKK, JKM, JHT", None])
    # outsourced security guards: registering them is their vendor's duty (domain 1.4)
    guards = [(nik("71", 20, 4, 1993, 44), "Hendra Gunawan", dt.date(2024, 9, 1)),
              (nik("71", 9, 9, 1995, 45), "Yusuf Maulana", dt.date(2025, 2, 1))]
    for i, (n, name, start) in enumerate(guards, start=len(staff) + 1):
        ws.append([i, n, name, "Alih Daya", start, 3_100_000, 0, None, None, None, "PT Satria Jaga Nusantara"])
    formats(ws, 2, (5, 5))
    company_sheet(wb, [("Nama Perusahaan", "CV Mitra Jasa Bengkulu"), ("NPP", "17055500"),
                       ("Alamat", "Jl. Pariwisata No. 21, Kota Bengkulu"), ("Skala Usaha", "Kecil"),
                       ("Tingkat Risiko JKK", "Rendah"), ("Periode", "06/2025"), ("Provinsi", "Bengkulu"),
                       ("Kabupaten/Kota", "Kota Bengkulu")])
    wb.save(HERE / "cv-mitra-jasa-juni-2025.xlsx")


# -- 4. UD Kopi Kepahiang: micro; messy data entry with issues to fix
def kopi_kepahiang() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Gaji"
    ws.append(["UD KOPI KEPAHIANG - DAFTAR GAJI PEKERJA"])
    ws.append(["Bulan: Juni 2025"])
    ws.append(["Skala Usaha: Mikro", None, "Tingkat Risiko JKK: Sedang", None, "NPP: 17040567"])
    ws.append(["Alamat: Desa Bukit Sari, Kepahiang"])
    ws.append(["No", "NIK", "Nama", "Jenis Pekerja", "Tgl Masuk", "Gaji Pokok", "No KPJ", "Program"])
    rows = [
        (1, int(nik("08", 14, 2, 1990, 41)), "Sutrisno", "Tetap", 45292, 2_700_000, "17034567891", "JKK, JKM"),
        (2, 3.27106e15, "Wahyuni", "Harian", "3 Mei 2025", "2.700.000", "", "-"),
        (3, nik("08", 30, 6, 2001, 43), "Bambang", "Freelance", "01/06/2025", 2_700_000, "", "-"),
        (4, nik("08", 21, 3, 1995, 44), "Rina", "Borongan", "31/02/2025", "2,700,000", "17034567894", "JKK, JKM"),
        (5, nik("08", 21, 3, 1995, 44), "Rina Wati", "Tetap", "01/01/2024", -2_500_000, "1703456789", "JKK, JKM"),
        (6, "17080112", "Slamet", "Tetap", "2019-04-01", "Rp 2.700.000", "17034567896", "JKK, JKM, THR"),
    ]
    for r in rows:
        ws.append(list(r))
    ws.cell(row=6, column=5).number_format = "0"     # a date entered as a bare Excel serial
    ws.append(["", "", "TOTAL", "", "", 10_800_000])
    wb.save(HERE / "ud-kopi-kepahiang-juni-2025.xlsx")


# -- 5. The agency's participant registry extract for PT Maju Bersama's branch
def registry() -> None:
    rows = [
        # NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH, PROGRAM, STATUS
        ("17010234", "17023456781", nik("71", 12, 3, 1985, 1), "AHMAD FAUZI", "12-03-1985", "9000000",
         "JKK,JKM,JHT,JP", "AKTIF"),
        ("17010234", "17023456782", nik("71", 25, 7, 1990, 2, True), "SITI RAHMAWATI", "25-07-1990", "4000000",
         "JKK,JKM,JHT,JP", "AKTIF"),
        ("17010234", "17023456784", nik("71", 17, 2, 1998, 4, True), "DEWI LESTARI", "17-02-1998", "3350000",
         "JKK,JKM,JHT", "AKTIF"),
        ("17010234", "17023456785", nik("71", 9, 9, 1963, 5), "HENDRA GUNAWAN", "09-09-1963", "9000000",
         "JKK,JKM,JHT", "AKTIF"),
        ("17010234", "17023456787", nik("71", 21, 8, 2002, 7, True), "NURUL HIDAYAH", "21-08-2002", "1500000",
         "JKK,JKM", "AKTIF"),
        ("17055555", "17023456789", nik("71", 6, 6, 1994, 9), "EKO PRASETYO", "06-06-1994", "3000000",
         "JKK,JKM,JHT,JP", "AKTIF"),
        ("17010234", "17023456790", nik("71", 28, 10, 1988, 10, True), "MAYA SARI", "28-10-1988", "4800000",
         "JKK,JKM,JHT,JP", "AKTIF"),
        ("17010234", "17023456791", nik("71", 1, 12, 1979, 11), "AGUS SALIM", "01-12-1979", "3900000",
         "JKK,JKM,JHT,JP", "AKTIF"),
        ("17010234", "17011111111", nik("71", 1, 12, 1979, 11), "AGUS SALIM", "01-12-1979", "3000000",
         "JKK,JKM,JHT,JP", "NONAKTIF"),
        ("17010234", "17023456792", nik("71", 19, 5, 1997, 12), "FAJAR NUGROHO", "19-05-1997", "3350000",
         "JKK,JKM,JHT,JP", "NONAKTIF"),
    ]
    lines = ["NPP,KPJ,NIK,NAMA,TGL_LAHIR,UPAH,PROGRAM,STATUS"]
    lines += [",".join(f'"{v}"' if "," in v else v for v in r) for r in rows]
    (HERE / "registry-maju-bersama-juni-2025.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- 6. A branch's batch for `compliance audit`: submissions, registry, companies list, licences
def branch() -> None:
    """samples/branch/: the payrolls of kiriman/ (three of the samples above, a restaurant that is
    not registered (PWBD), an unreadable file), the branch's registry extract, its companies list
    (two vendors among them) and business-licence records."""
    import shutil

    import pandas as pd

    folder = HERE / "branch"
    sent = folder / "kiriman"
    if sent.exists():
        shutil.rmtree(sent)
    sent.mkdir(parents=True)
    for name in ("pt-maju-bersama-juni-2025.xlsx", "pt-rafflesia-digital-juni-2025.xlsx",
                 "cv-mitra-jasa-juni-2025.xlsx"):
        shutil.copyfile(HERE / name, sent / name)
    # an upload that broke on the way: the start of a workbook, cut off
    (sent / "pt-bengkulu-makmur-juni-2025.xlsx").write_bytes((HERE / "cv-mitra-jasa-juni-2025.xlsx").read_bytes()[:700])
    # a restaurant the branch knows but that has no NPP: its payroll, and one cook who also works at PT Maju Bersama
    lines = ["DAFTAR GAJI RUMAH MAKAN BUMI RAFLESIA - JUNI 2025",
             "NIK;Nama;Status;Tgl Masuk;Gaji Pokok;No KPJ",
             f"{nik('71', 25, 7, 1990, 2, True)};Siti Rahmawati;Paruh Waktu;01/03/2025;1.200.000;",
             f"{nik('71', 3, 3, 1999, 51)};Dimas Anggara;Tetap;01/06/2024;2.900.000;",
             f"{nik('71', 44, 4, 2000, 52)};Putri Ayu;Tetap;15/01/2025;2.900.000;",
             f"{nik('71', 5, 5, 1997, 53)};Rahmat Hidayat;Kontrak;01/02/2025;2.800.000;"]
    (sent / "rm-bumi-raflesia-juni-2025.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))

    registry_rows = list(csv_rows(HERE / "registry-maju-bersama-juni-2025.csv"))
    # PT Rafflesia Digital: every worker AKTIF under its NPP at the wage paid, in the payroll's programs
    raff = pd.read_excel(HERE / "pt-rafflesia-digital-juni-2025.xlsx", sheet_name="Payroll", header=3, dtype=str, engine="openpyxl")
    for _, r in raff.iterrows():
        programs = ",".join(p for p in ("JKK", "JKM", "JHT", "JP") if r[p] == "Ya")
        registry_rows.append(["17020987", r["No. BPJS Ketenagakerjaan"], r["No. KTP"], r["Nama Lengkap"].upper(), "",
                              str(int(float(r["Upah Pokok"])) + int(float(r["Tunjangan Tetap"]))), programs, "AKTIF"])
    # CV Mitra Jasa's own three workers; its vendor's guards are not registered
    for kpj, n, name, wage in (("17055500041", nik("71", 3, 2, 1985, 41), "RUDI HARTONO", 5_500_000),
                               ("17055500042", nik("71", 52, 8, 1990, 42), "SRI WAHYUNI", 4_800_000),
                               ("17055500043", nik("71", 11, 11, 1998, 43), "ANDI SAPUTRA", 3_500_000)):
        registry_rows.append(["17055500", kpj, n, name, "", str(wage), "JKK,JKM,JHT", "AKTIF"])
    # the vendor PT Satria Jaga Nusantara has one participant of its own
    registry_rows.append(["17066600", "17066600001", nik("71", 2, 2, 1980, 61), "BUDI SANTOSO", "", "4000000",
                          "JKK,JKM,JHT,JP", "AKTIF"])
    # AKTIF under PT Maju Bersama but on none of its payrolls: left without being deactivated?
    registry_rows.append(["17010234", "17023456795", nik("71", 8, 8, 1991, 15), "TEGUH WIBOWO", "08-08-1991",
                          "3500000", "JKK,JKM,JHT,JP", "AKTIF"])
    with open(folder / "registry-cabang-bengkulu-juni-2025.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["NPP", "KPJ", "NIK", "NAMA", "TGL_LAHIR", "UPAH", "PROGRAM", "STATUS"])
        w.writerows(registry_rows)
    with open(folder / "perusahaan.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["NPP", "Nama Perusahaan", "Alamat", "Kabupaten/Kota", "Skala Usaha", "Tingkat Risiko JKK",
                    "File Gaji", "Vendor"])
        w.writerows([
            ["17010234", "PT Maju Bersama Sejahtera", "Jl. S. Parman No. 45, Kota Bengkulu", "Kota Bengkulu",
             "Menengah", "Sedang", "pt-maju-bersama-juni-2025.xlsx", "Tidak"],
            ["17020987", "PT Rafflesia Digital Nusantara", "Jl. Jend. Sudirman No. 8, Kota Bengkulu", "Kota Bengkulu",
             "Besar", "Sangat Rendah", "pt-rafflesia-digital-juni-2025.xlsx", "Tidak"],
            ["17055500", "CV Mitra Jasa Bengkulu", "Jl. Pariwisata No. 21, Kota Bengkulu", "Kota Bengkulu", "Kecil",
             "Rendah", "cv-mitra-jasa-juni-2025.xlsx", "Tidak"],
            ["17077700", "PT Bengkulu Makmur", "Jl. Ahmad Yani No. 3, Kota Bengkulu", "Kota Bengkulu", "Kecil",
             "Rendah", "pt-bengkulu-makmur-juni-2025.xlsx", "Tidak"],
            ["", "Rumah Makan Bumi Raflesia", "Jl. Pantai Panjang No. 7, Kota Bengkulu", "Kota Bengkulu", "Mikro",
             "Rendah", "rm-bumi-raflesia-juni-2025.csv", "Tidak"],
            ["17055555", "PT Garda Nusantara", "Jl. Soekarno-Hatta No. 12, Kota Bengkulu", "Kota Bengkulu",
             "Menengah", "Sedang", "", "Ya"],
            ["17066600", "PT Satria Jaga Nusantara", "Jl. Raden Fatah No. 30, Kota Bengkulu", "Kota Bengkulu",
             "Kecil", "Sedang", "", "Ya"],
        ])
    with open(folder / "izin-usaha.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["NIB", "Nama Perusahaan", "Alamat", "Kabupaten/Kota", "No BPJS TK", "Jumlah Tenaga Kerja"])
        w.writerows([
            ["9120001234567", "CV Kopi Bukit Kaba", "Desa Tebat Monok, Kepahiang", "Kepahiang", "", "12"],
            ["9120002345678", "PT Sawit Seluma Lestari", "Jl. Lintas Barat, Seluma", "Seluma", "17099999", "85"],
            ["9120003456789", "PT Rafflesia Digital Nusantara", "Jl. Jend. Sudirman No. 8, Kota Bengkulu",
             "Kota Bengkulu", "17020987", "5"],
            ["9120004567890", "Toko Sembako Berkah", "Pasar Minggu, Kota Bengkulu", "Kota Bengkulu", "", "0"],
        ])


def csv_rows(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        yield from reader


if __name__ == "__main__":
    registry()
    maju_bersama()
    sinar_bengkulu()
    rafflesia()
    kopi_kepahiang()
    mitra_jasa()
    branch()
    print("samples written to", HERE)

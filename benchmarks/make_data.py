"""Deterministic messy batches for the branch-audit benchmark, with the truth to check against.

    .venv/bin/python benchmarks/make_data.py --companies 1000 --workers 1000000 --seed 7 --out DIR

DIR/kiriman/ holds one payroll per company (xlsx and csv alternate; header words, money and
date forms vary as real payrolls do: `Rp 4.500.000`, `4500000`, `dd/mm/yyyy` text or date
cells), DIR/registry.csv the branch's registry extract, DIR/perusahaan.csv the companies list,
DIR/izin-usaha.csv licence records, and DIR/truth.json what was injected, per company:
unregistered workers (not in the registry), wages registered below the wage paid, a program
missing for a medium or large company, registry participants on no payroll (ghosts), and
workers copied onto a second company's payroll (also unregistered there).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

HEADERS = [  # (nik, name, type, start, base, allowance, kpj, reported) in different words
    ["NIK", "Nama", "Status", "Tgl Masuk", "Gaji Pokok", "Tunjangan Tetap", "No KPJ", "Upah BPJS"],
    ["NIK KTP", "Nama Karyawan", "Status Karyawan", "Tanggal Masuk", "Upah Pokok", "Tunj Tetap", "Nomor KPJ",
     "Upah Dilaporkan"],
    ["No KTP", "Nama Pegawai", "Jenis Pekerja", "TMT", "Gaji Dasar", "Tunjangan Tetap", "KPJ", "Upah Lapor"],
]
TYPES = np.array(["Tetap", "Kontrak", "PKWT", "PKWTT"])
SIZES = np.array(["Kecil", "Menengah", "Besar"])
FIRST = np.array(["Ahmad", "Siti", "Budi", "Dewi", "Eko", "Fitri", "Hendra", "Indah", "Joko", "Lina", "Made", "Nur",
                  "Putri", "Rizki", "Sri", "Teguh", "Wahyu", "Yusuf", "Agus", "Rina"])
LAST = np.array(["Saputra", "Lestari", "Gunawan", "Hidayat", "Prasetyo", "Wibowo", "Santoso", "Rahmawati",
                 "Kurniawan", "Pratama", "Susanti", "Nugroho", "Siregar", "Harahap", "Putra", "Wati"])


def niks(n: int, offset: int) -> np.ndarray:
    """Unique, well-formed NIKs: province 17, a birth date (day +40 for women) and a serial."""
    if n == 0:
        return np.zeros(0, dtype="<U16")
    idx = np.arange(offset, offset + n)
    days = idx % 12000
    born = pd.to_datetime("1971-01-01") + pd.to_timedelta(days, unit="D")
    female = (idx // 12000) % 2 == 1
    day = born.day.to_numpy() + np.where(female, 40, 0)
    serial = idx // 24000 + 1
    return np.char.add(np.char.add("177101", np.char.zfill(day.astype(str), 2)),
                       np.char.add(np.char.add(np.char.zfill(born.month.to_numpy().astype(str), 2),
                                               np.char.zfill((born.year.to_numpy() % 100).astype(str), 2)),
                                   np.char.zfill(serial.astype(str), 4)))


def rupiah_text(v: np.ndarray) -> np.ndarray:
    return np.array(["Rp " + f"{int(x):,}".replace(",", ".") for x in v], dtype=object)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--companies", type=int, default=100)
    ap.add_argument("--workers", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    make(a.out, a.companies, a.workers, a.seed)


def make(out: Path, companies: int, workers: int, seed: int) -> dict:
    import xlsxwriter

    rng = np.random.default_rng(seed)
    sent = out / "kiriman"
    sent.mkdir(parents=True, exist_ok=True)
    sizes = rng.lognormal(0, 1, companies)
    counts = np.maximum(5, np.floor(sizes / sizes.sum() * workers)).astype(int)
    counts[np.argmax(counts)] += workers - counts.sum()
    truth = {"companies": {}, "duplicates": 0, "seed": seed, "workers": int(counts.sum())}
    registry_parts, listed = [], []
    offset = 0
    carry = None                                  # workers copied onto the next company's payroll
    for c in range(companies):
        n = int(counts[c])
        npp = f"{18000000 + c}"
        size = SIZES[rng.integers(0, 3)]
        nik = niks(n, offset)
        offset += n
        names = np.char.add(np.char.add(FIRST[rng.integers(0, len(FIRST), n)], " "), LAST[rng.integers(0, len(LAST), n)])
        kpj = np.char.add("2", np.char.zfill((np.arange(offset - n, offset)).astype(str), 10))
        base = (rng.integers(35, 150, n) * 100_000).astype(np.int64)
        allowance = np.where(rng.random(n) < 0.5, rng.integers(0, 20, n) * 100_000, 0).astype(np.int64)
        start = pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3400, n), unit="D")  # by 2024-04
        types = TYPES[rng.integers(0, len(TYPES), n)]
        unregistered = rng.random(n) < 0.05
        under = ~unregistered & (rng.random(n) < 0.05)
        missing = ~unregistered & ~under & (rng.random(n) < 0.03) & (size != "Kecil")
        wage = base + allowance
        reg_wage = np.where(under, (wage * 0.7).astype(np.int64), wage)
        programs = np.where(missing, "JKK,JKM,JHT", "JKK,JKM,JHT,JP")
        table = pd.DataFrame({"nik": nik, "name": names, "type": types, "start": start, "base": base,
                              "allowance": allowance, "kpj": np.where(unregistered, "", kpj),
                              "reported": np.where(unregistered, 0, reg_wage)})
        reg = pd.DataFrame({"NPP": npp, "KPJ": kpj[~unregistered], "NIK": nik[~unregistered],
                            "NAMA": np.char.upper(names[~unregistered].astype(str)), "TGL_LAHIR": "",
                            "UPAH": reg_wage[~unregistered], "PROGRAM": programs[~unregistered], "STATUS": "AKTIF"})
        old = reg.sample(frac=0.02, random_state=seed + c).assign(STATUS="NONAKTIF", UPAH=lambda d: d["UPAH"] // 2)
        old["KPJ"] = "3" + old["KPJ"].str[1:]
        ghosts = max(0, int(round(n * 0.01)))
        ghost_nik = niks(ghosts, 50_000_000 + offset)
        ghost = pd.DataFrame({"NPP": npp, "KPJ": np.char.add("4", np.char.zfill(np.arange(ghosts).astype(str), 10))
                              if ghosts else [], "NIK": ghost_nik, "NAMA": "PESERTA LAMA", "TGL_LAHIR": "",
                              "UPAH": 4_000_000, "PROGRAM": "JKK,JKM,JHT,JP", "STATUS": "AKTIF"})
        registry_parts += [reg, old, ghost]
        extra = 0
        if carry is not None and len(carry):
            table = pd.concat([table, carry.assign(kpj="", reported=0)], ignore_index=True)
            extra = len(carry)
            truth["duplicates"] += extra
        pick = rng.random(n) < 0.001
        pick &= ~unregistered
        carry = table.iloc[:n][pick].copy()
        fmt = "xlsx" if c % 2 == 0 else "csv"
        file = f"gaji-{npp}-juni-2025.{fmt}"
        header = HEADERS[c % len(HEADERS)]
        money_text = c % 3 == 1
        date_text = c % 4 != 0
        write_payroll(sent / file, fmt, header, table, money_text, date_text, npp, xlsxwriter)
        truth["companies"][npp] = {"file": file, "workers": int(len(table)),
                                   "unregistered-worker": int(unregistered.sum()) + extra,
                                   "underreported-wage": int(under.sum()), "missing-program": int(missing.sum()),
                                   "ghosts": ghosts}
        listed.append([npp, f"PT Contoh {c:04d}", f"Jl. Contoh No. {c}, Kota Bengkulu", "Kota Bengkulu", size,
                       ["Rendah", "Sedang", "Sangat Rendah"][c % 3], file, "Tidak"])
    registry = pd.concat(registry_parts, ignore_index=True)
    registry = registry.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    registry.to_csv(out / "registry.csv", index=False)
    pd.DataFrame(listed, columns=["NPP", "Nama Perusahaan", "Alamat", "Kabupaten/Kota", "Skala Usaha",
                                  "Tingkat Risiko JKK", "File Gaji", "Vendor"]).to_csv(out / "perusahaan.csv",
                                                                                       index=False)
    lic = pd.DataFrame({"NIB": [f"91{i:011d}" for i in range(companies // 10 + 1)],
                        "Nama Perusahaan": [f"Usaha Calon {i}" for i in range(companies // 10 + 1)],
                        "Alamat": "Kota Bengkulu", "Kabupaten/Kota": "Kota Bengkulu", "No BPJS TK": "",
                        "Jumlah Tenaga Kerja": rng.integers(1, 200, companies // 10 + 1)})
    lic.to_csv(out / "izin-usaha.csv", index=False)
    truth["registry_rows"] = int(len(registry))
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def write_payroll(path: Path, fmt: str, header: list[str], t: pd.DataFrame, money_text: bool, date_text: bool,
                  npp: str, xlsxwriter) -> None:
    nik, name, typ, start, base, allowance, kpj, reported = header
    money = (lambda v: rupiah_text(v)) if money_text else (lambda v: v.astype(np.int64))
    dates = t["start"].dt.strftime("%d/%m/%Y") if date_text or fmt == "csv" else t["start"]
    cols = {"No": np.arange(1, len(t) + 1), nik: t["nik"], name: t["name"], typ: t["type"], start: dates,
            base: money(t["base"].to_numpy()), allowance: money(t["allowance"].to_numpy()), kpj: t["kpj"],
            reported: money(t["reported"].to_numpy())}
    frame = pd.DataFrame(cols)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(f"Daftar Gaji NPP {npp};\r\nPeriode: Juni 2025;\r\n")
            frame.to_csv(fh, sep=";", index=False, lineterminator="\r\n")
        return
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("Gaji Juni 2025")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, [f"DAFTAR GAJI NPP {npp}"])
    ws.write_row(1, 0, ["Periode: Juni 2025"])
    ws.write_row(2, 0, list(frame.columns))
    values = [frame[c].to_numpy() for c in frame.columns]
    for r in range(len(frame)):
        for c, col in enumerate(values):
            v = col[r]
            if isinstance(v, pd.Timestamp):
                ws.write_datetime(r + 3, c, v.to_pydatetime(), date_fmt)
            elif isinstance(v, (np.integer, int)):
                ws.write_number(r + 3, c, int(v))
            else:
                ws.write_string(r + 3, c, str(v))
    comp = wb.add_worksheet("Perusahaan")
    comp.write_row(0, 0, ["NPP", npp])
    comp.write_row(1, 0, ["Periode", "06/2025"])
    wb.close()


if __name__ == "__main__":
    main()

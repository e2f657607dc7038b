"""Reading benchmark: how close is the canonical table to a raw read of the same workbook?

Generates a messy 100k-row payroll workbook (title rows, two-line merged header, money as text
and numbers, day-first and Indonesian-month dates, NIKs as text and numbers, a JUMLAH row and a
signature block), then measures, each in its own process so that peak memory is its own:

  raw-calamine   pandas.read_excel(engine="calamine", header=None)      the baseline
  raw-openpyxl   pandas.read_excel(engine="openpyxl", header=None)      the reference reader
  table-pandas   compliance read_payroll, data checks in plain pandas
  table-gx       compliance read_payroll, data checks in Great Expectations (import included)

and prints seconds, the ratio to raw-calamine and peak RSS. With --gx-rows N it also times the
data-quality phase alone on an N-row canonical table (the 100k table repeated), GX against pandas.

    .venv/bin/python benchmarks/read.py [--rows 100000] [--skip-openpyxl] [--gx-rows 1000000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]


def generate(path: Path, rows: int) -> None:
    import openpyxl

    rnd = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Gaji Juni 2025")
    ws.append(["DAFTAR GAJI KARYAWAN PT BENCHMARK SEJAHTERA"])
    ws.append(["BULAN JUNI 2025"])
    ws.append([])
    ws.append(["No", "NIK KTP", "Nama Karyawan", "Status", "Tgl Masuk", "Tgl Lahir", "Komponen Upah", None,
               "No KPJ", "Upah BPJS", "JKK", "JKM", "JHT", "JP", "Vendor"])
    ws.append([None] * 6 + ["Gaji Pokok", "Tunjangan Tetap"] + [None] * 7)
    statuses = ["Tetap", "Kontrak", "PKWT", "Magang", "Harian Lepas", "Alih Daya", "Borongan", "Paruh Waktu"]
    for i in range(rows):
        birth = dt.date(rnd.randint(1965, 2004), rnd.randint(1, 12), rnd.randint(1, 28))
        female = rnd.random() < 0.5
        nik = f"17{rnd.randint(1, 9):02d}{rnd.randint(1, 20):02d}{birth.day + (40 if female else 0):02d}" \
              f"{birth.month:02d}{birth.year % 100:02d}{rnd.randint(1, 9999):04d}"
        wage = rnd.randint(25, 150) * 100_000
        start = dt.date(rnd.randint(2005, 2025), rnd.randint(1, 12), rnd.randint(1, 28))
        r = rnd.random()
        start_cell = start if r < 0.4 else (start.strftime("%d/%m/%Y") if r < 0.7 else
                                            f"{start.day} {MONTHS[start.month - 1]} {start.year}")
        wage_cell = wage if r < 0.5 else ("Rp " + f"{wage:,}".replace(",", ".") if r < 0.8 else
                                          f"{wage:,}".replace(",", ".") + ",00")
        status = rnd.choice(statuses)
        ws.append([i + 1, int(nik) if r < 0.5 else nik, f"Pekerja {i}", status, start_cell, birth, wage_cell,
                   rnd.choice([0, "-", 500_000]), f"{rnd.randint(1, 10**10):011d}", wage, "Ya", "Ya", "Ya",
                   rnd.choice(["Ya", "Tidak", "-"]), "PT Jasa Aman" if status == "Alih Daya" else None])
    ws.append([None, None, "JUMLAH", None, None, None, 123])
    ws.append([])
    ws.append(["Bengkulu, 30 Juni 2025"])
    ws.append(["Manajer HRD"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)


def one(mode: str, path: str) -> dict:
    """Runs in a child process: one measurement."""
    t0 = time.perf_counter()
    if mode == "raw-calamine":
        import pandas as pd
        pd.read_excel(path, engine="calamine", header=None)
    elif mode == "raw-openpyxl":
        import pandas as pd
        pd.read_excel(path, engine="openpyxl", header=None)
    else:
        from compliance.ruleset import load_rule_set
        from compliance.ingest import read_payroll
        from compliance.resources import rules_dir
        p = read_payroll(path, load_rule_set(rules_dir()), engine=mode.split("-")[1])
        assert p.rows_usable + p.rows_with_issues == p.source.rows_read
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def quality_phase(path: Path, rows: int) -> None:
    import pandas as pd

    from compliance.ruleset import load_rule_set
    from compliance.ingest import quality, read_payroll
    from compliance.resources import rules_dir

    rule_set = load_rule_set(rules_dir())
    p = read_payroll(path, rule_set, engine="pandas")
    catalog = rule_set.columns
    types = {n: c.type for n, c in catalog.columns.items()}
    present = set(p.columns)
    suite = quality.build_suite(present, types, list(rule_set.employment_types.names), catalog.required(),
                                pd.Timestamp("2025-06-30"), "2025-06-30")
    t = time.perf_counter()
    quality._gx()
    gx_import = time.perf_counter() - t
    print(f"  data-quality phase alone (Great Expectations import: {gx_import:.2f} s, once per process)")
    for n in sorted({len(p.table), rows}):
        reps = -(-n // len(p.table))
        table = pd.concat([p.table] * reps, ignore_index=True).iloc[:n]
        table.index = pd.RangeIndex(6, 6 + len(table), name="row")
        # unique, well-formed NIKs (repeating the table would make every NIK a duplicate)
        table["nik"] = ("1771011203" + pd.Series(range(n)).astype(str).str.zfill(6)).to_numpy(dtype=object)
        frame = quality.helper_columns(table, {"_employment_type": table["employment_type_raw"],
                                               "_base_wage_read": table["base_wage"]})
        for engine in ("pandas", "gx"):
            t = time.perf_counter()
            issues = quality.evaluate(frame, suite, engine=engine)
            took = time.perf_counter() - t
            print(f"  {n:>9,} rows  {engine:<6} {took:7.2f} s   issues: {len(issues):,}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--skip-openpyxl", action="store_true")
    ap.add_argument("--gx-rows", type=int, default=0)
    ap.add_argument("--one", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    path = DATA / f"payroll-{args.rows}.xlsx"
    if not path.exists():
        print(f"generating {path.name} ({args.rows:,} rows) ...", flush=True)
        generate(path, args.rows)
    modes = ["raw-calamine"] + ([] if args.skip_openpyxl else ["raw-openpyxl"]) + ["table-pandas", "table-gx"]
    results = {}
    for mode in modes:
        out = subprocess.run([sys.executable, __file__, "--one", mode, str(path)], capture_output=True, text=True,
                             check=True)
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["raw-calamine"]["seconds"]
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB workbook")
    print(f"  {'mode':<14} {'seconds':>8} {'x calamine':>11} {'peak MB':>9}")
    for mode, r in results.items():
        print(f"  {mode:<14} {r['seconds']:8.2f} {r['seconds'] / base:11.2f} {r['peak_mb']:9.0f}")
    if args.gx_rows:
        quality_phase(path, args.gx_rows)


if __name__ == "__main__":
    main()

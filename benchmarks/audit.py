"""Branch-audit benchmark: the whole `compliance audit` against just reading every file, side by side.

For each size (companies x workers per company; the batch of benchmarks/make_data.py, cached in
benchmarks/.data), on the same cores (--jobs, default all):

  raw read           every file read with pandas (calamine for xlsx), in a pool of --jobs processes
  audit              compliance audit --no-letters                 (checks, company files, summary)
  audit + letters    compliance audit, letters as --draft           (also HTML and PDF letters)

and prints wall seconds, the ratio to the raw read, rows/s per core of the rule phase, the
letters per second (and the worker time of HTML and of PDF per letter), the peak memory of
the parent and of a worker, and whether the findings equal the injected truth (truth.json).

    .venv/bin/python benchmarks/audit.py [--companies 100 1000] [--per-company 1000] [--no-letters]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_data  # noqa: E402


def raw_read(path: str) -> int:
    import pandas as pd

    if path.endswith(".xlsx"):
        return len(pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)["Gaji Juni 2025"])
    return len(pd.read_csv(path, sep=";", header=None, dtype=str, skiprows=2))


def read_all(folder: Path, jobs: int) -> tuple[float, int]:
    import multiprocessing

    files = sorted(str(p) for p in (folder / "kiriman").iterdir())
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = sum(pool.map(raw_read, files, chunksize=4))
    return time.perf_counter() - started, rows


def run_audit(folder: Path, out: Path, jobs: int, letters: bool, engine: str) -> dict:
    if out.exists():
        shutil.rmtree(out)
    stats = out.parent / f"{out.name}.stats.json"
    cmd = [str(Path(sys.executable).parent / "compliance"), "audit", str(folder / "kiriman"), "--registry",
           str(folder / "registry.csv"), "--companies", str(folder / "perusahaan.csv"), "--licences",
           str(folder / "izin-usaha.csv"), "--out", str(out), "--register", str(out.parent / f"{out.name}.sqlite"),
           "--jobs", str(jobs), "--engine", engine, "--stats", str(stats), "--letter-date", "2025-07-10"]
    cmd += ["--draft"] if letters else ["--no-letters"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed: {proc.stderr[-800:]}")
    return {"seconds": seconds, **json.loads(stats.read_text()), "summary": json.loads((out / "summary.json").read_text())}


def agrees(summary: dict, truth: dict) -> str:
    wrong = 0
    for c in summary["companies"]:
        t = truth["companies"][c["npp"]]
        got = (c["workers"], c["unregistered"], c["by_family"].get("PDS-UPAH", 0), c["by_family"].get("PDS-PROGRAM", 0),
               c["ghosts"])
        wrong += got != (t["workers"], t["unregistered-worker"], t["underreported-wage"], t["missing-program"],
                         t["ghosts"])
    dup = len(summary["duplicates"]) == truth["duplicates"]
    n = len(truth["companies"])
    return f"{n - wrong}/{n} companies as injected, duplicates {'ok' if dup else 'WRONG'}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--companies", type=int, nargs="+", default=[100])
    ap.add_argument("--per-company", type=int, default=1000, help="workers per company, on average")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--engine", choices=["gx", "pandas"], default="gx")
    ap.add_argument("--no-letters", action="store_true", help="skip the run with letters")
    a = ap.parse_args(argv)
    print(f"{a.jobs} cores; engine {a.engine}; python {sys.version.split()[0]}")
    for n in a.companies:
        workers = n * a.per_company
        folder = HERE / ".data" / f"audit-{n}-{workers}-{a.seed}"
        if not (folder / "truth.json").exists():
            t = time.perf_counter()
            make_data.make(folder, n, workers, a.seed)
            print(f"made {folder.name} in {time.perf_counter() - t:.0f} s")
        truth = json.loads((folder / "truth.json").read_text())
        raw_s, rows = read_all(folder, a.jobs)
        with tempfile.TemporaryDirectory() as tmp:
            plain = run_audit(folder, Path(tmp) / "plain", a.jobs, False, a.engine)
            full = None if a.no_letters else run_audit(folder, Path(tmp) / "letters", a.jobs, True, a.engine)
        print(f"\n{n:,} companies, {rows:,} payroll rows, registry {truth['registry_rows']:,} rows")
        print(f"  {'':<22}{'s':>8}{'x raw read':>12}")
        print(f"  {'raw read (pandas)':<22}{raw_s:>8.1f}{1:>12.2f}")
        print(f"  {'audit, no letters':<22}{plain['seconds']:>8.1f}{plain['seconds'] / raw_s:>12.2f}"
              f"   (registry read {plain['registry_seconds']:.1f} s, checks {plain['check_seconds']:.1f} s, "
              f"summary {plain['summary_seconds'] + plain['write_summary_seconds']:.1f} s)")
        print(f"  rule phase: {plain['rows_checked'] / max(plain['rule_seconds'], 1e-9):,.0f} rows/s per core; "
              f"a file costs {plain['worker_seconds'] / max(plain['checked'], 1):.2f} s of worker time")
        print(f"  peak memory: parent {plain['parent_peak_mb']:,.0f} MB, a worker {plain['worker_peak_mb']:,.0f} MB")
        if full:
            k = max(full["letters"], 1)
            print(f"  {'audit + letters':<22}{full['seconds']:>8.1f}{full['seconds'] / raw_s:>12.2f}"
                  f"   {full['letters']} letters in {full['letter_seconds']:.1f} s = "
                  f"{full['letters'] / max(full['letter_seconds'], 1e-9):.1f} letters/s; per letter "
                  f"HTML {1000 * full['html_seconds'] / k:.0f} ms, PDF {1000 * full['pdf_seconds'] / k:.0f} ms "
                  f"of worker time; parent {full['parent_peak_mb']:,.0f} MB")
        print(f"  correct: {agrees(plain['summary'], truth)}")


if __name__ == "__main__":
    main()

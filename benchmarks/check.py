"""Check benchmark: the whole `compliance check` and its outputs against a raw read, side by side.

For each size (default 100k workers; the messy workbook of benchmarks/read.py, cached in
benchmarks/.data), each in its own process so that peak memory is its own:

  raw read          pandas.read_excel(engine="calamine", header=None)          the baseline
  check text        compliance check FILE --engine pandas                       (the text summary)
  check json        compliance check FILE --engine pandas --format json         (every finding)
  check --out       compliance check FILE --engine pandas --out DIR             (report.json, findings.csv,
                                                                                  findings.xlsx)

and prints seconds, the ratio to the raw read plus start-up (`compliance --version`), the extra
time over the text summary (what writing the findings costs), peak RSS, the output size and the
bytes per finding. Also the rule phase in rows per second, measured in-process.

    .venv/bin/python benchmarks/check.py [--sizes 100000 1000000] [--engine pandas|gx] [--repeat 3]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _read_module():
    spec = importlib.util.spec_from_file_location("bench_read", HERE / "read.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(cmd: list[str], stdout_file: Path | None = None, repeat: int = 1) -> dict:
    """Wall time and peak RSS of a child command (its stdout to a file, so that a big JSON is
    written as a user would redirect it); the fastest of `repeat` runs."""
    if repeat > 1:
        return min((timed(cmd, stdout_file) for _ in range(repeat)), key=lambda r: r["seconds"])
    wrapper = ("import resource,subprocess,sys,json;out=open(sys.argv[1],'wb');"
               "p=subprocess.run(sys.argv[2:],stdout=out,stderr=subprocess.PIPE,text=False);"
               "print(json.dumps({'rc':p.returncode,'err':p.stderr[-500:].decode(errors='replace'),"
               "'peak':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    target = stdout_file or Path(tempfile.mktemp())
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, str(target), *cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if info["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {info['err'].strip()}")
    size = target.stat().st_size
    if stdout_file is None:
        target.unlink()
    return {"seconds": seconds, "peak_mb": info["peak"] / 1024, "bytes": size}


def rule_phase(path: Path) -> dict:
    from compliance.engine import check
    from compliance.ruleset import load_rule_set
    from compliance.ingest import read_payroll
    from compliance.model import Company, Period
    from compliance.resources import rules_dir

    rules = load_rule_set(rules_dir())
    payroll = read_payroll(path, rules, engine="pandas",
                           options=Company(size="medium", jkk_risk="low", province="Bengkulu"))
    best = None
    for _ in range(3):
        t = time.perf_counter()
        report = check(payroll, payroll.company, payroll.company.period or Period(2025, 6), rules)
        whole = time.perf_counter() - t
        best = min(best or (9e9, 0), (report.rule_seconds, whole))
    return {"rows": report.totals.rows_checked, "rule_seconds": best[0], "check_seconds": best[1],
            "findings": report.findings_count}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--engine", choices=["pandas", "gx"], default="pandas")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command; the fastest counts")
    ap.add_argument("--phase", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(rule_phase(Path(args.phase))))
        return
    read = _read_module()
    startup = min(timed([str(BIN / "compliance"), "--version"])["seconds"] for _ in range(3))
    print(f"start-up (compliance --version): {startup:.2f} s")
    for n in args.sizes:
        path = read.DATA / f"payroll-{n}.xlsx"
        if not path.exists():
            print(f"generating {path.name} ({n:,} rows) ...", flush=True)
            read.generate(path, n)
        phase = json.loads(subprocess.run([sys.executable, __file__, "--phase", str(path)], capture_output=True,
                                          text=True, check=True).stdout.strip().splitlines()[-1])
        common = [str(BIN / "compliance"), "check", str(path), "--company-size", "medium", "--jkk-risk", "low",
                  "--province", "Bengkulu", "--engine", args.engine]
        out_dir = Path(tempfile.mkdtemp())
        k = args.repeat
        runs = {
            "raw read (calamine)": timed([sys.executable, str(HERE / "read.py"), "--one", "raw-calamine", str(path)],
                                         repeat=k),
            "check (text)": timed(common + ["--limit", "20"], repeat=k),
            "check --format json": timed(common + ["--format", "json"], repeat=k),
            "check --out DIR": timed(common + ["--limit", "20", "--out", str(out_dir / "out")], repeat=k),
        }
        out_bytes = {p.name: p.stat().st_size for p in (out_dir / "out").iterdir()}
        shutil.rmtree(out_dir)
        raw = runs["raw read (calamine)"]["seconds"]
        base = raw + startup
        text = runs["check (text)"]["seconds"]
        findings = phase["findings"]
        print(f"\n{n:,} workers ({path.stat().st_size / 1e6:.0f} MB workbook), {findings:,} findings, "
              f"engine {args.engine}")
        print(f"  rule phase: {phase['rule_seconds']:.3f} s = {phase['rows'] / phase['rule_seconds']:,.0f} rows/s"
              f"   (check() with its bookkeeping: {phase['check_seconds']:.3f} s)")
        print(f"  {'':<22} {'seconds':>8} {'x raw+start-up':>15} {'over text':>10} {'peak MB':>8}  output")
        for label, r in runs.items():
            ratio = r["seconds"] / (raw if label.startswith("raw") else base)
            over = "" if label.startswith("raw") else f"{r['seconds'] - text:+.2f} s"
            if label == "check --format json":
                output = f"{r['bytes'] / 1e6:.1f} MB = {r['bytes'] / max(findings, 1):.0f} bytes a finding"
            elif label == "check --out DIR":
                output = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(out_bytes.items()))
            else:
                output = ""
            print(f"  {label:<22} {r['seconds']:8.2f} {ratio:14.2f}x {over:>10} {r['peak_mb']:8.0f}  {output}")
        print(f"  (raw read alone {raw:.2f} s; start-up {startup:.2f} s)")


if __name__ == "__main__":
    main()

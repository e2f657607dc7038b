"""Check benchmark: the rule phase's speed, and the whole `compliance check` against a raw read.

For 100k and 1M generated workers (the messy workbook of benchmarks/read.py, cached in
benchmarks/.data), prints:
  - the rule phase (context, conditions, shortfalls for every rule) in rows per second, measured
    in-process on the canonical table (target: 1M rows/s or more);
  - `compliance check FILE --engine pandas` and `--engine gx` as whole commands (start-up, read,
    data checks, rules, text output), as a ratio to the raw `pandas.read_excel(engine="calamine")`
    of the same file plus start-up (target 1.5x), with peak memory.

    .venv/bin/python benchmarks/check.py [--sizes 100000 1000000]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _read_module():
    spec = importlib.util.spec_from_file_location("bench_read", HERE / "read.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(cmd: list[str]) -> dict:
    """Wall time and peak RSS of a child command."""
    # peak RSS of the child: run it under a tiny wrapper that reports its own getrusage
    wrapper = ("import resource,subprocess,sys,json;p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
               "print(json.dumps({'rc':p.returncode,'err':p.stderr[-500:],"
               "'peak':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if info["rc"] not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {info['err'].strip()}")
    return {"seconds": seconds, "peak_mb": info["peak"] / 1024}


def rule_phase(path: Path) -> dict:
    from compliance.engine import check, load_rules
    from compliance.ingest import read_payroll
    from compliance.model import Company
    from compliance.resources import rules_dir

    payroll = read_payroll(path, engine="pandas", options=Company(size="medium", jkk_risk="low",
                                                                   province="Bengkulu"))
    rules = load_rules(rules_dir())
    best = None
    for _ in range(3):
        t = time.perf_counter()
        report = check(payroll, rules)
        whole = time.perf_counter() - t
        best = min(best or (9e9, 0), (report.rule_seconds, whole))
    n = report.rows_checked
    return {"rows": n, "rule_seconds": best[0], "check_seconds": best[1], "findings": report.violations}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
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
        raw = timed([sys.executable, str(HERE / "read.py"), "--one", "raw-calamine", str(path)])
        phase = json.loads(subprocess.run([sys.executable, __file__, "--phase", str(path)], capture_output=True,
                                          text=True, check=True).stdout.strip().splitlines()[-1])
        common = [str(BIN / "compliance"), "check", str(path), "--company-size", "medium", "--jkk-risk", "low",
                  "--province", "Bengkulu", "--limit", "20"]
        whole_pd = timed(common + ["--engine", "pandas"])
        whole_gx = timed(common + ["--engine", "gx"])
        base = raw["seconds"] + startup
        print(f"{n:,} workers ({path.stat().st_size / 1e6:.0f} MB workbook), {phase['findings']:,} violations")
        print(f"  rule phase: {phase['rule_seconds']:.3f} s = {phase['rows'] / phase['rule_seconds']:,.0f} rows/s"
              f"   (check() with its bookkeeping: {phase['check_seconds']:.3f} s)")
        print(f"  raw calamine read {raw['seconds']:.2f} s (+ start-up {startup:.2f} s = {base:.2f} s)")
        for label, r in (("check --engine pandas", whole_pd), ("check --engine gx", whole_gx)):
            print(f"  {label:<22} {r['seconds']:7.2f} s  = {r['seconds'] / base:.2f}x raw read + start-up"
                  f"   peak {r['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()

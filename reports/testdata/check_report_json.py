#!/usr/bin/python3
"""Recomputes the paired and unpaired p-values of `selabench report --json` with SciPy.

Usage:
  selabench report RESULTS.jsonl --json > rows.jsonl
  /usr/bin/python3 reports/testdata/check_report_json.py RESULTS.jsonl rows.jsonl

Groups the records by method (the check assumes the method is the only field
that varies, as in a sweep over methods and seeds), pairs each row with the
baseline by seed, and compares scipy.stats.wilcoxon(d[d != 0], mode="exact")
(no ties) and scipy.stats.mannwhitneyu(method="exact") with the report's values
for NMI. Prints one line per row and exits 1 on a mismatch beyond 1e-12.
"""
import json
import sys

import numpy as np
from scipy.stats import mannwhitneyu, wilcoxon

records, rows = sys.argv[1], sys.argv[2]
nmi = {}
for line in open(records):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    nmi.setdefault(r["config"]["method"], {}).setdefault(r["config"]["seed"], r["final"]["nmi"])
rows = [json.loads(l) for l in open(rows) if l.strip()]
base = next(r for r in rows if r["baseline"])["method"]
bad = 0
for r in rows:
    if r["baseline"]:
        continue
    m = r["metrics"]["nmi"]
    a, b = nmi[base], nmi[r["method"]]
    seeds = sorted(set(a) & set(b))
    d = np.array([b[s] - a[s] for s in seeds])
    d = d[d != 0]
    p_w = wilcoxon(d, mode="exact").pvalue if len(d) else 1.0
    ties = len(np.unique(np.abs(d))) != len(d)
    p_u = mannwhitneyu(list(b.values()), list(a.values()), method="exact").pvalue
    ok = abs(p_w - m["p_paired"]) <= 1e-12 and (abs(p_u - m["p_unpaired"]) <= 1e-12 or ties)
    bad += not ok
    print(f"{r['method']:15s} n={len(d):2d} p_paired {m['p_paired']:.10g} scipy {p_w:.10g}   "
          f"p_unpaired {m['p_unpaired']:.10g} scipy {p_u:.10g}  {'ok' if ok else 'MISMATCH'}")
sys.exit(1 if bad else 0)

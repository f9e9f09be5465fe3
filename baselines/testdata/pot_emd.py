"""POT's exact transport solver, ot.emd, on the equipartition problem of a .npy file.

The peer of `selabench solve --solver exact` (package baselines, Exact): the same
linear program, solved by POT's network simplex. For log-probabilities L (an N×K
.npy matrix, float32 or float64) and the equipartition cluster sizes of
baselines.DefaultSizes (the first N mod K clusters get ⌈N/K⌉ samples, the others
⌊N/K⌋), it solves

    min ⟨G, −L⟩  subject to  G·1 = 1/N,  Gᵀ·1 = sizes/N,  G ≥ 0

with ot.emd(a = ones/N, b = sizes/N, M = −L) and prints one JSON object per file:

    file, solver ("pot-emd"), n, k, objective, primal, optimal, seconds, seconds_all

where objective = ⟨G, −L⟩ is the mean −log p of the optimal labels (the
`objective` of `selabench solve --solver exact --json`), primal = N·objective
(its `primal`), optimal says POT reported an optimal solution (result code 1)
within --max-iter simplex iterations, seconds is the median over --reps calls of
the ot.emd call alone (M built beforehand, as selabench's clock starts on the
loaded matrix) and seconds_all every call's time.

The comparison on one input, from the repository's root:

    go run ./tools/benchinput --kind gaussian --scale 3 --n 60000 --k 100 --out L.npy
    go run ./cmd/selabench solve --solver exact --log-probs --logits L.npy --json
    /usr/bin/python3 baselines/testdata/pot_emd.py [--reps 5] [--threads 1] L.npy

(--scale 3 is the input of the exact solver's benchmarks.) It needs NumPy and
POT: on Debian, apt-get install python3-numpy python3-pot.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import ot


def default_sizes(n, k):
    """baselines.DefaultSizes: the first n mod k clusters get ⌈n/k⌉, the others ⌊n/k⌋."""
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes


def solve(path, reps, max_iter, threads):
    L = np.load(path)
    if L.ndim != 2:
        raise SystemExit(f"{path}: want a 2-D N×K matrix, got shape {L.shape}")
    n, k = L.shape
    if k > n:
        raise SystemExit(f"{path}: the equipartition sizes need K ≤ N, got N={n} K={k}")
    M = np.ascontiguousarray(-L, dtype=np.float64)
    a = np.full(n, 1.0 / n)
    b = default_sizes(n, k) / n
    secs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        _, log = ot.emd(a, b, M, numItermax=max_iter, log=True, numThreads=threads)
        secs.append(time.perf_counter() - t0)
    cost = float(log["cost"])
    out = {
        "file": os.path.basename(path),
        "solver": "pot-emd",
        "n": n,
        "k": k,
        "objective": cost,
        "primal": cost * n,
        "optimal": log["result_code"] == 1,
        "seconds": statistics.median(secs),
        "seconds_all": secs,
    }
    if log.get("warning"):
        out["warning"] = log["warning"]
    return out


def main():
    ap = argparse.ArgumentParser(description="POT's ot.emd on the equipartition transport problem of .npy log-probabilities")
    ap.add_argument("--reps", type=int, default=5, help="ot.emd calls per file; seconds is their median (default 5)")
    ap.add_argument("--max-iter", type=int, default=10**9, help="ot.emd's numItermax, network simplex iterations (default 1e9)")
    ap.add_argument("--threads", type=int, default=1, help="ot.emd's numThreads (default 1)")
    ap.add_argument("files", nargs="+", help="N×K .npy files of log-probabilities")
    args = ap.parse_args()
    if args.reps < 1:
        ap.error("--reps must be ≥ 1")
    for path in args.files:
        print(json.dumps(solve(path, args.reps, args.max_iter, args.threads)), flush=True)


if __name__ == "__main__":
    main()

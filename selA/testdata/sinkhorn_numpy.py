"""The official SeLa Sinkhorn scheme in NumPy float64, timed on .npy inputs.

The scheme is that of yukimasano/self-label (sinkhornknopp.py, optimize_L_sk),
written here from its description: PS = P^λ (K × N), then
r = (1/K) / (PS c), c_new = (1/N) / (rᵀ PS), the error Σ|c/c_new − 1| checked
every 10 iterations until it is ≤ 0.1, and labels argmax_y PS_yi·c_i·r_y. The
clock starts from the probabilities P = exp(L) (the official code receives the
softmax output) and stops after the labels.

It prints Go benchmark lines named as BenchmarkSinkhornReal's, with
solver=numpy-ref, so that benchstat can set the two side by side:

    /usr/bin/python3 selA/testdata/sinkhorn_numpy.py [--rounds 3] FILE.npy...
"""
import argparse
import os
import time

import numpy as np


def official(P, lam=25.0, tol=0.1):
    N, K = P.shape
    PS = P.T.copy()  # K × N, as the official code holds it
    PS **= lam
    r = np.ones((K, 1)) / K
    c = np.ones((N, 1)) / N
    inv_K, inv_N = 1.0 / K, 1.0 / N
    err, count = 1e6, 0
    while err > tol:
        r = inv_K / (PS @ c)
        c_new = inv_N / (r.T @ PS).T
        if count % 10 == 0:
            err = np.nansum(np.abs(c / c_new - 1))
        c = c_new
        count += 1
    PS *= np.squeeze(c)
    PS = PS.T
    PS *= np.squeeze(r)
    return np.nanargmax(PS, 1), count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    for _ in range(args.rounds):
        for path in args.files:
            L = np.load(path).astype(np.float64)
            P = np.exp(L)
            t0 = time.perf_counter()
            _, iters = official(P)
            dt = time.perf_counter() - t0
            name = os.path.splitext(os.path.basename(path))[0]
            print(f"BenchmarkSinkhornReal/input={name}/solver=numpy-ref-2 \t1\t{dt * 1e9:.0f} ns/op\t{iters} iters/op", flush=True)


if __name__ == "__main__":
    main()

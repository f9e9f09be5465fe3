#!/usr/bin/python3
"""Prints the scikit-learn / SciPy reference values embedded in sklearn_test.go.

Run from anywhere:  /usr/bin/python3 bench/metrics/testdata/sklearn_values.py
(produced with scikit-learn 1.2.1, NumPy 1.24.2, SciPy from Debian).

The labels are regenerated exactly as lcgLabels in sklearn_test.go does: the MMIX
linear congruential generator of Knuth, x <- 6364136223846793005 x + 1442695040888963407
(mod 2^64), each draw using x >> 33.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

M = 2**64


def lcg_labels(seed, n, c, k, agree):
    x = seed
    truth, pred = [], []

    def draw():
        nonlocal x
        x = (6364136223846793005 * x + 1442695040888963407) % M
        return x >> 33

    for _ in range(n):
        t = draw() % c
        if draw() % 100 < agree:
            p = (3 * t + draw() % 2) % k
        else:
            p = draw() % k
        truth.append(t)
        pred.append(p)
    return truth, pred


CASES = [  # seed, n, c, k, agree (percent)
    (1, 1000, 7, 10, 0),
    (2, 1000, 7, 10, 0),
    (3, 1000, 7, 10, 0),
    (4, 1000, 7, 10, 60),
    (5, 1000, 7, 10, 90),
    (6, 1000, 7, 10, 100),
    (7, 5000, 20, 50, 50),
    (8, 2000, 30, 5, 70),
    (9, 3000, 300, 400, 80),
]

for seed, n, c, k, agree in CASES:
    t, p = lcg_labels(seed, n, c, k, agree)
    nmi = normalized_mutual_info_score(t, p)
    ari = adjusted_rand_score(t, p)
    cm = contingency_matrix(t, p)
    r, col = linear_sum_assignment(cm, maximize=True)
    matched = int(cm[r, col].sum())
    print("{%d, %d, %d, %d, %d, %r, %r, %d}," % (seed, n, c, k, agree, nmi, ari, matched))

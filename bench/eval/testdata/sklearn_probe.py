#!/usr/bin/python3
"""Prints the scikit-learn reference values embedded in sklearn_test.go.

Run from anywhere:  /usr/bin/python3 bench/eval/testdata/sklearn_probe.py
(produced with scikit-learn 1.2.1, NumPy 1.24.2, SciPy 1.10.1 from Debian).

The data sets are regenerated exactly as lcgSet in sklearn_test.go does: Knuth's MMIX
linear congruential generator, x <- 6364136223846793005 x + 1442695040888963407
(mod 2^64), each draw using x >> 33. Features are standardised as LinearProbe does
(float64 mean and population standard deviation of the float32 training features, 1
for a constant feature, standardised values rounded to float32), then fitted by
LogisticRegression(multinomial, lbfgs) with C = 1 / (N * lam): scikit-learn 1.2
minimises C * sum_i loss_i + ||W||^2 / 2, which has the same minimiser as LinearProbe's
mean_i loss_i + lam / 2 * ||W||^2.
"""
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

M = 2**64


def lcg_set(seed, n, c, d):
    x = seed

    def draw():
        nonlocal x
        x = (6364136223846793005 * x + 1442695040888963407) % M
        return x >> 33

    X = np.zeros((n, d), dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        t = draw() % c
        y[i] = t
        for j in range(d):
            if j == d - 1:
                v = 3.0  # a constant feature
            else:
                u = draw() / 2**31
                v = float((t * 7 + j * 3) % 5 - 2) + 4 * (u - 0.5)
            X[i, j] = np.float32(v)
    return X, y


def standardise(train, test):
    t64 = train.astype(np.float64)
    mean = t64.mean(axis=0)
    std = np.sqrt(((t64 - mean) ** 2).mean(axis=0))
    std[std == 0] = 1
    f = lambda a: ((a.astype(np.float64) - mean) / std).astype(np.float32).astype(np.float64)
    return f(train), f(test)


def grad_inf(clf, Z, y, lam):
    """Largest |component| of the gradient of mean_i loss_i + lam/2 ||W||^2."""
    P = clf.predict_proba(Z)
    P[np.arange(len(y)), y] -= 1
    gW = P.T @ Z / len(y) + lam * clf.coef_
    gb = P.mean(axis=0)
    return max(np.abs(gW).max(), np.abs(gb).max())


warnings.simplefilter("ignore")  # ConvergenceWarning of the refits (line search at rounding level)

CASES = [  # (train seed, test seed, n train, n test, classes, d, lam)
    (1, 2, 200, 100, 3, 5, 1e-2),
    (3, 4, 300, 100, 4, 5, 1e-4),
]

for (s1, s2, n, m, c, d, lam) in CASES:
    Xtr, ytr = lcg_set(s1, n, c, d)
    Xte, yte = lcg_set(s2, m, c, d)
    Ztr, Zte = standardise(Xtr, Xte)
    clf = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1 / (n * lam),
                             tol=1e-12, max_iter=100000, warm_start=True)
    # L-BFGS-B also stops when f decreases by less than ~2e-9 relatively; refit from
    # the previous solution until the gradient of the mean objective is negligible.
    for rounds in range(1, 50):
        clf.fit(Ztr, ytr)
        if grad_inf(clf, Ztr, ytr, lam) < 1e-10:
            break
    print(f"{{{s1}, {s2}, {n}, {m}, {c}, {d}, {lam!r},")
    print("\t[]float64{" + ", ".join(repr(v) for v in clf.coef_.ravel()) + "},")
    print("\t[]float64{" + ", ".join(repr(v) for v in clf.intercept_) + "},")
    print(f"\t{int((clf.predict(Ztr) == ytr).sum())}, {int((clf.predict(Zte) == yte).sum())}, {rounds}}}, // max|grad| {grad_inf(clf, Ztr, ytr, lam):.1e}")

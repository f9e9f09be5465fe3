#!/usr/bin/python3
"""Prints the SciPy / statsmodels reference values embedded in stats_test.go.

Run from anywhere:  /usr/bin/python3 reports/testdata/scipy_values.py
(produced with SciPy 1.10.1, NumPy 1.24.2 and statsmodels 0.13.5 from Debian:
python3-scipy, python3-numpy, python3-statsmodels).

Wilcoxon signed-rank: without ties, scipy.stats.wilcoxon(d[d != 0],
mode="exact"); SciPy drops to the normal approximation when a zero is present,
so zeros are dropped here first. With ties SciPy's exact mode truncates the
statistic, so the exact value given the ties comes from
scipy.stats.permutation_test over all 2^n sign flips.
"""
import numpy as np
from scipy.stats import bootstrap, permutation_test, rankdata, wilcoxon
from statsmodels.stats.multitest import multipletests

NO_TIES = {
    "n6": [0.12, -0.03, 0.07, 0.15, 0.22, -0.05],
    "n10_positive": [0.01 * (i + 1) for i in range(10)],
    "n10_mixed": [0.31, -0.02, 0.18, 0.05, -0.11, 0.27, 0.09, 0.14, -0.07, 0.22],
    "zeros": [0.0, 0.1, 0.2, -0.05, 0.3, 0.0],
    "n1": [0.4],
    "n5_centre": [1.0, -2.0, 3.0, -4.0, 5.0],
}
TIES = {
    "ties7": [0.1, -0.1, 0.2, 0.2, 0.3, -0.05, 0.1],
    "ties_all_equal": [-0.4, -0.4],
    "ties9": [1, 2, 2, -2, 3, 3, 3, -1, 4],
}


def r_plus(x, axis=-1):
    r = rankdata(np.abs(x), axis=axis)
    return np.sum(r * (x > 0), axis=axis)


print("// Wilcoxon signed-rank, exact, no ties (scipy.stats.wilcoxon mode='exact')")
for name, d in NO_TIES.items():
    d = np.array(d)
    p = wilcoxon(d[d != 0], mode="exact").pvalue
    print(f'{{"{name}", {list(d)}, {p!r}}},')

print("// Wilcoxon signed-rank, exact given ties (permutation_test, all sign flips)")
for name, d in TIES.items():
    d = np.array(d, dtype=float)
    res = permutation_test((d,), r_plus, permutation_type="samples",
                           vectorized=True, n_resamples=np.inf, alternative="two-sided")
    print(f'{{"{name}", {list(d)}, {res.pvalue!r}}},')

print("// Holm (statsmodels multipletests method='holm')")
for p in ([0.01, 0.04, 0.03, 0.005], [0.2, 0.2, 0.01], [0.5, 0.002, 0.9, 0.04, 0.04]):
    adj = multipletests(p, method="holm")[1]
    print(f"{{{p}, {list(adj)}}},")

print("// percentile bootstrap of the mean, 95 %, 200000 resamples (scipy.stats.bootstrap)")
x = np.array(NO_TIES["n10_mixed"])
res = bootstrap((x,), np.mean, confidence_level=0.95, n_resamples=200000,
                method="percentile", random_state=np.random.default_rng(1))
print(res.confidence_interval.low, res.confidence_interval.high, x.std(ddof=1) / np.sqrt(len(x)))

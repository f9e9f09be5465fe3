"""Writes the real label-step inputs that the accelerated solvers' tests read.

mnist-*.npy (TestAndersonRealInputs) are the first 10 000 rows of three heads'
log-probabilities from the default SeLa run on MNIST (seed 0), at epochs 2, 7 and
14, saved by

    go run ./cmd/selabench run --method sela --seed 0 --save-label-inputs DIR

degenerate-*.npy (TestAccelBreakdownRunsPlain) is the first 5 000 rows of head 1
at epoch 13 of a 50-epoch MLP run with strong augmentation, a float32-degenerate
problem, saved by

    go run ./cmd/selabench run --method sela --model mlp --epochs 50 --augment strong \\
        --seed 1 --validation --save-label-inputs DIR2

Both are cut by this script, run from the repository root:

    /usr/bin/python3 selA/testdata/subset.py DIR DIR2
"""
import sys

import numpy as np

SOURCES = [
    (1, "002-epoch02-head0", 10_000, "mnist"),
    (1, "007-epoch07-head3", 10_000, "mnist"),
    (1, "014-epoch14-head0", 10_000, "mnist"),
    (2, "013-epoch13-head1", 5_000, "degenerate"),
]

for arg, name, rows, prefix in SOURCES:
    x = np.load(f"{sys.argv[arg]}/{name}.npy")
    assert x.dtype == np.float32 and x.ndim == 2, (name, x.dtype, x.shape)
    np.save(f"selA/testdata/{prefix}-{name}.npy", np.ascontiguousarray(x[:rows]))

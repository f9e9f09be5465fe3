"""Writes the real label-step inputs that TestAndersonRealInputs reads.

They are the first 10 000 rows of three heads' log-probabilities from the default
SeLa run on MNIST (seed 0), at epochs 2, 7 and 14, saved by

    go run ./cmd/selabench run --method sela --seed 0 --save-label-inputs DIR

and cut by this script, run from the repository root:

    /usr/bin/python3 selA/testdata/subset.py DIR
"""
import sys

import numpy as np

SOURCES = ["002-epoch02-head0", "007-epoch07-head3", "014-epoch14-head0"]
ROWS = 10_000

for name in SOURCES:
    x = np.load(f"{sys.argv[1]}/{name}.npy")
    assert x.dtype == np.float32 and x.ndim == 2, (name, x.dtype, x.shape)
    np.save(f"selA/testdata/mnist-{name}.npy", np.ascontiguousarray(x[:ROWS]))

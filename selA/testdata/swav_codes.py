#!/usr/bin/python3
"""Prints the reference codes embedded in TestOnlineCodes (codes_test.go).

Run from anywhere:  /usr/bin/python3 selA/testdata/swav_codes.py
(NumPy 1.24 from Debian: python3-numpy).

The scores are float32(0.9·cos(0.7·i + 1.3·y)) for sample i, prototype y; the
codes are those of the official SwAV distributed_sinkhorn on one process
(world_size 1), ε = 0.05, 3 iterations, its torch calls written out in NumPy
float64 step for step.
"""
import numpy as np

n, k, eps, iters = 6, 4, 0.05, 3
i, y = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
scores = (0.9 * np.cos(0.7 * i + 1.3 * y)).astype(np.float32)

out = scores.astype(np.float64)
Q = np.exp(out / eps).T
B, K = Q.shape[1], Q.shape[0]
Q /= np.sum(Q)
for _ in range(iters):
    Q /= np.sum(Q, axis=1, keepdims=True)
    Q /= K
    Q /= np.sum(Q, axis=0, keepdims=True)
    Q /= B
Q *= B
codes = Q.T
print(", ".join(repr(float(v)) for v in codes.ravel()))

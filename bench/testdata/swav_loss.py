#!/usr/bin/python3
"""Prints the reference loss and gradient embedded in TestSwAVLoss (method9b_swav_test.go).

Run from anywhere:  /usr/bin/python3 bench/testdata/swav_loss.py
(PyTorch 1.13 from Debian: python3-torch).

The official SwAV loss (main_swav.py: crops_for_assign [0, 1], nmb_crops [2],
temperature 0.1, distributed_sinkhorn with ε = 0.05 and 3 iterations on one
process) on the scores of two heads, each (2·B)×K = 8×3: head h, row i, prototype
y scores float32(0.8·sin(1.1·i + 0.6·y + 2.3·h)). The harness averages the loss
over heads, so each head's gradient is halved.
"""
import torch

B, K, heads, eps, iters, T = 4, 3, 2, 0.05, 3, 0.1


@torch.no_grad()
def distributed_sinkhorn(out):
    Q = torch.exp(out / eps).t()
    b, k = Q.shape[1], Q.shape[0]
    Q /= torch.sum(Q)
    for _ in range(iters):
        Q /= torch.sum(Q, dim=1, keepdim=True)
        Q /= k
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= b
    Q *= b
    return Q.t()


total = 0
grads = []
for h in range(heads):
    i = torch.arange(2 * B, dtype=torch.float64)[:, None]
    y = torch.arange(K, dtype=torch.float64)[None, :]
    output = (0.8 * torch.sin(1.1 * i + 0.6 * y + 2.3 * h)).float().double().requires_grad_()
    loss = 0
    for crop_id in [0, 1]:
        q = distributed_sinkhorn(output[B * crop_id: B * (crop_id + 1)].detach())
        subloss = 0
        for v in [v for v in range(2) if v != crop_id]:
            x = output[B * v: B * (v + 1)] / T
            subloss -= torch.mean(torch.sum(q * torch.nn.functional.log_softmax(x, dim=1), dim=1))
        loss += subloss / (2 - 1)
    loss /= 2
    loss = loss / heads
    loss.backward()
    total += loss.item()
    grads.append(output.grad.numpy().ravel())
print(repr(total))
for g in grads:
    print(", ".join(repr(float(v)) for v in g))

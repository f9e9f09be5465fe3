"""PyTorch's CPU training step on BenchmarkTrainStep's models, as Go benchmark lines.

The peer of internal/nn's BenchmarkTrainStep: the same models, built as
internal/nn builds them (NewMLP and NewCNN with their defaults, one head of 10
classes):

    mlp        784 → [Linear → BatchNorm1d → ReLU] × (512, 512, 128) → Linear(10)
    cnn        1×28×28 → [Conv2d 3×3 pad 1 → BatchNorm2d → MaxPool2d(2) → ReLU]
               × (32, 64, 128 channels) → Flatten → Linear(128) → BatchNorm1d
               → ReLU → Linear(10)
    cnn-cifar  the same CNN on 3×32×32 inputs

and the same step: forward in training mode (batch statistics), mean
cross-entropy on random labels, backward, and SGD with momentum 0.9 and weight
decay 5e-4 on every parameter (lr 0.01), on a batch of 256 N(0, 1) inputs.

Each model is timed as `go test -bench` times a benchmark: warm-up steps, then
steps in rounds that grow until one lasts --benchtime seconds. It prints one line
per model and round of --count, in Go's benchmark format, as
BenchmarkTorchTrainStep/model=M/batch=B-THREADS (the suffix like Go's
-GOMAXPROCS), so that benchstat or `selabench report --bench` read it beside
ours, one row each:

    go test ./internal/nn -run '^$' -bench TrainStep -count 6 > go.txt
    /usr/bin/python3 internal/nn/testdata/torch_trainstep.py --count 6 > torch.txt
    cat go.txt torch.txt > trainstep.txt
    go run ./cmd/selabench report --bench trainstep.txt

With --name BenchmarkTrainStep the lines carry the Go benchmark's own names, and
`selabench report --bench go.txt torch.txt` sets the two files in columns with
their ratio.

It needs PyTorch (on Debian: apt-get install python3-torch) and runs on the CPU
with --threads intra-op threads (default 2, torch.set_num_threads). PyTorch's
OpenMP threads busy-wait at every barrier by default; on a machine shared with
other load a spinning thread loses its core to that load and every step stalls, so
there run it with OMP_WAIT_POLICY=PASSIVE (Go's scheduler parks idle goroutines
instead), and say so beside the figures.
"""
import argparse
import time

import torch
from torch import nn


def mlp():
    layers, d = [], 784
    for h in (512, 512, 128):
        layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU()]
        d = h
    return nn.Sequential(*layers, nn.Linear(d, 10)), (784,)


def cnn(c=1, h=28, w=28):
    shape = (c, h, w)
    layers = []
    for out in (32, 64, 128):
        layers += [nn.Conv2d(c, out, 3, padding=1), nn.BatchNorm2d(out), nn.MaxPool2d(2), nn.ReLU()]
        c, h, w = out, h // 2, w // 2
    layers += [nn.Flatten(), nn.Linear(c * h * w, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 10)]
    return nn.Sequential(*layers), shape


MODELS = {"mlp": mlp, "cnn": cnn, "cnn-cifar": lambda: cnn(3, 32, 32)}


def bench(prefix, name, batch, benchtime, threads):
    torch.manual_seed(1)
    model, shape = MODELS[name]()
    model.train()
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):  # warm-up: allocations, momentum buffers
        step()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        dt = time.perf_counter() - t0
        if dt >= benchtime or n >= 1_000_000:
            break
        # Go's rule: aim 20 % past the target from the last round, at most 100× more.
        n = max(n + 1, min(100 * n, int(1.2 * n * benchtime / max(dt, 1e-9))))
    ns = dt * 1e9 / n
    return (f"{prefix}/model={name}/batch={batch}-{threads} \t{n}\t{ns:.0f} ns/op"
            f"\t{batch * n / dt:.1f} samples/s")


def main():
    ap = argparse.ArgumentParser(description="PyTorch CPU train steps on BenchmarkTrainStep's models, as Go benchmark lines")
    ap.add_argument("--models", default="mlp,cnn,cnn-cifar", help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--batch", type=int, default=256, help="batch size (default 256, as BenchmarkTrainStep)")
    ap.add_argument("--benchtime", type=float, default=1.0, help="seconds per measured round (default 1, as go test)")
    ap.add_argument("--count", type=int, default=1, help="rounds per model (default 1)")
    ap.add_argument("--name", default="BenchmarkTorchTrainStep", help="benchmark name of the lines (default BenchmarkTorchTrainStep)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = ap.parse_args()
    if not args.name.startswith("Benchmark"):
        ap.error("--name must start with Benchmark, as Go's benchmark names do")
    names = args.models.split(",")
    for m in names:
        if m not in MODELS:
            ap.error(f"--models: no model {m!r} (want {', '.join(MODELS)})")
    torch.set_num_threads(args.threads)
    for _ in range(args.count):
        for m in names:
            print(bench(args.name, m, args.batch, args.benchtime, args.threads), flush=True)


if __name__ == "__main__":
    main()

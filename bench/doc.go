// Package bench is the suite's shared harness and its `go test -bench` suites.
//
// The harness (train loop, labelers, evaluation, run records) arrives with the
// harness issue; package bench/metrics already holds the one implementation of
// the clustering metrics every method is scored with.
//
// # Benchmarks
//
// transport_test.go measures the self-labelling step, solved three ways, on one
// family of seeded inputs (internal/logits, shared with the tests and the CLI's
// --synthetic):
//
//   - BenchmarkSinkhorn/variant=…/kind=…/n=…/k=…/lambda=…[/kernel=dense|sparse]:
//     full solves to the official stopping rule (tol 0.1), reporting iters/op,
//     GB/s (kernel bytes streamed per second of solve), pass-GB/s and ms/iter.
//   - BenchmarkStream/n=…/k=…: a parallel sum over the same number of float32s on
//     the same kind of memory — the machine's streaming-read ceiling for a pass.
//   - BenchmarkExact/n=…/k=…/kind=…: the exact equipartition with its certificate,
//     reporting the duality gap.
//
// Compare two runs with benchstat:
//
//	go test ./bench -run '^$' -bench 'Sinkhorn|Stream|Exact' -count 6 > new.txt
//	benchstat old.txt new.txt
package bench

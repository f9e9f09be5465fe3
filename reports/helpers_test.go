package reports

import (
	"github.com/selabench/selabench/bench"
)

// mkRec returns a version-current record of method on mnist's test split with the
// given seed and NMI; the other metrics are derived from nmi so that each column
// differs.
func mkRec(method string, seed uint64, nmi float64) *bench.Record {
	c := bench.DefaultConfig(method, "mnist")
	c.Seed = seed
	return &bench.Record{
		Version: bench.RecordVersion,
		Started: "2026-01-02T03:04:05Z",
		Config:  c,
		Data:    bench.DataInfo{Dataset: "mnist", Train: 60000, Eval: 10000, EvalSplit: "test", Dim: 784, Classes: 10},
		Env: bench.Env{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPU: "Test CPU", NumCPU: 2, GOMAXPROCS: 2,
			Module: "github.com/selabench/selabench", Version: "(devel)", Commit: "abc123"},
		Timings: bench.Timings{Total: 100 + float64(seed)},
		Final: bench.Final{Split: "test", NMI: nmi, ARI: nmi / 2, ACC: nmi + 0.1, ManyToOne: nmi + 0.2,
			LinearProbe: 0.9, KNN: 0.8, EffectiveClusters: 9.5},
	}
}

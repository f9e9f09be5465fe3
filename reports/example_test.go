package reports_test

import (
	"fmt"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/reports"
)

func ExampleSummarize() {
	// Three seeds of two methods; the records would normally come from records.Read.
	var recs []*bench.Record
	for method, nmis := range map[string][]float64{
		"sela":        {0.50, 0.52, 0.54},
		"deepcluster": {0.60, 0.61, 0.62},
	} {
		for seed, nmi := range nmis {
			c := bench.DefaultConfig(method, "mnist")
			c.Seed = uint64(seed)
			recs = append(recs, &bench.Record{
				Version: bench.RecordVersion, Config: c,
				Data:  bench.DataInfo{Dataset: "mnist", EvalSplit: "test"},
				Final: bench.Final{NMI: nmi},
			})
		}
	}
	s, err := reports.Summarize(recs, reports.Options{Baseline: "sela", Compare: "nmi"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range s.Rows {
		// Metrics[0] is NMI. The interval is mean ± t(0.975; 2)·s/√3.
		fmt.Printf("%-12s seeds %v  NMI %s", r.Config.Method, r.Seeds, reports.FormatStat(r.Stats[0], 3))
		if r.Tests != nil {
			// The seeds pair: per-seed differences 0.10, 0.09, 0.08, all positive,
			// so the exact signed-rank p is 2/2³; unpaired, Mann–Whitney gives 2/C(6, 3).
			c := r.Tests[0]
			fmt.Printf("  Δ %+.3f  p %.2g  (unpaired %.2g)", c.Diff.Mean, c.P, c.PUnpaired)
		}
		fmt.Println()
	}
	// Output:
	// sela         seeds [0 1 2]  NMI 0.520 ± 0.050
	// deepcluster  seeds [0 1 2]  NMI 0.610 ± 0.025  Δ +0.090  p 0.25  (unpaired 0.1)
}

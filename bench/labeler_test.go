package bench

import (
	"math"
	"testing"

	"github.com/selabench/selabench/baselines"
	"github.com/selabench/selabench/internal/logits"
	sela "github.com/selabench/selabench/selA"
)

// TestTransportStats: Sinkhorn's and the exact solver's stats give the
// objective the same meaning — the mean −log P of the chosen labels — so that
// the two are comparable.
func TestTransportStats(t *testing.T) {
	const n, k = 600, 6
	lp, err := logits.Generate(logits.Spec{N: n, K: k, Kind: logits.Network, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	logits.LogSoftmax(lp, n, k)
	cost := func(labels []int) float64 {
		s := 0.0
		for i, y := range labels {
			s -= float64(lp[i*k+y])
		}
		return s / n
	}
	sr, err := sela.Solve(lp, n, k, sela.Options{Lambda: 25})
	if err != nil {
		t.Fatal(err)
	}
	er, err := baselines.Exact(lp, n, k, baselines.ExactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ss, es := SinkhornStats(sr), ExactStats(er, n)
	if want := cost(widen(sr.Labels)); math.Abs(ss.Objective-want) > 1e-6*want || !(ss.Objective > 0) {
		t.Errorf("sinkhorn objective %v, want the labels' mean −log P %v", ss.Objective, want)
	}
	if want := cost(er.Labels); math.Abs(es.Objective-want) > 1e-9*want || !(es.Objective > 0) {
		t.Errorf("exact objective %v, want the labels' mean −log P %v", es.Objective, want)
	}
	if !ss.Converged || !es.Converged || ss.Note != "" || es.Note != "" || es.Iterations != er.Phases || ss.Iterations != sr.Iterations {
		t.Errorf("stats %+v and %+v", ss, es)
	}
	// A capped solve says why it stopped.
	capped, err := sela.Solve(lp, n, k, sela.Options{Lambda: 25, MaxIter: 1, Accel: sela.Plain})
	if err != nil {
		t.Fatal(err)
	}
	if st := SinkhornStats(capped); st.Converged || st.Note == "" {
		t.Errorf("capped solve: %+v", st)
	}
}

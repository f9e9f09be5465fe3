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

// TestLambdaSweep: the sweep solves exactly once, then every solver at every λ;
// at large λ Sinkhorn approaches the exact optimum (the gap shrinks and the
// labels agree), and a failed solve is a point, not an error.
func TestLambdaSweep(t *testing.T) {
	const n, k = 400, 8
	x, err := logits.Generate(logits.Spec{N: n, K: k, Kind: logits.Network, Scale: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := Scores{N: n, K: k, F32: x}
	exact, pts, err := LambdaSweep(s, []float64{5, 100, 2000}, []string{"sinkhorn", "sinkhorn-log"}, TransportOptions{Tol: sela.DefaultTol})
	if err != nil {
		t.Fatal(err)
	}
	if exact.Solver != "exact" || !exact.Converged || exact.MinSize != n/k || exact.MaxSize != n/k || len(pts) != 6 {
		t.Fatalf("exact %+v, %d points", exact, len(pts))
	}
	at := func(l float64, v string) LambdaPoint {
		for _, p := range pts {
			if p.Lambda == l && p.Solver == v {
				return p
			}
		}
		t.Fatalf("no point λ = %v, %s", l, v)
		return LambdaPoint{}
	}
	lo, hi := at(5, "sinkhorn-log"), at(100, "sinkhorn-log")
	if lo.Err != nil || hi.Err != nil || !(math.Abs(hi.Gap) < math.Abs(lo.Gap)) || !(hi.Agreement > lo.Agreement) || hi.Agreement < 90 {
		t.Errorf("λ = 5: gap %v, agreement %v; λ = 100: gap %v, agreement %v (errors %v, %v)", lo.Gap, lo.Agreement, hi.Gap, hi.Agreement, lo.Err, hi.Err)
	}
	if p := at(2000, "sinkhorn"); p.Err == nil || p.Result != nil {
		t.Errorf("λ = 2000 in the float32 kernel: want a failed point, got %+v", p)
	}
	if _, _, err := LambdaSweep(s, []float64{0}, []string{"sinkhorn"}, TransportOptions{}); err == nil {
		t.Error("λ = 0 accepted")
	}
	if _, _, err := LambdaSweep(s, []float64{1}, []string{"exact"}, TransportOptions{}); err == nil {
		t.Error("exact as a swept solver accepted")
	}
	if _, err := SolveTransport(Scores{N: 1, K: 1}, TransportOptions{Solver: "sinkhorn"}); err == nil {
		t.Error("no scores accepted")
	}
}

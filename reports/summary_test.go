package reports

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// recs returns one record per NMI value of method, seeds 0, 1, ….
func recs(method string, nmis ...float64) []*bench.Record {
	var out []*bench.Record
	for i, v := range nmis {
		out = append(out, mkRec(method, uint64(i), v))
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

func TestSummarizeStats(t *testing.T) {
	in := slices.Concat(
		recs("sela", 0.50, 0.52, 0.54),
		recs("deepcluster", 0.2, 0.4, 0.8, 0.9, 1.0),
		recs("naive", 0.3),
	)
	s, err := Summarize(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(s.Rows))
	}
	nmi := slices.IndexFunc(Metrics, func(m Metric) bool { return m.Name == "nmi" })
	total := slices.IndexFunc(Metrics, func(m Metric) bool { return m.Name == "total" })
	for i, test := range []struct {
		method    string
		metric    int
		mean, hw  float64
		confLevel float64
	}{
		// Half-widths from scipy: t.ppf(0.975, n-1) * x.std(ddof=1) / sqrt(n).
		// sela: mean 0.52, s = 0.02, t(0.975; 2) = 4.302652729911275 → 0.0496827542368751.
		{"sela", nmi, 0.52, 0.0496827542368751, 0.95},
		// deepcluster: [0.2 0.4 0.8 0.9 1.0], t.interval(0.95, 4, …) = (0.23347…, 1.08652…).
		{"deepcluster", nmi, 0.66, 0.42652559027961356, 0.95},
		// timings.total = 100 + seed: mean 101, s = 1, t(0.975; 2)/√3 = 2.4841377118437547.
		{"sela", total, 101, 2.4841377118437547, 0.95},
		// One seed: no interval.
		{"naive", nmi, 0.3, math.Inf(1), 0.95},
	} {
		r := s.Rows[slices.IndexFunc(s.Rows, func(r Row) bool { return r.Config.Method == test.method })]
		st := r.Stats[test.metric]
		if !near(st.Mean, test.mean) || !(near(st.HalfWidth(), test.hw) || math.IsInf(test.hw, 1) && math.IsInf(st.HalfWidth(), 1)) {
			t.Errorf("%d: %s %s: mean %v ± %v, want %v ± %v", i, test.method, Metrics[test.metric].Name, st.Mean, st.HalfWidth(), test.mean, test.hw)
		}
		if !near(st.Hi-st.Mean, st.Mean-st.Lo) && !math.IsInf(test.hw, 1) {
			t.Errorf("%d: interval [%v, %v] not symmetric about %v", i, st.Lo, st.Hi, st.Mean)
		}
	}

	// A 90 % interval: t.ppf(0.95, 4) * s / √5 = 0.3275005167913724 (scipy).
	s90, err := Summarize(in, Options{Confidence: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if hw := s90.Rows[1].Stats[nmi].HalfWidth(); s90.Rows[1].Config.Method != "deepcluster" || !near(hw, 0.3275005167913724) {
		t.Errorf("90 %%: row 2 %s half-width %v, want deepcluster 0.3275005167913724", s90.Rows[1].Config.Method, hw)
	}
}

func TestSummarizeP(t *testing.T) {
	other := func(method, dataset string, nmis ...float64) []*bench.Record {
		rs := recs(method, nmis...)
		for _, r := range rs {
			r.Config.Dataset, r.Data.Dataset = dataset, dataset
		}
		return rs
	}
	for _, test := range []struct {
		name     string
		base, vs []*bench.Record
		want     float64
	}{
		// Complete separation, 3 seeds a side: 2/C(6,3) = 0.1, the smallest possible
		// (scipy mannwhitneyu(…, method='exact') agrees).
		{"separated 3v3", recs("sela", 0.50, 0.52, 0.54), recs("deepcluster", 0.60, 0.61, 0.62), 0.1},
		// Interleaved 4 v 5, no ties: U = 5; scipy mannwhitneyu([.1,.3,.5,.7],
		// [.2,.4,.8,.9,1], method='exact').pvalue = 0.2857142857142857.
		{"interleaved 4v5", recs("sela", 0.1, 0.3, 0.5, 0.7), recs("deepcluster", 0.2, 0.4, 0.8, 0.9, 1.0), 0.2857142857142857},
		// Ties: [1 2 2 3] v [2 3 4 4]. Exact p by enumerating all C(8,4) = 70 splits
		// of the mid-ranks in Python: 2·P(U ≤ 2.5) = 0.2 (scipy's exact method ignores ties).
		{"ties 4v4", recs("sela", 1, 2, 2, 3), recs("deepcluster", 2, 3, 4, 4), 0.2},
		// Equal samples: no evidence of a difference, p = 1.
		{"equal", recs("sela", 0.5, 0.5), recs("deepcluster", 0.5, 0.5), 1},
		// Another dataset: not compared.
		{"other dataset", recs("sela", 0.50, 0.52, 0.54), other("deepcluster", "fashion-mnist", 0.60, 0.61, 0.62), math.NaN()},
	} {
		s, err := Summarize(slices.Concat(test.base, test.vs), Options{Baseline: "sela"})
		if err != nil {
			t.Fatalf("%s: %v", test.name, err)
		}
		if s.Baseline != 0 || s.Rows[0].Tests != nil {
			t.Errorf("%s: baseline %d with tests %v, want row 0 with none", test.name, s.Baseline, s.Rows[0].Tests)
		}
		got := math.NaN()
		if s.Rows[1].Tests != nil {
			got = s.Rows[1].Tests[0].PUnpaired
		}
		if !(near(got, test.want) || math.IsNaN(test.want) && math.IsNaN(got)) {
			t.Errorf("%s: unpaired p = %v, want %v", test.name, got, test.want)
		}
	}
}

// withSeeds gives rs the seeds given, in order.
func withSeeds(rs []*bench.Record, seeds ...uint64) []*bench.Record {
	for i, r := range rs {
		r.Config.Seed = seeds[i]
	}
	return rs
}

func TestSummarizePaired(t *testing.T) {
	// The baseline's seeds 0…5 come in the order 5, 0, 1, 2, 3, 4.
	in := slices.Concat(
		withSeeds(recs("sela", 0.50, 0.52, 0.54, 0.40, 0.61, 0.45), 5, 0, 1, 2, 3, 4),
		withSeeds(recs("deepcluster", 0.62, 0.65, 0.60, 0.60, 0.50, 0.80), 0, 1, 2, 3, 4, 5),
		withSeeds(recs("naive", 0.62, 0.65, 0.60), 0, 1, 2),
		withSeeds(recs("random-labels", 0.62, 0.65, 0.60), 0, 1, 7),
	)
	s, err := Summarize(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sub := func(a, b float64) float64 { return a - b } // rounded as Summarize rounds
	// Holm over the three rows' p: unpaired {.40 .45 .50 .52 .54 .61} v {.60 .62 .65}
	// has U = 1, exact p = 2·2/C(9, 3) = 0.047619…; sorted, the adjusted values are
	// 3·0.047619, max(2·0.0625, ·) and max(1·0.25, ·).
	const holmLow = 3 * 2 * 2.0 / 84
	for i, test := range []struct {
		paired     bool
		diffs      []float64 // row − baseline in ascending seed order
		pPaired, p float64
		pHolm      float64
	}{
		// Differences 0.1, 0.11, 0.2, -0.01, 0.05, 0.3, no ties:
		// scipy.stats.wilcoxon(d, mode="exact").pvalue = 0.0625.
		{true, []float64{sub(0.62, 0.52), sub(0.65, 0.54), sub(0.60, 0.40), sub(0.60, 0.61), sub(0.50, 0.45), sub(0.80, 0.50)}, 0.0625, 0.0625, holmLow},
		// Seeds 0, 1, 2 are among the baseline's: 0.1, 0.11, 0.2, p = 2/2³.
		{true, []float64{sub(0.62, 0.52), sub(0.65, 0.54), sub(0.60, 0.40)}, 0.25, 0.25, 0.25},
		// Seed 7 has no partner: unpaired.
		{false, nil, math.NaN(), 2 * 2.0 / 84, holmLow},
	} {
		row := &s.Rows[i+1]
		c := row.Tests[0]
		if c.Paired != test.paired || !slices.Equal(c.Diff.Values, test.diffs) {
			t.Errorf("%s: paired %v, differences %v; want %v, %v", row.Config.Method, c.Paired, c.Diff.Values, test.paired, test.diffs)
		}
		if !test.paired {
			if !math.IsNaN(c.PPaired) || !math.IsNaN(c.Diff.Mean) || c.P != c.PUnpaired || !near(c.P, test.p) || !near(c.PHolm, test.pHolm) {
				t.Errorf("%s: unpaired test %+v: want PPaired and Diff NaN, P = PUnpaired = %v, Holm %v", row.Config.Method, c, test.p, test.pHolm)
			}
			continue
		}
		if !near(c.PPaired, test.pPaired) || c.P != c.PPaired || !near(c.PHolm, test.pHolm) {
			t.Errorf("%s: p paired %v, p %v, Holm %v; want %v, %v, %v", row.Config.Method, c.PPaired, c.P, c.PHolm, test.pPaired, test.p, test.pHolm)
		}
		var mean float64
		for _, d := range test.diffs {
			mean += d / float64(len(test.diffs))
		}
		if !near(c.Diff.Mean, mean) || !(c.Diff.Lo < mean && mean < c.Diff.Hi) || !(c.BootLo <= mean && mean <= c.BootHi) {
			t.Errorf("%s: Δ %v [%v, %v] boot [%v, %v], want mean %v inside both", row.Config.Method, c.Diff.Mean, c.Diff.Lo, c.Diff.Hi, c.BootLo, c.BootHi, mean)
		}
	}
}

func TestSummarizeGrouping(t *testing.T) {
	lam := func(r *bench.Record, l float64) *bench.Record { r.Config.Lambda = l; return r }
	valid := func(r *bench.Record) *bench.Record {
		r.Config.Validation, r.Data.EvalSplit, r.Final.Split = true, "validation", "validation"
		return r
	}
	split := func(r *bench.Record) *bench.Record { r.Data.EvalSplit = "validation"; return r }
	in := []*bench.Record{
		mkRec("deepcluster", 0, 0.1),
		lam(mkRec("sela", 0, 0.2), 10),
		mkRec("sela", 0, 0.3),
		lam(mkRec("sela", 1, 0.4), 10),
		mkRec("sela", 7, 0.5),
		valid(mkRec("sela", 0, 0.6)),
		mkRec("sela", 7, 0.55), // a duplicate seed: dropped with a warning
		// Equal configs, different data.eval_split (cannot happen with today's
		// harness, where Validation decides the split): still kept apart.
		split(mkRec("deepcluster", 1, 0.7)),
	}
	s, err := Summarize(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		method string
		lambda float64
		split  string
		seeds  []uint64
		nmis   []float64
	}
	var got []row
	for _, r := range s.Rows {
		got = append(got, row{r.Config.Method, r.Config.Lambda, r.EvalSplit, r.Seeds, r.Stats[0].Values})
	}
	// Sorted by split (first appearance: test, then validation), then method in
	// bench.Methods order (sela before deepcluster), then first appearance.
	want := []row{
		{"sela", 10, "test", []uint64{0, 1}, []float64{0.2, 0.4}},
		{"sela", 25, "test", []uint64{0, 7}, []float64{0.3, 0.5}},
		{"deepcluster", 25, "test", []uint64{0}, []float64{0.1}},
		{"sela", 25, "validation", []uint64{0}, []float64{0.6}},
		{"deepcluster", 25, "validation", []uint64{1}, []float64{0.7}},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.method != w.method || g.lambda != w.lambda || g.split != w.split || !slices.Equal(g.seeds, w.seeds) || !slices.Equal(g.nmis, w.nmis) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
		if s.Rows[i].Config.Seed != 0 {
			t.Errorf("row %d keeps seed %d in its config", i, s.Rows[i].Config.Seed)
		}
	}
	if want := []string{"method", "lambda", "validation", "eval_split"}; !slices.Equal(s.Varying, want) {
		t.Errorf("varying %v, want %v", s.Varying, want)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].String(), "sela on mnist/test: seed 7 appears more than once") {
		t.Errorf("warnings %v", s.Warnings)
	}
	if in[4].Config.Seed != 7 || in[6].Final.NMI != 0.55 {
		t.Error("Summarize modified its input")
	}
}

func TestSummarizeBaseline(t *testing.T) {
	in := slices.Concat(recs("deepcluster", 0.3, 0.4), recs("sela", 0.5, 0.6), recs("naive", 0.1))
	twoSela := slices.Concat(in, []*bench.Record{func() *bench.Record { r := mkRec("sela", 0, 0.5); r.Config.K = 50; return r }()})
	for _, test := range []struct {
		in      []*bench.Record
		opt     Options
		want    int
		wantErr string
	}{
		{in, Options{}, 0, ""}, // row 1 is sela (bench.Methods order)
		{in, Options{Baseline: "deepcluster"}, 1, ""},
		{in, Options{Baseline: "3"}, 2, ""},
		{in, Options{Baseline: "4"}, 0, "baseline row 4 out of range: the table has 3 rows"},
		{in, Options{Baseline: "0"}, 0, "baseline row 0 out of range"},
		{in, Options{Baseline: "byol"}, 0, `baseline "byol" is no row's method (methods: sela, deepcluster, naive)`},
		{twoSela, Options{Baseline: "sela"}, 0, `baseline "sela" matches rows 1, 2; give a row number`},
		{in, Options{Compare: "f1"}, 0, `unknown metric "f1" (valid: nmi, ari, acc, m2o_acc, linear_probe, knn, effective_clusters, total, train_nmi, size_l1)`},
		{in, Options{Columns: []string{"knn", "f1"}}, 0, `unknown metric "f1"`},
		{in, Options{Columns: []string{"knn", "knn"}}, 0, `metric "knn" is listed twice`},
		{in, Options{Columns: []string{}}, 0, `no metrics to show`},
		{in, Options{Columns: []string{"knn"}}, 0, `the tested metric "nmi" is not among the columns knn`},
		{in, Options{Confidence: 1}, 0, "confidence must be in (0, 1)"},
		{nil, Options{}, 0, "no records"},
	} {
		s, err := Summarize(test.in, test.opt)
		switch {
		case test.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), test.wantErr) {
				t.Errorf("%+v: err = %v, want %q", test.opt, err, test.wantErr)
			}
			if isOpt := errors.Is(err, ErrOption); isOpt != (test.in != nil) {
				t.Errorf("%+v: errors.Is(%v, ErrOption) = %v", test.opt, err, isOpt)
			}
		case err != nil:
			t.Errorf("%+v: %v", test.opt, err)
		case s.Baseline != test.want:
			t.Errorf("%+v: baseline %d, want %d", test.opt, s.Baseline, test.want)
		}
	}
}

func TestSummarizeCompareMetric(t *testing.T) {
	// Compare on timings.total (100 + seed: equal for both methods, zero paired
	// differences) rather than NMI (differences −0.4, −0.4: p = 2·2⁻²): p = 1,
	// not 1/2.
	in := slices.Concat(recs("sela", 0.5, 0.6), recs("deepcluster", 0.1, 0.2))
	for _, test := range []struct {
		metric string
		want   float64
	}{{"nmi", 0.5}, {"total", 1}} {
		s, err := Summarize(in, Options{Compare: test.metric})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Rows[1].Tests[s.Compare].P; s.Metrics[s.Compare].Name != test.metric || !near(got, test.want) {
			t.Errorf("%s: compared %s, p = %v, want %v", test.metric, s.Metrics[s.Compare].Name, got, test.want)
		}
	}
}

// TestColumns: the chosen metrics in their order; a metric some record of a
// row does not carry (size_l1 without --imbalance) shows as — and is not tested.
func TestColumns(t *testing.T) {
	withHeads := func(r *bench.Record, trainNMI float64, l1 *float64) *bench.Record {
		r.Final.BestHead = 1
		r.Final.Heads = []bench.HeadScores{{TrainNMI: -1}, {TrainNMI: trainNMI}}
		r.Epochs = []bench.EpochStats{{Heads: []bench.HeadEpoch{{}, {SizeL1: l1}}}}
		return r
	}
	l1 := func(v float64) *float64 { return &v }
	in := []*bench.Record{
		withHeads(mkRec("sela", 0, 0.5), 0.6, l1(0.3)), withHeads(mkRec("sela", 1, 0.5), 0.7, l1(0.5)),
		withHeads(mkRec("deepcluster", 0, 0.5), 0.8, l1(0.1)), withHeads(mkRec("deepcluster", 1, 0.5), 0.9, nil),
	}
	s, err := Summarize(in, Options{Columns: []string{"train_nmi", "size_l1", "nmi"}, Compare: "train_nmi"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range s.Metrics {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"train_nmi", "size_l1", "nmi"}) || s.Compare != 0 {
		t.Fatalf("columns %v, compare %d", names, s.Compare)
	}
	sela, dc := s.Rows[0], s.Rows[1]
	if !near(sela.Stats[0].Mean, 0.65) || !near(sela.Stats[1].Mean, 0.4) || !near(dc.Stats[0].Mean, 0.85) {
		t.Errorf("train NMI %v, %v; size L1 %v", sela.Stats[0].Mean, dc.Stats[0].Mean, sela.Stats[1].Mean)
	}
	if !math.IsNaN(dc.Stats[1].Mean) || !math.IsNaN(dc.Tests[1].P) || math.IsNaN(dc.Tests[0].P) {
		t.Errorf("deepcluster's size L1 %v (p %v) should be missing; train NMI p %v", dc.Stats[1].Mean, dc.Tests[1].P, dc.Tests[0].P)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, s, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`\|\s+train NMI\s+\|\s+size L1\s+\|\s+NMI\s+\|`, `\|\s+—\s+\|`, `- \*\*train NMI\*\*: the best head's NMI on the \*training\* split`, `- \*\*size L1\*\*: the L1 distance`} {
		if !regexp.MustCompile(want).MatchString(b.String()) {
			t.Errorf("the markdown lacks %q:\n%s", want, b.String())
		}
	}
	// A record without heads has no training-split NMI.
	s, err = Summarize([]*bench.Record{mkRec("sela", 0, 0.5)}, Options{Columns: []string{"nmi", "train_nmi"}})
	if err != nil || !math.IsNaN(s.Rows[0].Stats[1].Mean) {
		t.Errorf("err %v, train NMI of a record without heads %v", err, s.Rows[0].Stats)
	}
}

func TestProvenance(t *testing.T) {
	a, b, c := mkRec("sela", 0, 0.5), mkRec("sela", 1, 0.5), mkRec("deepcluster", 0, 0.5)
	a.Started, b.Started, c.Started = "2026-03-01T10:00:00Z", "2026-02-01T10:00:00+01:00", "not a date"
	b.Env.GoVersion, b.Env.GOMAXPROCS, b.Env.Modified = "go1.26.9", 1, true
	s, err := Summarize([]*bench.Record{a, b, c}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Provenance
	if p.Records != 3 || p.First != b.Started || p.Last != a.Started || p.Undated != 1 {
		t.Errorf("records %d, started %s to %s, undated %d", p.Records, p.First, p.Last, p.Undated)
	}
	for _, test := range []struct {
		name string
		got  []Count
		want []Count
	}{
		// Rows are sela (a, b) then deepcluster (c).
		{"go", p.GoVersions, []Count{{"go1.26.8", 2}, {"go1.26.9", 1}}},
		{"gomaxprocs", p.GOMAXPROCS, []Count{{"2", 2}, {"1", 1}}},
		{"cpu", p.CPUs, []Count{{"Test CPU (2 CPUs)", 3}}},
		{"platform", p.Platforms, []Count{{"linux/amd64", 3}}},
		{"module", p.Modules, []Count{
			{"github.com/selabench/selabench@(devel) commit abc123", 2},
			{"github.com/selabench/selabench@(devel) commit abc123 (modified)", 1},
		}},
	} {
		if !slices.Equal(test.got, test.want) {
			t.Errorf("%s: %v, want %v", test.name, test.got, test.want)
		}
	}
	// mkRec's runs take 100 + seed seconds.
	if want := []Budget{{"sela", 1, 2, 201}, {"deepcluster", 1, 1, 100}}; !slices.Equal(p.Budgets, want) {
		t.Errorf("budgets %v, want %v", p.Budgets, want)
	}
	var md strings.Builder
	if err := WriteMarkdown(&md, s, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "- runs per method (summed wall time): sela 2 in 1 configuration, 3 min; deepcluster 1 in 1 configuration, 2 min\n"; !strings.Contains(md.String(), want) {
		t.Errorf("the markdown lacks %q:\n%s", want, md.String())
	}
	if got := formatHours(3 * 3600); got != "3.0 h" {
		t.Errorf("formatHours(3 h) = %q", got)
	}
}

func TestMinP(t *testing.T) {
	// benchmath's uTestMinP table for equal sizes; 2/C(7,3) = 2/35 for 3 v 4.
	for _, test := range []struct {
		n1, n2 int
		want   float64
	}{
		{1, 1, 1}, {2, 2, 0.3333333333333333}, {3, 3, 0.1}, {4, 4, 0.02857142857142857},
		{5, 5, 0.007936507936507936}, {3, 4, 2.0 / 35}, {0, 3, 1},
	} {
		if got := MinP(test.n1, test.n2); !near(got, test.want) {
			t.Errorf("MinP(%d, %d) = %v, want %v", test.n1, test.n2, got, test.want)
		}
	}
}

func TestProvenanceUnknown(t *testing.T) {
	r := mkRec("sela", 0, 0.5)
	r.Env = bench.Env{}
	s, err := Summarize([]*bench.Record{r}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Provenance
	for _, l := range [][]Count{p.GoVersions, p.Platforms, p.CPUs, p.GOMAXPROCS, p.Modules} {
		if !slices.Equal(l, []Count{{"unknown", 1}}) {
			t.Errorf("empty env gives %v, want unknown", l)
		}
	}
}

// TestSummarizeBy: with strata, each row is tested against its own stratum's
// baseline and Holm's correction runs within each stratum.
func TestSummarizeBy(t *testing.T) {
	imb := func(rs []*bench.Record, r float64) []*bench.Record {
		for _, x := range rs {
			x.Config.Imbalance = r
		}
		return rs
	}
	in := slices.Concat(
		imb(recs("sela", 0.50, 0.52, 0.54), 10),
		imb(recs("deepcluster", 0.60, 0.61, 0.62), 10),
		imb(recs("naive", 0.1, 0.2, 0.3), 10),
		imb(recs("sela", 0.30, 0.32, 0.34), 100),
		imb(recs("deepcluster", 0.20, 0.21, 0.22), 100),
		imb(recs("naive", 0.5, 0.5, 0.5), 1000), // a stratum without sela
	)
	s, err := Summarize(in, Options{Baseline: "sela", By: "imbalance"})
	if err != nil {
		t.Fatal(err)
	}
	// Rows sort by stratum, then method: sela 10, deepcluster 10, naive 10,
	// sela 100, deepcluster 100, naive 1000.
	var got []string
	for _, r := range s.Rows {
		got = append(got, fmt.Sprintf("%s/%v→%d", r.Config.Method, r.Config.Imbalance, r.BaselineRow))
	}
	want := []string{"sela/10→-1", "deepcluster/10→0", "naive/10→0", "sela/100→-1", "deepcluster/100→3", "naive/1000→-1"}
	if !slices.Equal(got, want) || !slices.Equal(s.Baselines, []int{0, 3}) || s.Baseline != 0 || s.By != "imbalance" {
		t.Fatalf("rows %v, baselines %v (first %d), want %v, [0 3]", got, s.Baselines, s.Baseline, want)
	}
	// deepcluster/100: differences −0.1, −0.11, −0.12, p = 2/2³, alone in its
	// family; at imbalance 10 deepcluster and naive share one: both p = 0.25,
	// Holm max(2·0.25, ·) = 0.5.
	for _, test := range []struct {
		row      int
		diff, ph float64
	}{{1, 0.09, 0.5}, {4, -0.11, 0.25}, {2, -0.32, 0.5}} {
		c := s.Rows[test.row].Tests[0]
		if !near(c.Diff.Mean, test.diff) || !near(c.P, 0.25) || !near(c.PHolm, test.ph) {
			t.Errorf("row %d: Δ %v p %v Holm %v, want %v, 0.25, %v", test.row+1, c.Diff.Mean, c.P, c.PHolm, test.diff, test.ph)
		}
	}
	// A number names the n-th row of each stratum: deepcluster at 10 and 100,
	// no row 2 at 1000.
	byRow, err := Summarize(in, Options{Baseline: "2", By: "imbalance"})
	if err != nil || !slices.Equal(byRow.Baselines, []int{1, 4}) || byRow.Rows[0].BaselineRow != 1 || byRow.Rows[3].BaselineRow != 4 || byRow.Rows[2].BaselineRow != 1 {
		t.Errorf("baseline 2 by imbalance: baselines %v, err %v", byRow.Baselines, err)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, s, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"Δ NMI vs baseline", "the baseline row of the same imbalance (rows 1, 4)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, " baseline |"); n != 2 {
		t.Errorf("%d baseline cells, want 2:\n%s", n, md)
	}
	for _, test := range []struct {
		opt  Options
		want string
	}{
		{Options{Baseline: "0", By: "imbalance"}, "the rows of a stratum count from 1"},
		{Options{Baseline: "4", By: "imbalance"}, "no stratum of imbalance has that many rows"},
		{Options{Baseline: "sela", By: "colour"}, `"colour" is not a configuration field`},
		{Options{Baseline: "sela", By: "method"}, "other than method"},
		{Options{Baseline: "byol", By: "imbalance"}, `baseline "byol" is no row's method`},
		{Options{Baseline: "sela", By: "lambda"}, `baseline "sela" matches 2 rows with lambda = 25`},
	} {
		if _, err := Summarize(in, test.opt); !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%+v: err = %v, want ErrOption mentioning %q", test.opt, err, test.want)
		}
	}
}

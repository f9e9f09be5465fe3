package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// run builds a record by hand: nmi[e] is the best head's NMI at epoch e+1 (the
// best head is head 1, head 0 gets 1−nmi so that picking the wrong head shows),
// sizes the final best head's cluster sizes.
func run(seed uint64, nmi []float64, sizes []int) *bench.Record {
	r := &bench.Record{Config: bench.Config{Method: "sela", Seed: seed}}
	r.Final.BestHead = 1
	r.Final.Sizes = sizes
	for e, v := range nmi {
		r.Epochs = append(r.Epochs, bench.EpochStats{Epoch: e, Heads: []bench.HeadEpoch{
			{NMI: 1 - v, EffectiveClusters: 1},
			{NMI: v, EffectiveClusters: 10 * v},
		}})
	}
	return r
}

func testGroups() []Group {
	nan := math.NaN()
	return []Group{
		{Name: "sela", Runs: []*bench.Record{
			run(0, []float64{0.10, 0.30, 0.50, 0.55}, []int{1, 6, 3}),
			run(1, []float64{0.30, 0.20, nan, 0.60}, []int{5, 0, 15}),
		}},
		{Name: "naive", Runs: []*bench.Record{
			run(0, []float64{0.05, 0.02, 0.01, 0.01}, []int{18, 1, 1}),
			run(1, []float64{0.04, 0.03, 0.01, 0.00}, []int{0, 0, 20}),
		}},
		{Name: "random-net", Runs: []*bench.Record{
			{Final: bench.Final{Sizes: []int{7, 7, 6}}},
		}},
	}
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12
}

func nearAll(a, b []float64) bool {
	return slices.EqualFunc(a, b, near)
}

func TestBandOf(t *testing.T) {
	nan := math.NaN()
	for i, test := range []struct {
		runs           [][]float64 // per run, the best head's NMI per epoch
		mean, min, max []float64
		n              []int
		segments       [][2]int
		value          func(*bench.Record, bench.EpochStats) float64
	}{
		// Worked by hand: epoch 1 {0.1, 0.3}, epoch 2 {0.3, 0.2}, epoch 3 {0.5}
		// (the second run is shorter).
		{
			runs: [][]float64{{0.1, 0.3, 0.5}, {0.3, 0.2}},
			mean: []float64{0.2, 0.25, 0.5}, min: []float64{0.1, 0.2, 0.5}, max: []float64{0.3, 0.3, 0.5},
			n: []int{2, 2, 1}, segments: [][2]int{{0, 3}},
		},
		// NaN is left out; an epoch where every run is NaN splits the line.
		{
			runs: [][]float64{{0.1, nan, 0.3}, {nan, nan, 0.5}},
			mean: []float64{0.1, nan, 0.4}, min: []float64{0.1, nan, 0.3}, max: []float64{0.1, nan, 0.5},
			n: []int{1, 0, 2}, segments: [][2]int{{0, 1}, {2, 3}},
		},
		// The effective clusters of the same heads are 10 × the NMI above.
		{
			runs:  [][]float64{{0.1, 0.3, 0.5}, {0.3, 0.2}},
			value: BestHeadEffectiveClusters,
			mean:  []float64{2, 2.5, 5}, min: []float64{1, 2, 5}, max: []float64{3, 3, 5},
			n: []int{2, 2, 1}, segments: [][2]int{{0, 3}},
		},
	} {
		var g Group
		for s, v := range test.runs {
			g.Runs = append(g.Runs, run(uint64(s), v, []int{1}))
		}
		value := test.value
		if value == nil {
			value = BestHeadNMI
		}
		b, err := bandOf(g, value)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if !nearAll(b.Mean, test.mean) || !nearAll(b.Min, test.min) || !nearAll(b.Max, test.max) || !slices.Equal(b.N, test.n) {
			t.Errorf("%d: got mean %v min %v max %v n %v, want %v %v %v %v", i, b.Mean, b.Min, b.Max, b.N, test.mean, test.min, test.max, test.n)
		}
		if got := b.segments(); !slices.Equal(got, test.segments) {
			t.Errorf("%d: segments %v, want %v", i, got, test.segments)
		}
	}
}

func TestBandOfErrors(t *testing.T) {
	inf := Group{Name: "g", Runs: []*bench.Record{run(3, []float64{0.1, math.Inf(1)}, nil)}}
	if _, err := bandOf(inf, BestHeadNMI); err == nil || !strings.Contains(err.Error(), "epoch 2") {
		t.Errorf("+Inf value: got %v, want an error naming epoch 2", err)
	}
	if _, err := bandOf(Group{Name: "g", Runs: []*bench.Record{nil}}, BestHeadNMI); err == nil {
		t.Error("nil run: no error")
	}
}

func TestBestHeadOutOfRange(t *testing.T) {
	r := run(0, []float64{0.5}, nil)
	r.Final.BestHead = 2 // the epoch has heads 0 and 1
	if v := BestHeadNMI(r, r.Epochs[0]); !math.IsNaN(v) {
		t.Errorf("BestHeadNMI with a missing head = %v, want NaN", v)
	}
	if v := BestHeadEffectiveClusters(r, r.Epochs[0]); !math.IsNaN(v) {
		t.Errorf("BestHeadEffectiveClusters with a missing head = %v, want NaN", v)
	}
}

func TestSortedFractions(t *testing.T) {
	for i, test := range []struct {
		sizes [][]int
		want  []float64
		err   string
	}{
		// By hand: [1 6 3]/10 sorted = [.6 .3 .1]; [5 0 15]/20 sorted = [.75 .25 0];
		// rank-wise means [.675 .275 .05].
		{sizes: [][]int{{1, 6, 3}, {5, 0, 15}}, want: []float64{0.675, 0.275, 0.05}},
		{sizes: [][]int{{2, 2}}, want: []float64{0.5, 0.5}},
		{sizes: [][]int{{1, 6, 3}, {5, 15}}, err: "K = 2"},
		{sizes: [][]int{{1, 6, 3}, {}}, err: "no final cluster sizes"},
		{sizes: [][]int{{1, -1}}, err: "size -1"},
		{sizes: [][]int{{0, 0}}, err: "all clusters are empty"},
		{sizes: nil, err: "no runs"},
	} {
		var g Group
		for s, sz := range test.sizes {
			g.Runs = append(g.Runs, run(uint64(s), nil, sz))
		}
		got, err := sortedFractions(g)
		switch {
		case test.err != "" && (err == nil || !strings.Contains(err.Error(), test.err)):
			t.Errorf("%d: error %v, want one containing %q", i, err, test.err)
		case test.err == "" && err != nil:
			t.Errorf("%d: %v", i, err)
		case test.err == "" && !nearAll(got, test.want):
			t.Errorf("%d: got %v, want %v", i, got, test.want)
		}
	}
}

func TestTicks(t *testing.T) {
	for i, test := range []struct {
		ticker   func(min, max float64) []string
		min, max float64
		want     []string
	}{
		{integerLabels, 1, 3, []string{"1", "2", "3"}},
		{integerLabels, 1, 40, []string{"10", "20", "30", "40"}},
		{integerLabels, 1, 100, []string{"20", "40", "60", "80", "100"}},
		{integerLabels, 0.5, 10.5, []string{"2", "4", "6", "8", "10"}},
		// Three or more powers of ten in range: only they are labelled.
		{logLabels, 1e-3, 20, []string{"0.001", "0.01", "0.1", "1", "10"}},
		// Fewer: 2 and 5 multiples are labelled too.
		{logLabels, 15, 80, []string{"20", "50"}},
		{logLabels, 3, 300, []string{"5", "10", "20", "50", "100", "200"}},
	} {
		if got := test.ticker(test.min, test.max); !slices.Equal(got, test.want) {
			t.Errorf("%d: labels on [%v, %v] = %q, want %q", i, test.min, test.max, got, test.want)
		}
	}
}

func integerLabels(min, max float64) (ls []string) {
	for _, t := range (integerTicks{}).Ticks(min, max) {
		if t.Label != "" {
			ls = append(ls, t.Label)
		}
	}
	return ls
}

func logLabels(min, max float64) (ls []string) {
	for _, t := range (logTicks{}).Ticks(min, max) {
		if t.Label != "" {
			ls = append(ls, t.Label)
		}
	}
	return ls
}

func TestBySolverAndFloor(t *testing.T) {
	s, err := bySolver(sweep())
	if err != nil {
		t.Fatal(err)
	}
	// Solvers in order of first appearance, points sorted by λ.
	var got []string
	for _, sp := range s {
		for _, p := range sp.pts {
			got = append(got, fmt.Sprintf("%s@%g", sp.name, p.Lambda))
		}
	}
	want := []string{"sinkhorn@1", "sinkhorn@10", "sinkhorn@100", "sinkhorn-log@1", "sinkhorn-log@10", "sinkhorn-log@100", "sinkhorn-log@1000"}
	if !slices.Equal(got, want) {
		t.Errorf("bySolver: %v, want %v", got, want)
	}
	// The smallest non-zero |gap| of sweep() is 2e-12 (a negative gap), so
	// zeros are drawn a decade lower.
	if f := gapFloor(s); !near(f/2e-13, 1) {
		t.Errorf("gapFloor = %g, want 2e-13", f)
	}
	if f := gapFloor([]solverPoints{{pts: []LambdaPoint{{Gap: 0}, {Gap: math.NaN()}}}}); f != 1e-16 {
		t.Errorf("gapFloor with no non-zero gap = %g, want 1e-16", f)
	}
}

// checkPNG decodes the PNG at path and checks its size in pixels.
func checkPNG(t *testing.T, path string, w, h int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if s := img.Bounds().Size(); s.X != w || s.Y != h {
		t.Errorf("%s: %d×%d pixels, want %d×%d", path, s.X, s.Y, w, h)
	}
	return b
}

// The default figure, 6×4 inches at 150 dpi.
const wantW, wantH = 900, 600

func sweep() []LambdaPoint {
	return []LambdaPoint{
		{"sinkhorn", 100, 400, 0.08, 1e-9, 99.9},
		{"sinkhorn", 1, 12, 0.002, 0.5, 71},
		{"sinkhorn", 10, 60, 0.01, 0.02, 96.5},
		{"sinkhorn-log", 1, 14, 0.004, 0.5, 71},
		{"sinkhorn-log", 10, 70, 0.02, 0.02, 96.5},
		{"sinkhorn-log", 100, 500, 0.1, -2e-12, 100},
		{"sinkhorn-log", 1000, 3000, 0.7, 0, math.NaN()},
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	groups := testGroups()
	curve := Curve{Title: "Best head NMI", YLabel: "NMI", Value: BestHeadNMI, YMax: 1}
	write := func(tag string) map[string][]byte {
		out := map[string][]byte{}
		p := filepath.Join(dir, tag+"-nmi.png")
		if err := EpochCurve(p, curve, groups); err != nil {
			t.Fatal(err)
		}
		out["nmi"] = checkPNG(t, p, wantW, wantH)
		p = filepath.Join(dir, tag+"-sizes.png")
		if err := SizeHistograms(p, groups); err != nil {
			t.Fatal(err)
		}
		out["sizes"] = checkPNG(t, p, wantW, wantH)
		paths, err := LambdaSweep(dir, tag+"-lambda", sweep())
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 4 {
			t.Fatalf("LambdaSweep wrote %d files, want 4", len(paths))
		}
		for _, p := range paths {
			out[strings.TrimPrefix(filepath.Base(p), tag)] = checkPNG(t, p, wantW, wantH)
		}
		return out
	}
	a, b := write("a"), write("b")
	if len(a) != 6 {
		t.Errorf("%d figures, want 6", len(a))
	}
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s: two calls on the same input wrote different bytes", k)
		}
	}
	// The data change the picture (the test above could pass on blank images).
	if bytes.Equal(a["-lambda-iterations.png"], a["-lambda-seconds.png"]) {
		t.Error("iterations and seconds charts are identical")
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestWideLegend(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wide.png")
	g := testGroups()[:1]
	g[0].Name = strings.Repeat("a very long configuration name ", 3)
	if err := EpochCurve(p, Curve{Value: BestHeadNMI}, g); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X <= wantW || s.Y != wantH {
		t.Errorf("a long legend name: %d×%d pixels, want wider than %d and %d high", s.X, s.Y, wantW, wantH)
	}
}

func TestManyPanels(t *testing.T) {
	// Eight groups: two rows of four panels on 6×4 inches; twelve: three rows,
	// 2 inches each.
	for _, test := range []struct{ groups, h int }{{8, wantH}, {12, 900}} {
		var gs []Group
		for i := range test.groups {
			gs = append(gs, Group{Name: "g", Runs: []*bench.Record{run(uint64(i), nil, []int{i + 1, 3, 1})}})
		}
		p := filepath.Join(t.TempDir(), "sizes.png")
		if err := SizeHistograms(p, gs); err != nil {
			t.Fatal(err)
		}
		checkPNG(t, p, wantW, test.h)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir", "x.png")
	ok := filepath.Join(dir, "x.png")
	nmi := Curve{Value: BestHeadNMI}
	groups := testGroups()
	untrained := groups[2:]
	noRuns := []Group{{Name: "empty"}}
	withPoint := func(f func(*LambdaPoint)) []LambdaPoint {
		pts := sweep()
		f(&pts[2])
		return pts
	}
	allNaNGap := sweep()
	for i := range allNaNGap {
		allNaNGap[i].Gap = math.NaN()
	}
	for _, test := range []struct {
		name string
		err  error
		want string // in the error's text
	}{
		{"curve: no groups", EpochCurve(ok, nmi, nil), "no groups"},
		{"curve: nil value", EpochCurve(ok, Curve{}, groups), "Value is nil"},
		{"curve: no epochs", EpochCurve(ok, nmi, untrained), "no group has a value"},
		{"curve: no runs", EpochCurve(ok, nmi, noRuns), "no runs"},
		{"curve: y range", EpochCurve(ok, Curve{Value: BestHeadNMI, YMin: 1, YMax: 0.5}, groups), "bad y range"},
		{"curve: unwritable", EpochCurve(missing, nmi, groups), missing},
		{"sizes: no groups", SizeHistograms(ok, nil), "no groups"},
		{"sizes: no runs", SizeHistograms(ok, noRuns), "no runs"},
		{"sizes: unwritable", SizeHistograms(missing, groups), missing},
		{"sweep: no points", sweepErr(dir, "s", nil), "no λ points"},
		{"sweep: prefix", sweepErr(dir, "a/b", sweep()), "prefix"},
		{"sweep: λ = 0", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Lambda = 0 })), "λ = 0"},
		{"sweep: λ < 0", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Lambda = -1 })), "λ = -1"},
		{"sweep: λ NaN", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Lambda = math.NaN() })), "λ = NaN"},
		{"sweep: iterations", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Iterations = 0 })), "iterations = 0"},
		{"sweep: seconds", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Seconds = math.Inf(1) })), "seconds = +Inf"},
		{"sweep: agreement", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Agreement = 101 })), "outside [0, 100]"},
		{"sweep: gap", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Gap = math.Inf(-1) })), "gap is -Inf"},
		{"sweep: duplicate", sweepErr(dir, "s", withPoint(func(p *LambdaPoint) { p.Lambda = 100 })), "two points at λ = 100"},
		{"sweep: no gaps", sweepErr(dir, "s", allNaNGap), "s-gap.png: no finite values"},
		{"sweep: unwritable", sweepErr(filepath.Join(dir, "no-such-dir"), "s", sweep()), filepath.Join(dir, "no-such-dir", "s-iterations.png")},
	} {
		if test.err == nil || !strings.Contains(test.err.Error(), test.want) {
			t.Errorf("%s: error %v, want one containing %q", test.name, test.err, test.want)
		}
	}
	if err := EpochCurve(ok, nmi, nil); !errors.Is(err, errNoData) {
		t.Errorf("no groups: %v does not wrap errNoData", err)
	}
}

func sweepErr(dir, prefix string, pts []LambdaPoint) error {
	_, err := LambdaSweep(dir, prefix, pts)
	return err
}

func TestSizeProfiles(t *testing.T) {
	// Two runs of long-tailed labels: the bars average the last epoch's
	// best-head sizes, the line the class counts, each sorted largest first.
	mk := func(seed uint64, labels, classes []int) *bench.Record {
		return &bench.Record{
			Config: bench.Config{Seed: seed},
			Data:   bench.DataInfo{TrainClassCounts: classes},
			Final:  bench.Final{BestHead: 1},
			Epochs: []bench.EpochStats{
				{Heads: []bench.HeadEpoch{{Sizes: []int{1, 1, 1}}, {Sizes: []int{9, 9, 9}}}},
				{Heads: []bench.HeadEpoch{{Sizes: []int{1, 1, 1}}, {Sizes: labels}}},
			},
		}
	}
	g := Group{Name: "sela", Runs: []*bench.Record{mk(0, []int{5, 3, 2}, []int{2, 7, 1}), mk(1, []int{4, 4, 2}, []int{1, 7, 2})}}
	bars, err := meanSorted(g, "labels", trainLabelSizes)
	if err != nil || !nearAll(bars, []float64{0.45, 0.35, 0.2}) {
		t.Errorf("bars %v (%v), want [0.45 0.35 0.2]", bars, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "profile.png")
	if err := SizeProfiles(p, []Group{g}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, p, wantW, wantH)
	noCounts := Group{Name: "old", Runs: []*bench.Record{mk(0, []int{5, 3, 2}, nil)}}
	if err := SizeProfiles(p, []Group{noCounts}); err == nil || !strings.Contains(err.Error(), "no training class counts") {
		t.Errorf("records without class counts: %v", err)
	}
	untrained := Group{Name: "random-net", Runs: []*bench.Record{{Final: bench.Final{Sizes: []int{1, 2}}}}}
	if err := SizeProfiles(p, []Group{untrained}); err == nil || !strings.Contains(err.Error(), "no pseudo-label sizes") {
		t.Errorf("records without epochs: %v", err)
	}
}

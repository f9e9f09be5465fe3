package plots

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// LambdaPoint is one row of a λ sweep: a Sinkhorn solver at one λ against the
// exact optimum of the same transport problem.
type LambdaPoint struct {
	Solver string
	// Lambda is the entropic regularisation's inverse temperature (> 0).
	Lambda float64
	// Iterations and Seconds are the solver's cost (> 0).
	Iterations, Seconds float64
	// Gap is the solver's objective minus the exact optimum: ≥ 0 in exact
	// arithmetic, but rounding can leave it 0 or slightly negative.
	Gap float64
	// Agreement is the percentage of samples whose label matches the exact
	// solution's, in [0, 100].
	Agreement float64
}

// The four charts of LambdaSweep, in the order of the paths it returns.
var sweepCharts = []struct {
	suffix, title, ylabel string
}{
	{"-iterations.png", "Sinkhorn iterations to convergence", "iterations"},
	{"-seconds.png", "Solver time", "seconds"},
	{"-gap.png", "Objective gap to the exact optimum", "|objective − exact optimum|"},
	{"-agreement.png", "Label agreement with the exact solution", "agreement (%)"},
}

// LambdaSweep writes four PNGs into dir, named prefix+"-iterations.png",
// "-seconds.png", "-gap.png" and "-agreement.png", and returns their paths in
// that order. Each has λ on a log x axis and one line per solver (in order of
// first appearance), its points sorted by λ. Iterations, seconds and |Gap| use
// log y axes; agreement a linear 0–100 axis. A negative gap is drawn at |Gap|
// with a ring around it; a zero gap, which a log axis cannot show, is drawn as
// a downward triangle on a floor a decade below the smallest non-zero |Gap|;
// the legend explains both when they occur.
//
// NaN in Gap or Agreement marks a value not measured: that point is left out
// of its chart. Anything else that a chart cannot show is an error: λ,
// iterations or seconds not finite and positive, agreement outside [0, 100],
// two points of one solver at the same λ, or a chart with no point at all.
// On error, the paths of the charts already written are returned with it.
func LambdaSweep(dir, prefix string, pts []LambdaPoint) ([]string, error) {
	if prefix == "" || strings.ContainsAny(prefix, `/\`) {
		return nil, fmt.Errorf("plots: bad file prefix %q", prefix)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("plots: %s: no λ points: %w", filepath.Join(dir, prefix), errNoData)
	}
	solvers, err := bySolver(pts)
	if err != nil {
		return nil, err
	}
	var paths []string
	for ci, ch := range sweepCharts {
		path := filepath.Join(dir, prefix+ch.suffix)
		if err := sweepChart(path, ci, ch.title, ch.ylabel, solvers); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// solverPoints are one solver's points, sorted by λ.
type solverPoints struct {
	name string
	pts  []LambdaPoint
}

// bySolver checks pts and splits them by solver, in order of first appearance.
func bySolver(pts []LambdaPoint) ([]solverPoints, error) {
	var out []solverPoints
	index := map[string]int{}
	for i, p := range pts {
		pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 1) }
		switch {
		case !pos(p.Lambda):
			return nil, fmt.Errorf("plots: λ point %d (%s): λ = %v is not positive and finite (log axis)", i, p.Solver, p.Lambda)
		case !pos(p.Iterations):
			return nil, fmt.Errorf("plots: λ point %d (%s, λ = %v): iterations = %v is not positive and finite (log axis)", i, p.Solver, p.Lambda, p.Iterations)
		case !pos(p.Seconds):
			return nil, fmt.Errorf("plots: λ point %d (%s, λ = %v): seconds = %v is not positive and finite (log axis)", i, p.Solver, p.Lambda, p.Seconds)
		case math.IsInf(p.Gap, 0):
			return nil, fmt.Errorf("plots: λ point %d (%s, λ = %v): gap is %v", i, p.Solver, p.Lambda, p.Gap)
		case p.Agreement < 0 || p.Agreement > 100:
			return nil, fmt.Errorf("plots: λ point %d (%s, λ = %v): agreement %v%% is outside [0, 100]", i, p.Solver, p.Lambda, p.Agreement)
		}
		j, ok := index[p.Solver]
		if !ok {
			j = len(out)
			index[p.Solver] = j
			out = append(out, solverPoints{name: p.Solver})
		}
		out[j].pts = append(out[j].pts, p)
	}
	for _, s := range out {
		slices.SortStableFunc(s.pts, func(a, b LambdaPoint) int {
			switch {
			case a.Lambda < b.Lambda:
				return -1
			case a.Lambda > b.Lambda:
				return 1
			}
			return 0
		})
		for i := 1; i < len(s.pts); i++ {
			if s.pts[i].Lambda == s.pts[i-1].Lambda {
				return nil, fmt.Errorf("plots: solver %q has two points at λ = %v", s.name, s.pts[i].Lambda)
			}
		}
	}
	return out, nil
}

// gapFloor is where LambdaSweep draws zero gaps: a decade below the smallest
// non-zero |gap| (1e-16 when every gap is zero).
func gapFloor(solvers []solverPoints) float64 {
	lo := math.Inf(1)
	for _, s := range solvers {
		for _, p := range s.pts {
			if g := math.Abs(p.Gap); g > 0 {
				lo = math.Min(lo, g)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 1e-16
	}
	return lo / 10
}

// sweepChart draws chart ci (an index into sweepCharts) of the sweep.
func sweepChart(path string, ci int, title, ylabel string, solvers []solverPoints) error {
	p := newPlot(title, "λ", ylabel)
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	if ci != 3 {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	floor := gapFloor(solvers)
	leg := newLegend()
	var lines, marks, notes []plot.Plotter
	var negative, zero plotter.XYs
	points := 0
	for si, s := range solvers {
		st := styleOf(si)
		var xy plotter.XYs
		for _, q := range s.pts {
			var y float64
			switch ci {
			case 0:
				y = q.Iterations
			case 1:
				y = q.Seconds
			case 2:
				y = math.Abs(q.Gap)
				switch {
				case q.Gap == 0:
					y = floor
					zero = append(zero, plotter.XY{X: q.Lambda, Y: y})
				case q.Gap < 0:
					negative = append(negative, plotter.XY{X: q.Lambda, Y: y})
				}
			case 3:
				y = q.Agreement
			}
			if math.IsNaN(y) {
				continue
			}
			xy = append(xy, plotter.XY{X: q.Lambda, Y: y})
		}
		if len(xy) == 0 {
			continue
		}
		points += len(xy)
		ln, sc, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("plots: %s: solver %q: %w", path, s.name, err)
		}
		ln.LineStyle, sc.GlyphStyle = st.Line, st.Glyph
		lines, marks = append(lines, ln), append(marks, sc)
		leg.Add(s.name, ln, sc)
	}
	if points == 0 {
		return fmt.Errorf("plots: %s: no finite values: %w", path, errNoData)
	}
	note := func(xy plotter.XYs, shape marker, label string) error {
		if len(xy) == 0 {
			return nil
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: styleOf(0).Glyph.Radius, Shape: shape}
		notes = append(notes, sc)
		leg.Add(label, sc)
		return nil
	}
	if err := note(negative, markBigRing, "gap < 0: |gap| shown"); err != nil {
		return err
	}
	if err := note(zero, markTriangleDown, fmt.Sprintf("gap = 0: drawn at %.0e", floor)); err != nil {
		return err
	}
	p.Add(lines...)
	p.Add(marks...)
	p.Add(notes...)
	if ci == 3 {
		p.Y.Min, p.Y.Max = 0, 100
	}
	// A log axis needs a positive, non-empty range.
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if _, ok := a.Scale.(plot.LogScale); ok && a.Min == a.Max {
			a.Min, a.Max = a.Min/2, a.Max*2
		}
	}
	return writePlot(path, p, &leg)
}

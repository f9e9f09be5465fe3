package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/selabench/selabench/bench"
)

// Curve describes a per-epoch line chart.
type Curve struct {
	Title, YLabel string
	// Value is the plotted value of run r at epoch e. NaN marks a missing value:
	// it is left out of the mean, minimum and maximum; an epoch where every run
	// of a group is NaN leaves a gap in the group's line. ±Inf is an error.
	Value func(r *bench.Record, e bench.EpochStats) float64
	// YMin and YMax fix the y range; both zero means fit to the data.
	YMin, YMax float64
}

// BestHeadNMI is the NMI to the true training labels, at epoch e, of the
// pseudo-labels of the head the run finally selected (r.Final.BestHead); NaN
// when the epoch has no such head.
func BestHeadNMI(r *bench.Record, e bench.EpochStats) float64 {
	if h := r.Final.BestHead; h >= 0 && h < len(e.Heads) {
		return e.Heads[h].NMI
	}
	return math.NaN()
}

// BestHeadEffectiveClusters is the effective number of clusters exp(H) of the
// finally selected head's pseudo-labels at epoch e; NaN when the epoch has no
// such head.
func BestHeadEffectiveClusters(r *bench.Record, e bench.EpochStats) float64 {
	if h := r.Final.BestHead; h >= 0 && h < len(e.Heads) {
		return e.Heads[h].EffectiveClusters
	}
	return math.NaN()
}

// epochBand is a group's curve: element i describes epoch i+1 over the runs
// that have that epoch and a non-NaN value there.
type epochBand struct {
	Mean, Min, Max []float64 // NaN where N is zero
	N              []int     // values averaged
}

// bandOf computes a group's per-epoch mean, minimum and maximum of value. The
// epoch of r.Epochs[i] is i+1; runs with fewer epochs drop out of the later ones.
func bandOf(g Group, value func(*bench.Record, bench.EpochStats) float64) (epochBand, error) {
	epochs := 0
	for i, r := range g.Runs {
		if r == nil {
			return epochBand{}, fmt.Errorf("plots: group %q: run %d is nil", g.Name, i)
		}
		epochs = max(epochs, len(r.Epochs))
	}
	b := epochBand{
		Mean: make([]float64, epochs), Min: make([]float64, epochs),
		Max: make([]float64, epochs), N: make([]int, epochs),
	}
	for e := range epochs {
		sum, lo, hi, n := 0.0, math.Inf(1), math.Inf(-1), 0
		for i, r := range g.Runs {
			if e >= len(r.Epochs) {
				continue
			}
			v := value(r, r.Epochs[e])
			switch {
			case math.IsNaN(v):
				continue
			case math.IsInf(v, 0):
				return epochBand{}, fmt.Errorf("plots: group %q: run %d (seed %d): epoch %d: value is %v", g.Name, i, r.Config.Seed, e+1, v)
			}
			sum += v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			n++
		}
		b.N[e] = n
		if n == 0 {
			b.Mean[e], b.Min[e], b.Max[e] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		b.Mean[e], b.Min[e], b.Max[e] = sum/float64(n), lo, hi
	}
	return b, nil
}

// segments splits the epochs with a value into maximal runs of consecutive
// epochs, as [start, end) index pairs.
func (b epochBand) segments() [][2]int {
	var segs [][2]int
	for i := 0; i < len(b.N); {
		if b.N[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(b.N) && b.N[j] > 0 {
			j++
		}
		segs = append(segs, [2]int{i, j})
		i = j
	}
	return segs
}

// EpochCurve writes to path a PNG line chart of c.Value against the epoch
// (1-based), one line per group in the order given: the mean over the group's
// runs, with a shaded band from the minimum to the maximum when the group has
// more than one run. Legend entries add the number of runs: "sela (n=3)".
// Groups whose runs have no epochs (methods that do not train) are left out;
// it is an error when no group has any value to draw.
func EpochCurve(path string, c Curve, groups []Group) error {
	if c.Value == nil {
		return fmt.Errorf("plots: %s: Curve.Value is nil", path)
	}
	auto := c.YMin == 0 && c.YMax == 0
	if !auto && !(c.YMin < c.YMax && !math.IsInf(c.YMin, 0) && !math.IsInf(c.YMax, 0)) {
		return fmt.Errorf("plots: %s: bad y range [%v, %v]", path, c.YMin, c.YMax)
	}
	if len(groups) == 0 {
		return fmt.Errorf("plots: %s: no groups: %w", path, errNoData)
	}
	p := newPlot(c.Title, "epoch", c.YLabel)
	p.X.Tick.Marker = integerTicks{}
	leg := newLegend()
	var bands, lines, marks []plot.Plotter
	shaded := false
	drawn := 0
	for gi, g := range groups {
		if len(g.Runs) == 0 {
			return fmt.Errorf("plots: %s: group %q has no runs", path, g.Name)
		}
		b, err := bandOf(g, c.Value)
		if err != nil {
			return err
		}
		segs := b.segments()
		if len(segs) == 0 {
			continue
		}
		st := styleOf(gi) // a group keeps its style across figures
		drawn++
		// Markers on about ten epochs, staggered between groups so that they
		// do not sit on top of each other.
		stride := max(1, (len(b.N)+9)/10)
		var thumbs []plot.Thumbnailer
		for _, s := range segs {
			xy := make(plotter.XYs, 0, s[1]-s[0])
			var hiLo plotter.XYs
			var dots plotter.XYs
			for e := s[0]; e < s[1]; e++ {
				xy = append(xy, plotter.XY{X: float64(e + 1), Y: b.Mean[e]})
				if (e+gi)%stride == 0 || s[1]-s[0] == 1 {
					dots = append(dots, plotter.XY{X: float64(e + 1), Y: b.Mean[e]})
				}
			}
			if len(g.Runs) > 1 {
				shaded = true
				for e := s[0]; e < s[1]; e++ {
					hiLo = append(hiLo, plotter.XY{X: float64(e + 1), Y: b.Max[e]})
				}
				for e := s[1] - 1; e >= s[0]; e-- {
					hiLo = append(hiLo, plotter.XY{X: float64(e + 1), Y: b.Min[e]})
				}
				if s[1]-s[0] == 1 {
					// A lone epoch: its band is a vertical bar of small width.
					x := float64(s[0] + 1)
					hiLo = plotter.XYs{{X: x - 0.1, Y: b.Max[s[0]]}, {X: x + 0.1, Y: b.Max[s[0]]}, {X: x + 0.1, Y: b.Min[s[0]]}, {X: x - 0.1, Y: b.Min[s[0]]}}
				}
				poly, err := plotter.NewPolygon(hiLo)
				if err != nil {
					return fmt.Errorf("plots: %s: group %q: %w", path, g.Name, err)
				}
				poly.Color = st.Shaded
				poly.LineStyle.Width = 0
				bands = append(bands, poly)
			}
			ln, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("plots: %s: group %q: %w", path, g.Name, err)
			}
			ln.LineStyle = st.Line
			lines = append(lines, ln)
			sc, err := plotter.NewScatter(dots)
			if err != nil {
				return fmt.Errorf("plots: %s: group %q: %w", path, g.Name, err)
			}
			sc.GlyphStyle = st.Glyph
			marks = append(marks, sc)
			if thumbs == nil {
				thumbs = []plot.Thumbnailer{ln, sc}
			}
		}
		leg.Add(fmt.Sprintf("%s (n=%d)", g.Name, len(g.Runs)), thumbs...)
	}
	if drawn == 0 {
		return fmt.Errorf("plots: %s: no group has a value at any epoch: %w", path, errNoData)
	}
	if shaded {
		band, _ := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}})
		band.Color = styleOf(6).Shaded // black at the bands' opacity: grey
		band.LineStyle.Width = 0
		leg.Add("min–max over runs", band)
	}
	p.Add(bands...)
	p.Add(lines...)
	p.Add(marks...)
	if p.X.Min == p.X.Max { // a single epoch
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	if !auto {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}
	return writePlot(path, p, &leg)
}

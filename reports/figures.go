package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/selabench/selabench/reports/plots"
)

// A Figure is a PNG beside a report, linked from it.
type Figure struct {
	File    string // the PNG's name, relative to the report's directory
	Caption string
}

// WriteFigures draws the report's figures for s into dir, named stem-*.png:
// the best head's pseudo-label NMI and effective clusters per epoch (one line
// per row, mean over seeds with a min–max band), the final cluster-size
// histograms and, for rows whose records carry the training split's class
// counts (runs with an imbalance), the pseudo-label size profiles against the
// class sizes. Rows of methods that do not train have no curves; a figure with
// nothing to draw is left out, and so are the histograms when a record has no
// cluster sizes (records of older versions).
func WriteFigures(dir, stem string, s *Summary) ([]Figure, error) {
	var groups []plots.Group
	trained, sized := false, true
	var profiled []plots.Group // rows whose every run trained and knows its class counts
	for i := range s.Rows {
		g := plots.Group{Name: s.Label(i), Runs: s.Rows[i].Records}
		groups = append(groups, g)
		counted := true
		for _, r := range g.Runs {
			trained = trained || len(r.Epochs) > 0
			sized = sized && len(r.Final.Sizes) > 0
			counted = counted && len(r.Epochs) > 0 && len(r.Data.TrainClassCounts) > 0
		}
		if counted {
			profiled = append(profiled, g)
		}
	}
	var figs []Figure
	add := func(name, caption string, draw func(path string) error) error {
		if err := draw(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		figs = append(figs, Figure{name, caption})
		return nil
	}
	if trained {
		if err := add(stem+"-nmi.png", "NMI of the best head's pseudo-labels to the true training labels, per epoch (mean over seeds; band: min–max)",
			func(p string) error {
				return plots.EpochCurve(p, plots.Curve{Title: "Pseudo-label NMI per epoch", YLabel: "NMI (best head, train)", Value: plots.BestHeadNMI}, groups)
			}); err != nil {
			return nil, err
		}
		if err := add(stem+"-effective-clusters.png", "Effective clusters (exp of the entropy of the cluster sizes) of the best head's pseudo-labels, per epoch: degeneracy shows as a fall towards 1",
			func(p string) error {
				return plots.EpochCurve(p, plots.Curve{Title: "Effective clusters per epoch", YLabel: "effective clusters (best head, train)", Value: plots.BestHeadEffectiveClusters}, groups)
			}); err != nil {
			return nil, err
		}
	}
	if len(profiled) > 0 {
		if err := add(stem+"-size-profiles.png", "Pseudo-label sizes of the best head at the end of training against the true class sizes, on the training split, both largest first (mean over seeds; rows whose records carry class counts, i.e. runs with --imbalance)",
			func(p string) error { return plots.SizeProfiles(p, profiled) }); err != nil {
			return nil, err
		}
	}
	if !sized { // records written before they kept cluster sizes
		return figs, nil
	}
	if err := add(stem+"-sizes.png", "Final cluster sizes of the best head on the evaluation split, largest first (mean over seeds; dashed: 1/K)",
		func(p string) error { return plots.SizeHistograms(p, groups) }); err != nil {
		return nil, err
	}
	return figs, nil
}

// WriteReport writes the report of s to path (markdown, atomically) with its
// figures beside it (see WriteFigures), linked from a Figures section.
func WriteReport(path string, s *Summary, opt MarkdownOptions) error {
	dir, name := filepath.Dir(path), filepath.Base(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("reports: %s: the directory %s does not exist", path, dir)
	}
	figs, err := WriteFigures(dir, strings.TrimSuffix(name, ".md"), s)
	if err != nil {
		return err
	}
	opt.Figures = append(opt.Figures, figs...)
	return WriteFile(path, s, opt)
}

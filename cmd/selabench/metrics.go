package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/selabench/selabench/bench/metrics"
	"github.com/selabench/selabench/internal/npy"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "metrics",
		summary: "score predicted cluster labels against true labels (.npy files)",
		run:     runMetrics,
	})
}

func runMetrics(args []string, out, errOut io.Writer) error {
	fs := newFlags("metrics", "selabench metrics --truth T.npy --pred P.npy [--k K] [--json]", errOut)
	truthPath := fs.String("truth", "", "true class labels: a 1-D integer .npy `file` (any integer values)")
	predPath := fs.String("pred", "", "predicted cluster labels: a 1-D integer .npy `file` with values in [0, K)")
	k := fs.Int("k", 0, "number of clusters K, counting empty ones (0: max(pred)+1)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	if *truthPath == "" || *predPath == "" {
		return usagef("--truth and --pred are both required")
	}
	if *k < 0 {
		return usagef("--k must be ≥ 0, got %d", *k)
	}
	truth, err := readLabels(*truthPath)
	if err != nil {
		return err
	}
	pred, err := readLabels(*predPath)
	if err != nil {
		return err
	}
	if len(truth) != len(pred) {
		return fmt.Errorf("%s has %d labels but %s has %d", *truthPath, len(truth), *predPath, len(pred))
	}
	s, err := metrics.Score(truth, pred, *k)
	if err != nil {
		return fmt.Errorf("%s vs %s: %w", *truthPath, *predPath, err)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(s)
	}
	return reports.Table{
		Header: []string{"n", "NMI", "ARI", "ACC", "clusters", "empty", "effective clusters", "largest fraction"},
		Rows: [][]string{{
			fmt.Sprint(s.N), f4(s.NMI), f4(s.ARI), f4(s.ACC), fmt.Sprint(s.NonEmpty),
			fmt.Sprint(s.Empty), fmt.Sprintf("%.2f", s.EffectiveClusters), f4(s.LargestFraction),
		}},
	}.Markdown(out)
}

// readLabels reads a 1-D integer .npy file.
func readLabels(path string) ([]int, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 1 {
		return nil, fmt.Errorf("%s: labels must be a 1-D array, got shape %v", path, a.Shape)
	}
	labels, err := a.Ints()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return labels, nil
}

func f4(v float64) string { return fmt.Sprintf("%.4f", v) }

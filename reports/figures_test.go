package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

// trainedRecs returns records of method with two epochs of curves and final
// cluster sizes, one per NMI.
func trainedRecs(method string, nmis ...float64) []*bench.Record {
	rs := recs(method, nmis...)
	for _, r := range rs {
		for e := range 2 {
			r.Epochs = append(r.Epochs, bench.EpochStats{Epoch: e, Heads: []bench.HeadEpoch{{NMI: r.Final.NMI, EffectiveClusters: 9.5}}})
		}
		r.Final.Sizes = []int{30, 25, 25, 20}
	}
	return rs
}

func pngs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

func TestWriteReportFigures(t *testing.T) {
	for _, tc := range []struct {
		name string
		recs []*bench.Record
		want []string
	}{
		{"trained", append(trainedRecs("sela", 0.5, 0.6), trainedRecs("naive", 0.1, 0.2)...),
			[]string{"r-effective-clusters.png", "r-nmi.png", "r-sizes.png"}},
		// Records without sizes (older versions) get the curves only.
		{"no sizes", append(trainedRecs("sela", 0.5, 0.6), recs("naive", 0.1, 0.2)...),
			[]string{"r-effective-clusters.png", "r-nmi.png"}},
		// No method trains: no curves.
		{"untrained", func() []*bench.Record {
			rs := trainedRecs("random-net", 0.1, 0.2)
			for _, r := range rs {
				r.Epochs = nil
			}
			return rs
		}(), []string{"r-sizes.png"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Summarize(tc.recs, Options{})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "r.md")
			if err := WriteReport(path, s, MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := pngs(t, dir); !slices.Equal(got, tc.want) {
				t.Errorf("figures %q, want %q", got, tc.want)
			}
			md, _ := os.ReadFile(path)
			for _, f := range tc.want {
				if !strings.Contains(string(md), "]("+f+")") {
					t.Errorf("report does not link %s", f)
				}
			}
		})
	}
	if err := WriteReport(filepath.Join(t.TempDir(), "missing", "r.md"), nil, MarkdownOptions{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("report in a missing directory: %v", err)
	}
}

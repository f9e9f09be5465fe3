package reports

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	s := threeRows(t)
	var b strings.Builder
	if err := WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want one per row (3):\n%s", len(lines), b.String())
	}
	// Keys in the documented order: row, the varying fields, n, seeds, baseline,
	// baseline_row, metrics.
	if want := `{"row":2,"method":"deepcluster","dataset":"mnist","lambda":25,"n":3,"seeds":[0,1,2],"baseline":false,"baseline_row":1,"metrics":{"nmi":{"mean":0.61,`; !strings.HasPrefix(lines[1], want) {
		t.Errorf("row 2 starts %.130s, want %s", lines[1], want)
	}
	rows := make([]map[string]any, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &rows[i]); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
	}
	nmi := func(row int) map[string]any { return rows[row]["metrics"].(map[string]any)["nmi"].(map[string]any) }
	if len(rows[0]["metrics"].(map[string]any)) != len(DefaultColumns) {
		t.Errorf("row 1 has %d metrics, want %d", len(rows[0]["metrics"].(map[string]any)), len(DefaultColumns))
	}
	// The paired test of row 2 (see TestWriteMarkdown): differences 0.1, 0.09,
	// 0.08, p = 2/2³ paired, 2/C(6, 3) = 0.1 unpaired, one compared row.
	c := s.Rows[1].Tests[0]
	for key, want := range map[string]any{
		"paired": true, "n_pairs": 3.0, "diff": c.Diff.Mean, "diff_lo": c.Diff.Lo, "diff_hi": c.Diff.Hi,
		"boot_lo": c.BootLo, "boot_hi": c.BootHi, "p_paired": 0.25, "p_unpaired": 0.1, "p": 0.25, "p_holm": 0.25,
	} {
		got := nmi(1)[key]
		if f, ok := want.(float64); ok {
			if g, ok := got.(float64); !ok || !near(g, f) {
				t.Errorf("row 2 nmi.%s = %v, want %v", key, got, want)
			}
		} else if got != want {
			t.Errorf("row 2 nmi.%s = %v, want %v", key, got, want)
		}
	}
	// The baseline has no test, and the one-seed row on another dataset neither an
	// interval nor a test: nulls, never NaN or Inf.
	for _, row := range []int{0, 2} {
		for _, key := range []string{"diff", "p_paired", "p_unpaired", "p", "p_holm"} {
			if v, ok := nmi(row)[key]; !ok || v != nil {
				t.Errorf("row %d nmi.%s = %v (present %v), want null", row+1, key, v, ok)
			}
		}
	}
	if rows[0]["baseline"] != true || nmi(2)["lo"] != nil || nmi(2)["mean"] != 0.9 {
		t.Errorf("row 1 baseline %v; row 3 nmi %v", rows[0]["baseline"], nmi(2))
	}
}

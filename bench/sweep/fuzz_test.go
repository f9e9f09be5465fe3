package sweep

import (
	"testing"
)

// FuzzParse: any byte string is a sweep file or an error naming the file,
// never a panic; a parsed file's cells are valid configurations, no more than
// MaxCells.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"name": "t", "base": {"dataset": "synthetic", "epochs": 2}, "grid": {"method": ["sela", "naive"], "seed": [0, 1]}}`,
		`{"base": {"method": "sela"}, "grid": [{"k": [10, 30]}, {"heads": [1]}]}`,
		`{"base": {"method": "sela", "dataset": "synthetic"}, "grid": {"lambda": [1e308, -1]}}`,
		`{"grid": {"seed": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "k": [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "heads": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "epochs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "nopts": [0, 2, 3, 4, 5, 6, 7, 8, 9, 10], "views": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}, "base": {"method": "sela"}}`,
		`{"base": {"method": "sela"`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.json", data)
		if err != nil {
			return
		}
		if len(file.Cells) > MaxCells {
			t.Fatalf("%d cells, more than %d", len(file.Cells), MaxCells)
		}
		for _, c := range file.Cells {
			if err := c.Config.Validate(); err != nil {
				t.Fatalf("cell %s does not validate: %v", c.Label, err)
			}
		}
	})
}

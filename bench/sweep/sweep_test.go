package sweep

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
)

func parse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse("s.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func labels(f *File) []string {
	var out []string
	for _, c := range f.Cells {
		out = append(out, c.Label)
	}
	return out
}

func TestCells(t *testing.T) {
	f := parse(t, `{
  "name": "t",
  "base": {"dataset": "synthetic", "epochs": 2, "lambda": 10},
  "grid": {"method": ["sela", "naive"], "k": [5, 10], "seed": [0, 1, 2]}
}`)
	if len(f.Cells) != 12 {
		t.Fatalf("%d cells, want 2·2·3 = 12", len(f.Cells))
	}
	// The last axis varies fastest.
	want := []string{"method=sela k=5 seed=0", "method=sela k=5 seed=1", "method=sela k=5 seed=2", "method=sela k=10 seed=0"}
	if got := labels(f)[:4]; !slices.Equal(got, want) {
		t.Errorf("first cells %q, want %q", got, want)
	}
	c := f.Cells[11].Config
	if c.Method != "naive" || c.K != 10 || c.Seed != 2 || c.Epochs != 2 || c.Lambda != 10 || c.Dataset != "synthetic" || c.Heads != bench.DefaultConfig("", "").Heads {
		t.Errorf("last cell %+v", c)
	}
	hashes := map[string]bool{}
	for i, c := range f.Cells {
		if c.Index != i || c.Hash != c.Config.Hash() || hashes[c.Hash] {
			t.Errorf("cell %d: index %d hash %s (repeated: %v)", i, c.Index, c.Hash, hashes[c.Hash])
		}
		hashes[c.Hash] = true
	}
	// The hash is the configuration's, not the file's: the same cell from another
	// file layout has the same hash.
	g := parse(t, `{"base": {"method": "naive", "k": 10, "seed": 2, "epochs": 2, "lambda": 10}, "grid": {"dataset": ["synthetic"]}}`)
	if g.Cells[0].Hash != f.Cells[11].Hash {
		t.Errorf("same configuration, hashes %s and %s", g.Cells[0].Hash, f.Cells[11].Hash)
	}
}

// TestUnion: a list of grids is the union of their products, a repeated cell kept once.
func TestUnion(t *testing.T) {
	f := parse(t, `{"base": {"method": "sela", "dataset": "synthetic"},
  "grid": [{"k": [10, 30]}, {"heads": [5, 1]}, {"k": [10], "heads": [5]}]}`)
	// k=10 (heads 5 by default) = heads=5 = k=10 heads=5: one cell.
	want := []string{"k=10", "k=30", "heads=1"}
	if got := labels(f); !slices.Equal(got, want) {
		t.Errorf("cells %q, want %q", got, want)
	}
}

// TestDefaultTau: a cell whose method reads τ takes bench.DefaultTau when the
// file sets none, and the file's τ otherwise; other methods keep τ = 0.
func TestDefaultTau(t *testing.T) {
	f := parse(t, `{"base": {"dataset": "synthetic"}, "grid": [
  {"method": ["sela", "sela-unbalanced"]},
  {"method": ["sela-unbalanced"], "tau": [0.3]}]}`)
	var got []float64
	for _, c := range f.Cells {
		got = append(got, c.Config.Tau)
	}
	if want := []float64{0, bench.DefaultTau, 0.3}; !slices.Equal(got, want) {
		t.Errorf("τ of the cells %q: %v, want %v", labels(f), got, want)
	}
	g := parse(t, `{"base": {"dataset": "synthetic", "tau": 2}, "grid": {"method": ["sela-unbalanced"]}}`)
	if g.Cells[0].Config.Tau != 2 {
		t.Errorf("τ in base: cell τ = %v, want 2", g.Cells[0].Config.Tau)
	}
}

func TestShard(t *testing.T) {
	f := parse(t, `{"base": {"method": "sela", "dataset": "synthetic"}, "grid": {"seed": [0,1,2,3,4,5,6]}}`)
	seen := map[string]int{}
	for i := range 3 {
		s := Shard(f.Cells, i, 3)
		if len(s) < 2 || len(s) > 3 {
			t.Errorf("shard %d/3 has %d of 7 cells", i, len(s))
		}
		for _, c := range s {
			seen[c.Hash]++
		}
	}
	if len(seen) != 7 {
		t.Errorf("shards cover %d of 7 cells", len(seen))
	}
	for h, n := range seen {
		if n != 1 {
			t.Errorf("cell %s in %d shards", h, n)
		}
	}
	for _, s := range []string{"0/1", "3/4"} {
		if _, _, err := ParseShard(s); err != nil {
			t.Errorf("ParseShard(%q): %v", s, err)
		}
	}
	for _, s := range []string{"4/4", "1", "-1/2", "a/b", "0/0", ""} {
		if _, _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
}

// TestBadFiles: every mistake is an error naming the file, the line and the key.
func TestBadFiles(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"unknown top key", "{\n  \"bse\": {}\n}", `s.json:2: unknown key "bse"`},
		{"unknown base key", "{\n \"base\": {\n  \"lamda\": 25\n },\n \"grid\": {\"seed\": [0]}}", `s.json:3: base: unknown key "lamda" (valid: `},
		{"unknown grid key", "{\"base\": {\"method\": \"sela\"},\n \"grid\": {\n  \"seed\": [0],\n  \"head\": [1, 2]}}", `s.json:4: grid: unknown key "head"`},
		{"wrong type in base", "{\"base\": {\n \"epochs\": \"two\"}, \"grid\": {\"seed\": [0]}}", `s.json:2: base.epochs: want an integer, got "two"`},
		{"fraction for an integer", "{\"base\": {\"method\": \"sela\"}, \"grid\": {\n\"k\": [10,\n 2.5]}}", `s.json:3: grid.k: want an integer, got 2.5`},
		{"negative seed", "{\"base\": {\"method\": \"sela\"}, \"grid\": {\"seed\": [\n-1]}}", `s.json:2: grid.seed: want a non-negative integer, got -1`},
		{"string for a number", "{\"base\": {\"method\": \"sela\"}, \"grid\": {\"lambda\": [\"25\"]}}", `s.json:1: grid.lambda: want a number, got "25"`},
		{"axis not a list", "{\"base\": {\"method\": \"sela\"},\n\"grid\": {\"lambda\": 25}}", `s.json:2: grid.lambda must be a JSON list`},
		{"null", "{\"base\": {\"method\": null}, \"grid\": {\"seed\": [0]}}", `s.json:1: base.method: null is not a value`},
		{"empty axis", "{\"base\": {\"method\": \"sela\"},\n\"grid\": {\n\"lambda\": []}}", `s.json:3: grid.lambda: empty list`},
		{"empty grid", "{\"base\": {\"method\": \"sela\"},\n\"grid\": {}}", `s.json:2: grid is empty`},
		{"empty grid list", "{\"base\": {\"method\": \"sela\"},\n\"grid\": []}", `s.json:2: grid is an empty list`},
		{"no grid", "{\"base\": {\"method\": \"sela\"}}", `s.json:1: no "grid"`},
		{"key twice", "{\"base\": {\"method\": \"sela\",\n\"k\": 5,\n\"k\": 6}, \"grid\": {\"seed\": [0]}}", `s.json:3: base: key "k" is set twice (first on line 2)`},
		{"base and grid", "{\"base\": {\"method\": \"sela\", \"k\": 5},\n\"grid\": {\n\"k\": [6]}}", `s.json:3: key "k" is set both in base (line 1) and in the grid`},
		{"invalid value in grid", "{\"base\": {\"method\": \"sela\"},\n\"grid\": {\"seed\": [0],\n\"lambda\": [25,\n -1]}}", `s.json:4: grid.lambda = -1: lambda must be positive and finite, got -1 (in the cell seed=0 lambda=-1)`},
		{"invalid value in base", "{\"base\": {\"method\": \"sela\",\n\"epochs\": 0}, \"grid\": {\"seed\": [0]}}", `s.json:2: base.epochs = 0: epochs must be ≥ 1`},
		{"unknown method", "{\"grid\": {\"method\": [\"sela\",\n \"selah\"]}}", `s.json:2: grid.method = selah: unknown method "selah" (valid: sela,`},
		{"no method", "{\"grid\": {\"seed\": [0]}}", `no method: set "method" in base or grid`},
		{"syntax", "{\"base\": {\"method\": \"sela\",}\n}", `s.json:1: invalid JSON`},
		{"truncated", "{\"base\": {\"method\": \"sela\"},\n\"grid\": {\"seed\": [0", `s.json:2: invalid JSON: unexpected end of file`},
		{"trailing data", "{\"base\": {\"method\": \"sela\"}, \"grid\": {\"seed\": [0]}}\n{}", `s.json:2: unexpected data after the sweep object`},
		{"number as a key", "{\"base\": {1: 2}}", `s.json:1: invalid JSON`},
		{"not an object", "[1]", `s.json:1: the sweep file must be a JSON object`},
		{"a lone comma", ",", `s.json:1: invalid JSON`},
		{"too many cells", `{"base": {"method": "sela"}, "grid": {"seed": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "k": [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "heads": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "epochs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "nopts": [0, 2, 3, 4, 5, 6, 7, 8, 9, 10], "views": [0, 1]}}`, `s.json: the grid expands to more than 100000 cells`},
		{"name not a string", "{\"name\": 3, \"grid\": {\"seed\": [0]}}", `s.json:1: name: want a string, got 3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.json", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// TestExampleSweeps parses every sweep file shipped in bench/sweeps.
func TestExampleSweeps(t *testing.T) {
	paths, err := filepath.Glob("../sweeps/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sweep files: %v", err)
	}
	for _, p := range paths {
		f, err := Load(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if f.Description == "" || len(f.Cells) == 0 {
			t.Errorf("%s: no description or no cells", p)
		}
	}
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// reproducible maps cell hash → the record's reproducible bytes.
func reproducible(t *testing.T, recs []*bench.Record) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range recs {
		b, err := r.Reproducible()
		if err != nil {
			t.Fatal(err)
		}
		m[r.Cell] = string(b)
	}
	return m
}

func mustMerge(t *testing.T, paths ...string) *Merged {
	t.Helper()
	m, err := Merge(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunResumeShardMerge runs the smoke sweep whole (two jobs), then as if
// killed after two cells and resumed, then as two shards merged: every way gives
// the same record for every cell.
func TestRunResumeShardMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke sweep three times")
	}
	f, err := Load("../sweeps/smoke.json")
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.Cells)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	var events []Event
	s, err := Run(f, Options{Out: whole, Jobs: 2, Event: func(e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Ran != n || s.Skipped != 0 || len(s.Failed) != 0 || len(events) != 2*n {
		t.Fatalf("summary %+v, %d events; want %d cells run", s, len(events), n)
	}
	ref := reproducible(t, mustMerge(t, s.Results).Records)
	if len(ref) != n {
		t.Fatalf("%d distinct cells in %s, want %d", len(ref), s.Results, n)
	}
	for _, c := range f.Cells {
		if _, ok := ref[c.Hash]; !ok {
			t.Errorf("cell %s (%s) missing from the results", c.Hash, c.Label)
		}
		log, err := os.ReadFile(filepath.Join(whole, "logs", c.Hash+".log"))
		if err != nil || !strings.Contains(string(log), "done in") || !strings.Contains(string(log), c.Label) {
			t.Errorf("log of cell %s: %v\n%s", c.Label, err, log)
		}
	}
	if _, err := Run(f, Options{Out: whole}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("rerun without resume: %v, want an error suggesting --resume", err)
	}

	// A sweep killed after two cells: its file holds their two lines.
	killed := filepath.Join(tmp, "killed")
	if err := os.MkdirAll(killed, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.Results)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	// A writer without atomic appends would also leave half of a third line: resume drops it.
	if err := os.WriteFile(ResultsPath(killed, 0, 0), []byte(lines[0]+lines[1]+lines[2][:100]), 0o644); err != nil {
		t.Fatal(err)
	}
	// and the third cell was in flight: killed in its second epoch, after the
	// checkpoint of its first.
	have := reproducible(t, mustMerge(t, ResultsPath(killed, 0, 0)).Records)
	var flight Cell
	for _, c := range f.Cells {
		if _, ok := have[c.Hash]; !ok {
			flight = c
			break
		}
	}
	ckpt := filepath.Join(killed, "checkpoints", flight.Hash+".ckpt")
	if err := os.MkdirAll(filepath.Dir(ckpt), 0o755); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }() // the kill
		ds, err := bench.LoadDataset(flight.Config.Dataset, "")
		if err != nil {
			t.Fatal(err)
		}
		bench.Run(flight.Config, ds, bench.RunOptions{Checkpoint: ckpt, Progress: func(p bench.Progress) {
			if p.Epoch == 1 {
				panic("killed")
			}
		}})
	}()
	if _, err := os.Stat(ckpt); err != nil {
		t.Fatalf("no checkpoint of the cell in flight: %v", err)
	}
	r, err := Run(f, Options{Out: killed, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if log, err := os.ReadFile(filepath.Join(killed, "logs", flight.Hash+".log")); err != nil || strings.Contains(string(log), "epoch 1/") || !strings.Contains(string(log), "resuming from the checkpoint") {
		t.Errorf("log of the resumed cell %s: %v; it should start at epoch 2:\n%s", flight.Label, err, log)
	}
	if _, err := os.Stat(ckpt); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint of a finished cell: %v, want it removed", err)
	}
	if r.Skipped != 2 || r.Ran != n-2 || !strings.Contains(r.Repaired, "dropped a partial last line (line 3, 100 bytes)") {
		t.Errorf("resume: skipped %d, ran %d, repaired %q; want 2, %d and the partial line 3 dropped", r.Skipped, r.Ran, r.Repaired, n-2)
	}
	if got := reproducible(t, mustMerge(t, r.Results).Records); !maps.Equal(got, ref) {
		t.Errorf("resumed sweep's records differ from the whole sweep's")
	}
	if r, err := Run(f, Options{Out: killed, Resume: true}); err != nil || r.Ran != 0 || r.Skipped != n {
		t.Errorf("resume of a finished sweep: %+v, %v; want nothing run", r, err)
	}

	// Two shards, merged.
	sharded := filepath.Join(tmp, "sharded")
	var parts []string
	for i := range 2 {
		s, err := Run(f, Options{Out: sharded, Shard: i, Shards: 2})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s.Results)
	}
	if got := readDir(t, sharded); !slices.Equal(got, []string{".results-shard-0-of-2.jsonl.lock", ".results-shard-1-of-2.jsonl.lock", "checkpoints", "logs", "results-shard-0-of-2.jsonl", "results-shard-1-of-2.jsonl"}) {
		t.Errorf("shard directory holds %q", got)
	}
	m := mustMerge(t, parts...)
	if len(m.Duplicates) != 0 || !maps.Equal(reproducible(t, m.Records), ref) {
		t.Errorf("merged shards: %d duplicates, records equal to the whole sweep's: %v", len(m.Duplicates), maps.Equal(reproducible(t, m.Records), ref))
	}
	// Merging the whole sweep with its shards: every shard record is a duplicate.
	m = mustMerge(t, append([]string{s.Results}, parts...)...)
	if len(m.Records) != n || len(m.Duplicates) != n {
		t.Errorf("whole + shards: %d records, %d duplicates; want %d and %d", len(m.Records), len(m.Duplicates), n, n)
	}

	// A record of the same cell with another result is a conflict.
	other := filepath.Join(tmp, "other.jsonl")
	rec := m.Records[0]
	rec.Final.NMI += 0.01
	if err := records.Append(other, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(s.Results, other); err == nil || !strings.Contains(err.Error(), "conflicting") || !strings.Contains(err.Error(), "other.jsonl:1") {
		t.Errorf("conflict: %v", err)
	}
}

// TestLocked: a second sweep on the same results file is refused while the
// first one runs.
func TestLocked(t *testing.T) {
	f := parse(t, `{"base": {"method": "random-net", "dataset": "synthetic", "knn": 5}, "grid": {"seed": [0]}}`)
	dir := t.TempDir()
	unlock, err := lock(filepath.Join(dir, ".results.jsonl.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(f, Options{Out: dir}); err == nil || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("second writer: %v", err)
	}
	unlock()
	if s, err := Run(f, Options{Out: dir}); err != nil || s.Ran != 1 {
		t.Errorf("after unlock: %+v, %v", s, err)
	}
}

// TestFailingCell: a cell that fails is logged and reported; the others run.
func TestFailingCell(t *testing.T) {
	f := parse(t, `{"base": {"method": "random-net", "dataset": "synthetic", "knn": 5},
  "grid": {"train_limit": [5, 0]}}`)
	dir := t.TempDir()
	s, err := Run(f, Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s.Ran != 1 || len(s.Failed) != 1 || !strings.Contains(s.Failed[0].Err.Error(), "exceeds the 5 training samples") {
		t.Fatalf("summary %+v", s)
	}
	log, _ := os.ReadFile(s.Failed[0].Log)
	if !strings.Contains(string(log), "failed: ") {
		t.Errorf("log of the failed cell:\n%s", log)
	}
	// Resume runs the failed cell again (and only it).
	if s, err = Run(f, Options{Out: dir, Resume: true}); err != nil || s.Skipped != 1 || len(s.Failed) != 1 {
		t.Errorf("resume: %+v, %v", s, err)
	}
}

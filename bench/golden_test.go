package bench

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/gemm"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden instead of comparing with them")

// TestGoldenRecords pins the reproducible bytes (Record.Reproducible) of a small
// synthetic run of every built-in method. A change that alters any method's
// labels or metrics — a renamed random stream, draws taken in another order, a
// new rounding — fails here instead of silently changing every committed
// record; if the change is meant, rerun the sweeps it touches and regenerate
// with
//
//	go test ./bench -run TestGoldenRecords -update
//
// The bytes are those of the assembly matrix kernels (AVX-512 and AVX2 agree
// bit for bit); the portable Go kernel rounds differently, so the test skips
// there.
func TestGoldenRecords(t *testing.T) {
	if k := gemm.Kernel(); strings.HasPrefix(k, "go ") || strings.HasPrefix(k, "openblas") {
		t.Skipf("golden bytes are those of the assembly kernels, not %q", k)
	}
	ds := synthetic(t)
	var got bytes.Buffer
	for _, m := range builtinMethods {
		c := quick(m)
		c.Epochs, c.Heads = 2, 2
		rec, err := Run(c, ds, RunOptions{})
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		got.Write(stripTimes(rec))
		got.WriteByte('\n')
	}
	path := filepath.Join("testdata", "golden", "records.jsonl")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	if len(g) != len(w) {
		t.Fatalf("%d records, golden file has %d", len(g)-1, len(w)-1)
	}
	for i := range g {
		if g[i] != w[i] {
			t.Errorf("%s: record differs from %s line %d:\n got %.300s\nwant %.300s", builtinMethods[i], path, i+1, g[i], w[i])
		}
	}
}

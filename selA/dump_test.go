package sela

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/atomicfile"
	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
)

// TestDumpInput writes the benchmark input (gaussian, scale 1, seed 1,
// log-softmaxed; N×K from SELA_DUMP_N and SELA_DUMP_K, default 60000×1000) to the
// .npy file named by SELA_DUMP, for /work/notes/numpy_sinkhorn.py:
//
//	SELA_DUMP=/tmp/L.npy go test -run TestDumpInput ./selA
//	/usr/bin/python3 /work/notes/numpy_sinkhorn.py /tmp/L.npy 25 0.1
//
// It then solves the same input with every variant (Sinkhorn with its default
// kernel and with KernelDense) and logs iterations and times, for a fresh solve and
// for a second solve on the same Workspace. Optional: SELA_DUMP_KIND=network (scale
// 4, as the benchmarks), SELA_DUMP_LAMBDA (default 25), SELA_DUMP_VARIANTS (a
// comma-separated subset of sinkhorn-ref, sinkhorn, sinkhorn-log).
func TestDumpInput(t *testing.T) {
	path := os.Getenv("SELA_DUMP")
	if path == "" {
		t.Skip("set SELA_DUMP=file.npy to write the benchmark input")
	}
	n, k := envInt(t, "SELA_DUMP_N", 60000), envInt(t, "SELA_DUMP_K", 1000)
	kind, scale := logits.Gaussian, 1.0
	if os.Getenv("SELA_DUMP_KIND") == string(logits.Network) {
		kind, scale = logits.Network, 4
	}
	lambda := float64(envInt(t, "SELA_DUMP_LAMBDA", 25))
	L := logProbs(t, n, k, kind, scale, 1)
	err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return writeNpy32(w, L, n, k) })
	if err != nil {
		t.Fatal(err)
	}
	want := os.Getenv("SELA_DUMP_VARIANTS")
	for _, v := range Variants {
		if want != "" && !slices.Contains(strings.Split(want, ","), v.String()) {
			continue
		}
		modes := []KernelMode{KernelAuto}
		if v == Sinkhorn {
			modes = append(modes, KernelDense)
		}
		for _, mode := range modes {
			name := v.String()
			if mode != KernelAuto {
				name += "/" + mode.String()
			}
			w := new(Workspace)
			for _, run := range []string{"fresh", "reused"} {
				res, err := w.Solve(L, n, k, Options{Variant: v, Lambda: lambda, Kernel: mode})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%-15s %-6s iterations %d, stop error %.4g, total %v (build %v, iterate %v = %.2f ms/iteration, final %v), sizes %d..%d, objective %.6f; %v kernel, %d sparse passes, %d extractions, density %.4f",
					name, run, res.Iterations, res.StopErr, res.Duration, res.Build, res.Iterate,
					res.Iterate.Seconds()*1e3/float64(res.Iterations), res.Final, res.MinSize, res.MaxSize, res.Objective,
					res.Kernel, res.SparsePasses, res.Extractions, res.Density)
			}
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var v int
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// writeNpy32 writes an n×k float32 matrix as NumPy format 1.0, C order,
// little-endian: magic, version, header length, a dict padded with spaces so that
// the data starts at a multiple of 64 bytes, then the values.
func writeNpy32(w io.Writer, x []float32, n, k int) error {
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", n, k)
	pad := 64 - (10+len(dict)+1)%64
	header := dict + strings.Repeat(" ", pad%64) + "\n"
	if _, err := io.WriteString(w, "\x93NUMPY\x01\x00"); err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, uint16(len(header))); err != nil {
		return err
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	buf := make([]byte, 4*k)
	for i := range n {
		for y, v := range x[i*k : (i+1)*k] {
			binary.LittleEndian.PutUint32(buf[4*y:], math.Float32bits(v))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// TestWriteNpy32 reads the writer's output back with internal/npy.
func TestWriteNpy32(t *testing.T) {
	x := []float32{1, -2.5, 3, float32(math.Pi), 0, -1e-30}
	path := t.TempDir() + "/x.npy"
	if err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return writeNpy32(w, x, 2, 3) }); err != nil {
		t.Fatal(err)
	}
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Shape) != "[2 3]" || fmt.Sprint(got) != fmt.Sprint(x) {
		t.Errorf("read back shape %v values %v, want [2 3] %v", a.Shape, got, x)
	}
}

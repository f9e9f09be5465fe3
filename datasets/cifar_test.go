package datasets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// cifarPixel is the byte of pixel j of record r in file f of writeCIFARSet.
func cifarPixel(f, r, j int) byte { return byte(f*31 + r*7 + j*13) }

// writeCIFARSet writes five training batches with trainCounts[i] records and a test
// batch with testN records; record r of file f has label (f+r)%10 and pixel bytes
// cifarPixel(f, r, j). File f = 5 is the test batch. With meta it also writes
// batches.meta.txt (names in upper case, blank lines as in the real file).
func writeCIFARSet(t *testing.T, dir string, trainCounts []int, testN int, meta bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := append(append([]string{}, cifarTrainFiles...), cifarTestFile)
	for f, name := range names {
		n := testN
		if f < 5 {
			n = trainCounts[f]
		}
		labels := make([]byte, n)
		pixels := make([]byte, n*cifarPixels)
		for r := range n {
			labels[r] = byte((f + r) % 10)
			for j := range cifarPixels {
				pixels[r*cifarPixels+j] = cifarPixel(f, r, j)
			}
		}
		if err := WriteCIFAR10File(filepath.Join(dir, name), labels, pixels); err != nil {
			t.Fatal(err)
		}
	}
	if meta {
		var b strings.Builder
		for _, c := range CIFAR10Classes {
			b.WriteString(strings.ToUpper(c) + "\n")
		}
		b.WriteString("\n\n")
		if err := os.WriteFile(filepath.Join(dir, cifarMetaFile), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCIFAR10(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	t.Setenv(DataEnv, root)
	dir := filepath.Join(root, "cifar-10-batches-bin")
	counts := []int{2, 3, 1, 1, 2}
	writeCIFARSet(t, dir, counts, 3, false)
	d, err := Load("cifar10", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Name != "cifar10" || d.Train.N != 9 || d.Test.N != 3 || d.Shape != (Shape{3, 32, 32}) || d.Train.D != 3072 {
		t.Fatalf("got %s train %d test %d shape %v", d.Name, d.Train.N, d.Test.N, d.Shape)
	}
	if !reflect.DeepEqual(d.Classes, CIFAR10Classes) {
		t.Errorf("classes %q", d.Classes)
	}
	// Rows come file by file, record by record; pixel j is the file's byte j (CHW).
	row := 0
	for f, n := range append(append([]int{}, counts...), 3) {
		s, base := &d.Train, row
		if f == 5 {
			s, base = &d.Test, 0
		}
		for r := range n {
			i := base + r
			if s.Y[i] != (f+r)%10 {
				t.Errorf("file %d record %d: label %d", f, r, s.Y[i])
			}
			x := s.Row(i)
			for _, j := range []int{0, 1, 1023, 1024, 2048, 3071} {
				if want := float32(cifarPixel(f, r, j)) / 255; x[j] != want {
					t.Errorf("file %d record %d pixel %d = %v, want %v", f, r, j, x[j], want)
				}
			}
		}
		if f < 5 {
			row += n
		}
	}

	// Class names from batches.meta.txt.
	writeCIFARSet(t, dir, counts, 3, true)
	d, err = Load("cifar10", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Classes[0] != "AIRPLANE" || d.Classes[9] != "TRUCK" || len(d.Classes) != 10 {
		t.Errorf("classes from meta: %q", d.Classes)
	}
	if info := Stat("cifar10", LoadOptions{}); info.Error != "" || info.TrainN != 9 || info.TestN != 3 {
		t.Errorf("Stat = %+v", info)
	}
}

func TestCIFAR10Errors(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	counts := []int{1, 1, 1, 1, 1}
	for _, test := range []struct {
		name   string
		break_ func()
		want   string
		stat   bool // Stat reports it too
	}{
		{"short file", func() {
			p := filepath.Join(dir, "data_batch_3.bin")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1], 0o644)
		}, "data_batch_3.bin: size 3072 bytes is not a positive multiple of 3073", true},
		{"empty test file", func() {
			os.WriteFile(filepath.Join(dir, "test_batch.bin"), nil, 0o644)
		}, "test_batch.bin: size 0 bytes is not a positive multiple of 3073", true},
		{"bad label", func() {
			p := filepath.Join(dir, "data_batch_5.bin")
			b, _ := os.ReadFile(p)
			b = append(b, b...)
			b[cifarRecord] = 10
			os.WriteFile(p, b, 0o644)
		}, "data_batch_5.bin: record 1 (byte offset 3073) has label 10, want 0 to 9", false},
		{"bad test label", func() {
			p := filepath.Join(dir, "test_batch.bin")
			b, _ := os.ReadFile(p)
			b[0] = 255
			os.WriteFile(p, b, 0o644)
		}, "test_batch.bin: record 0 (byte offset 0) has label 255", false},
		{"missing file", func() {
			os.Remove(filepath.Join(dir, "data_batch_2.bin"))
		}, "missing data_batch_2.bin", true},
		{"short meta", func() {
			os.WriteFile(filepath.Join(dir, cifarMetaFile), []byte("a\nb\n"), 0o644)
		}, "batches.meta.txt: 2 class names, want 10", true},
	} {
		os.RemoveAll(dir)
		writeCIFARSet(t, dir, counts, 1, false)
		test.break_()
		_, err := Load("cifar10", LoadOptions{Dir: dir})
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: Load error %v, want %q", test.name, err, test.want)
		}
		info := Stat("cifar10", LoadOptions{Dir: dir})
		if test.stat && !strings.Contains(info.Error, test.want) {
			t.Errorf("%s: Stat error %q, want %q", test.name, info.Error, test.want)
		}
	}
	if _, err := ReadCIFAR10File(filepath.Join(dir, "nope.bin")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if err := WriteCIFAR10File(filepath.Join(dir, "w.bin"), []byte{1, 2}, make([]byte, 3072)); err == nil || !strings.Contains(err.Error(), "2 labels need 6144 pixel bytes, got 3072") {
		t.Errorf("WriteCIFAR10File: %v", err)
	}
}

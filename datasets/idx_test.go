package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// gz compresses b.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// idxBytes encodes an IDX file by hand (independently of WriteIDX).
func idxBytes(typ byte, dims []int, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, data...)
}

func seqBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return b
}

func TestIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, test := range []struct {
		dims []int
	}{
		{[]int{5}},
		{[]int{0}},
		{[]int{3, 4, 5}},
		{[]int{2, 0, 7}},
		{[]int{2, 3, 2, 2}},
		{[]int{1 << 21}}, // more than one 1 MiB chunk
	} {
		n := 1
		for _, d := range test.dims {
			n *= d
		}
		data := seqBytes(n)
		for _, gzipped := range []bool{false, true} {
			path := filepath.Join(dir, "x.idx")
			if err := WriteIDXFile(path, test.dims, data, gzipped); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(path)
			if isGz := len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b; isGz != gzipped {
				t.Errorf("%d: gzipped = %v but file starts %x", i, gzipped, raw[:2])
			}
			if !gzipped && !bytes.Equal(raw, idxBytes(0x08, test.dims, data)) {
				t.Errorf("%d: WriteIDXFile bytes differ from the format", i)
			}
			x, err := ReadIDXFile(path)
			if err != nil {
				t.Fatalf("%d gz=%v: %v", i, gzipped, err)
			}
			if !reflect.DeepEqual(x.Dims, test.dims) || !bytes.Equal(x.Data, data) {
				t.Errorf("%d gz=%v: read dims %v, %d bytes", i, gzipped, x.Dims, len(x.Data))
			}
			y, err := ReadIDX(bytes.NewReader(raw))
			if err != nil || !reflect.DeepEqual(y, x) {
				t.Errorf("%d gz=%v: ReadIDX differs from ReadIDXFile: %v", i, gzipped, err)
			}
			dims, err := ReadIDXHeader(path)
			if err != nil || !reflect.DeepEqual(dims, test.dims) {
				t.Errorf("%d gz=%v: header %v, %v", i, gzipped, dims, err)
			}
		}
	}
}

func TestIDXErrors(t *testing.T) {
	good := idxBytes(0x08, []int{2, 3}, seqBytes(6))
	goodGz := gz(t, good)
	corruptGz := append([]byte{}, goodGz...)
	corruptGz[len(corruptGz)-6] ^= 0xff // a CRC byte in the trailer
	for _, test := range []struct {
		name       string
		in         []byte
		want       string
		headerOnly bool // ReadIDXHeader also fails
	}{
		{"empty", nil, "empty file", true},
		{"bad magic", append([]byte{1, 2, 3, 4}, good[4:]...), "bad magic 0x01020304, not an IDX file", true},
		{"float type", idxBytes(0x0D, []int{1}, []byte{0, 0, 0, 0}), "IDX data type 0x0d is not supported", true},
		{"no dims", []byte{0, 0, 8, 0}, "declares 0 dimensions", true},
		{"too many dims", idxBytes(0x08, []int{1, 1, 1, 1, 1, 1, 1, 1, 1}, []byte{1}), "declares 9 dimensions", true},
		{"truncated magic", good[:3], "truncated header", true},
		{"truncated dims", good[:9], "truncated header", true},
		{"truncated data", good[:len(good)-2], "truncated: dimensions 2×3 need 6 bytes of data, file has 4", true},
		{"trailing data", append(append([]byte{}, good...), 9, 9), "2 unexpected bytes after the data of dimensions 2×3", true},
		{"gz truncated data", gz(t, good[:len(good)-2]), "truncated: dimensions 2×3 need 6 bytes of data, got 4", false},
		{"gz truncated stream", goodGz[:len(goodGz)-10], "truncated", false},
		{"gz trailing data", gz(t, append(append([]byte{}, good...), 9)), "1 unexpected bytes after the data", false},
		{"gz checksum", corruptGz, "corrupt gzip stream in the data", false},
		{"gz bad header", []byte{0x1f, 0x8b, 0, 0, 0}, "corrupt gzip stream", true},
		{"gz truncated header", gz(t, good[:6]), "truncated header", true},
		{"huge dims", idxBytes(0x08, []int{1 << 30, 1 << 30}, nil), "too large", true},
		// The product of these overflows int64 unless checked before multiplying.
		{"overflowing dims", idxBytes(0x08, []int{1<<32 - 1, 1 << 14, 1<<32 - 1}, nil), "too large", true},
	} {
		path := filepath.Join(t.TempDir(), "f-idx1-ubyte")
		os.WriteFile(path, test.in, 0o644)
		_, err := ReadIDXFile(path)
		if err == nil || !strings.HasPrefix(err.Error(), "datasets: "+path+": ") || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: ReadIDXFile error %v, want one naming the file and containing %q", test.name, err, test.want)
		}
		_, err = ReadIDX(bytes.NewReader(test.in))
		if err == nil {
			t.Errorf("%s: ReadIDX accepted bad input", test.name)
		}
		_, err = ReadIDXHeader(path)
		if test.headerOnly && (err == nil || !strings.Contains(err.Error(), test.want)) {
			t.Errorf("%s: ReadIDXHeader error %v, want %q", test.name, err, test.want)
		}
		if !test.headerOnly && err != nil {
			t.Errorf("%s: ReadIDXHeader failed on a good header: %v", test.name, err)
		}
	}
	if _, err := ReadIDXFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWriteIDXErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.idx")
	for _, test := range []struct {
		dims []int
		data []byte
		want string
	}{
		{nil, nil, "1 to 8 dimensions, got 0"},
		{[]int{2, 2}, []byte{1, 2, 3}, "dimensions 2×2 hold 4 bytes, data has 3"},
		{[]int{-1}, nil, "dimension -1 out of range"},
		{make([]int, 9), nil, "got 9"},
	} {
		if err := WriteIDXFile(path, test.dims, test.data, true); err == nil || !strings.Contains(err.Error(), test.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("WriteIDXFile(%v): %v, want %q", test.dims, err, test.want)
		}
		if err := WriteIDX(&bytes.Buffer{}, test.dims, test.data); err == nil {
			t.Errorf("WriteIDX(%v) accepted bad input", test.dims)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a failed write left a file")
	}
}

// writeIDXSet writes a small MNIST-like dataset: ntrain and ntest images of h×w
// pixels with labels i%10, as name.gz files (or raw content under the .gz-less names
// if raw is set, gzip content under them if mixed is set).
func writeIDXSet(t *testing.T, dir string, ntrain, ntest, h, w int, raw bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct {
		prefix string
		n      int
	}{{"train", ntrain}, {"t10k", ntest}} {
		labels := make([]byte, part.n)
		for i := range labels {
			labels[i] = byte(i % 10)
		}
		suffix := ".gz"
		if raw {
			suffix = ""
		}
		img := filepath.Join(dir, part.prefix+"-images-idx3-ubyte"+suffix)
		lab := filepath.Join(dir, part.prefix+"-labels-idx1-ubyte"+suffix)
		if err := WriteIDXFile(img, []int{part.n, h, w}, seqBytes(part.n*h*w), !raw); err != nil {
			t.Fatal(err)
		}
		// Labels gzipped even when named without .gz: content decides, not the name.
		if err := WriteIDXFile(lab, []int{part.n}, labels, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadIDXSplit(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 12, 3, 2, 3, false)
	img := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	lab := filepath.Join(dir, "train-labels-idx1-ubyte.gz")
	s, shape, err := LoadIDXSplit(img, lab, 10)
	if err != nil {
		t.Fatal(err)
	}
	if shape != (Shape{1, 2, 3}) || s.N != 12 || s.D != 6 || len(s.X) != 72 {
		t.Fatalf("shape %v, N %d, D %d, len %d", shape, s.N, s.D, len(s.X))
	}
	want := seqBytes(72)
	for i, v := range s.X {
		if v != float32(want[i])/255 {
			t.Fatalf("X[%d] = %v, want %d/255", i, v, want[i])
		}
	}
	if s.Y[11] != 1 || s.Y[3] != 3 {
		t.Errorf("labels %v", s.Y)
	}

	bad := func(name string, dims []int, data []byte) string {
		p := filepath.Join(dir, name)
		if err := WriteIDXFile(p, dims, data, false); err != nil {
			t.Fatal(err)
		}
		return p
	}
	labels12 := bad("labels12", []int{12}, make([]byte, 12))
	for _, test := range []struct {
		name        string
		images, lab string
		classes     int
		want        string
	}{
		{"images with 2 dims", bad("img2d", []int{12, 6}, make([]byte, 72)), labels12, 10, "img2d: images file has 2 dimensions (12×6), want 3"},
		{"labels with 2 dims", img, bad("lab2d", []int{12, 1}, make([]byte, 12)), 10, "lab2d: labels file has 2 dimensions (12×1), want 1"},
		{"count mismatch", img, bad("lab11", []int{11}, make([]byte, 11)), 10, "holds 12 images but " + filepath.Join(dir, "lab11") + " holds 11 labels"},
		{"label out of range", img, bad("lab10", []int{12}, append(make([]byte, 11), 10)), 10, "lab10: label 10 at index 11 is outside [0, 10)"},
		{"empty images", bad("img0", []int{12, 0, 3}, nil), labels12, 10, "images of 0×3 pixels"},
		{"missing images", filepath.Join(dir, "nope"), labels12, 10, "no such file"},
		{"missing labels", img, filepath.Join(dir, "nope"), 10, "no such file"},
		{"corrupt images", bad("trunc", []int{1}, []byte{1}), labels12, 10, "trunc: images file has 1 dimensions"},
	} {
		_, _, err := LoadIDXSplit(test.images, test.lab, test.classes)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: %v, want %q", test.name, err, test.want)
		}
	}
	// With classes = 0 labels are not range-checked.
	if _, _, err := LoadIDXSplit(img, filepath.Join(dir, "lab10"), 0); err != nil {
		t.Errorf("classes = 0: %v", err)
	}
}

package npy

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := hex.DecodeString(numpyFiles[name])
	if err != nil || len(b) == 0 {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// TestReadNumPy reads files written by NumPy (fixtures_test.go) and checks shape,
// dtype and values; the expected values are the NumPy expressions in the fixtures'
// comments, worked by hand.
func TestReadNumPy(t *testing.T) {
	for _, test := range []struct {
		name  string
		shape []int
		dtype string
		data  any
	}{
		{"f4_2x3", []int{2, 3}, Float32, []float32{-1, -0.5, 0, 0.5, 1, 1.5}},
		{"f8_0d", []int{}, Float64, []float64{3.5}},
		{"i4_5", []int{5}, Int32, []int32{-2, -1, 0, 1, math.MaxInt32}},
		{"i8_2x0", []int{2, 0}, Int64, []int64{}},
		{"i8_3", []int{3}, Int64, []int64{-(1 << 62), 7, 1 << 40}},
		{"u1_2x2x2", []int{2, 2, 2}, Uint8, []uint8{0, 36, 72, 108, 144, 180, 216, 252}},
		{"f4_v2", []int{3}, Float32, []float32{1.5, -2.25, 1e-3}},
	} {
		raw := fixture(t, test.name)
		a, err := Read(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		if !reflect.DeepEqual(a.Shape, test.shape) || a.DType != test.dtype || !reflect.DeepEqual(a.Data, test.data) {
			t.Errorf("%s: got shape %v dtype %s data %v, want %v %s %v", test.name, a.Shape, a.DType, a.Data, test.shape, test.dtype, test.data)
		}
		if n := reflect.ValueOf(test.data).Len(); a.Len() != n {
			t.Errorf("%s: Len() = %d, want %d", test.name, a.Len(), n)
		}
		// The same through ReadFile, which also checks the file length.
		path := filepath.Join(t.TempDir(), test.name+".npy")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := ReadFile(path)
		if err != nil {
			t.Errorf("%s: ReadFile: %v", test.name, err)
		} else if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: ReadFile %+v differs from Read %+v", test.name, b, a)
		}
	}
}

// TestWriteMatchesNumPy checks that Write produces byte for byte what numpy.save
// wrote for the same arrays (version 1.0 fixtures; the v2.0 one was forced).
func TestWriteMatchesNumPy(t *testing.T) {
	for _, name := range []string{"f4_2x3", "f8_0d", "i4_5", "i8_2x0", "i8_3", "u1_2x2x2"} {
		raw := fixture(t, name)
		a, err := Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, a.Shape, a.Data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), raw) {
			t.Errorf("%s: Write gave\n%x\nNumPy wrote\n%x", name, buf.Bytes(), raw)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, test := range []struct {
		shape []int
		data  any
		dtype string
		want  any // what reads back; nil means data itself
	}{
		{nil, []float32{2.5}, Float32, nil},
		{[]int{}, []float64{-1e300}, Float64, nil},
		{[]int{4}, []int32{math.MinInt32, -1, 0, math.MaxInt32}, Int32, nil},
		{[]int{2, 2}, []int64{math.MinInt64, -1, 0, math.MaxInt64}, Int64, nil},
		{[]int{3, 1}, []uint8{0, 128, 255}, Uint8, nil},
		{[]int{2, 3}, []float32{1, 2, 3, float32(math.Inf(-1)), float32(math.SmallestNonzeroFloat32), -0.0}, Float32, nil},
		{[]int{0}, []float64{}, Float64, nil},
		{[]int{1, 0, 5}, []uint8{}, Uint8, nil},
		{[]int{3}, []int{-5, 0, 1 << 40}, Int64, []int64{-5, 0, 1 << 40}},
		// Longer than one I/O chunk, so the chunked decoder is exercised.
		{[]int{300000}, seq(300000), Float64, nil},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, test.shape, test.data); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if headerLen(buf.Bytes())%align != 0 {
			t.Errorf("%d: data does not start on a %d-byte boundary", i, align)
		}
		path := filepath.Join(dir, "rt.npy")
		if err := WriteFile(path, test.shape, test.data); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		for _, read := range []func() (*Array, error){
			func() (*Array, error) { return Read(bytes.NewReader(buf.Bytes())) },
			func() (*Array, error) { return ReadFile(path) },
		} {
			a, err := read()
			if err != nil {
				t.Fatalf("%d: %v", i, err)
			}
			want := test.want
			if want == nil {
				want = test.data
			}
			shape := test.shape
			if shape == nil {
				shape = []int{}
			}
			if !reflect.DeepEqual(a.Shape, shape) || a.DType != test.dtype || !reflect.DeepEqual(a.Data, want) {
				t.Errorf("%d: read back shape %v %s, want %v %s (data equal: %v)", i, a.Shape, a.DType, shape, test.dtype, reflect.DeepEqual(a.Data, want))
			}
		}
	}
}

func seq(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i) * 0.25
	}
	return s
}

// headerLen returns the offset of the data in an encoded file.
func headerLen(b []byte) int {
	if b[6] == 1 {
		return 10 + (int(b[8]) | int(b[9])<<8)
	}
	return 12 + (int(b[8]) | int(b[9])<<8 | int(b[10])<<16 | int(b[11])<<24)
}

// TestVersion2Header forces a header longer than 65535 bytes (a 0-length array
// with many dimensions); NumPy switches to format 2.0 there, and so do we.
func TestVersion2Header(t *testing.T) {
	shape := make([]int, 7000)
	shape[0] = 0
	for i := 1; i < len(shape); i++ {
		shape[i] = 12345678
	}
	var buf bytes.Buffer
	if err := Write(&buf, shape, []float32{}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if b[6] != 2 || b[7] != 0 {
		t.Fatalf("version %d.%d, want 2.0", b[6], b[7])
	}
	if headerLen(b)%align != 0 || headerLen(b) != len(b) {
		t.Fatalf("header length %d, file %d", headerLen(b), len(b))
	}
	a, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Shape, shape) {
		t.Errorf("shape not preserved")
	}
	// A short header stays 1.0.
	buf.Reset()
	if err := Write(&buf, []int{2}, []float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	if v := buf.Bytes()[6]; v != 1 {
		t.Errorf("short header written as version %d.0", v)
	}
}

// TestConsecutiveArrays reads two arrays saved one after the other to one stream.
func TestConsecutiveArrays(t *testing.T) {
	var buf bytes.Buffer
	Write(&buf, []int{2}, []int32{1, 2})
	Write(&buf, []int{1}, []float64{3})
	a, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Data, []int32{1, 2}) || !reflect.DeepEqual(b.Data, []float64{3}) {
		t.Errorf("got %v and %v", a.Data, b.Data)
	}
}

func TestConverters(t *testing.T) {
	for _, test := range []struct {
		a    Array
		f32  []float32
		f64  []float64
		ints []int
		err  string // error from Ints
	}{
		{Array{[]int{3}, Float32, []float32{1, -2, 0.5}}, []float32{1, -2, 0.5}, []float64{1, -2, 0.5}, nil, "element 2 is 0.5, not an integer"},
		{Array{[]int{2}, Float64, []float64{4, -3}}, []float32{4, -3}, []float64{4, -3}, []int{4, -3}, ""},
		{Array{[]int{2, 2}, Float64, []float64{0, 1, 2, math.NaN()}}, nil, nil, nil, "element 3 [1 1] is NaN, not an integer"},
		{Array{[]int{2}, Float64, []float64{math.Inf(1), 0}}, nil, nil, nil, "element 0 is +Inf, not an integer"},
		{Array{[]int{1}, Float64, []float64{1e19}}, nil, nil, nil, "element 0 is 1e+19, not an integer"},
		{Array{[]int{2}, Int32, []int32{-7, 9}}, []float32{-7, 9}, []float64{-7, 9}, []int{-7, 9}, ""},
		{Array{[]int{2}, Int64, []int64{1 << 53, -1}}, []float32{1 << 53, -1}, []float64{1 << 53, -1}, []int{1 << 53, -1}, ""},
		{Array{[]int{2}, Uint8, []uint8{255, 0}}, []float32{255, 0}, []float64{255, 0}, []int{255, 0}, ""},
	} {
		if test.f32 != nil {
			got, err := test.a.Float32s()
			if err != nil || !reflect.DeepEqual(got, test.f32) {
				t.Errorf("%v Float32s = %v, %v; want %v", test.a.Data, got, err, test.f32)
			}
		}
		if test.f64 != nil {
			got, err := test.a.Float64s()
			if err != nil || !reflect.DeepEqual(got, test.f64) {
				t.Errorf("%v Float64s = %v, %v; want %v", test.a.Data, got, err, test.f64)
			}
		}
		got, err := test.a.Ints()
		if test.err != "" {
			if err == nil || !strings.Contains(err.Error(), test.err) {
				t.Errorf("%v Ints error %v, want %q", test.a.Data, err, test.err)
			}
		} else if err != nil || !reflect.DeepEqual(got, test.ints) {
			t.Errorf("%v Ints = %v, %v; want %v", test.a.Data, got, err, test.ints)
		}
	}
	bad := Array{[]int{1}, "?", []string{"x"}}
	if _, err := bad.Float32s(); err == nil {
		t.Error("Float32s accepted []string data")
	}
	if _, err := bad.Float64s(); err == nil {
		t.Error("Float64s accepted []string data")
	}
	if _, err := bad.Ints(); err == nil {
		t.Error("Ints accepted []string data")
	}
	// Float32s on <f4 data shares the slice, as documented.
	a := Array{[]int{1}, Float32, []float32{1}}
	s, _ := a.Float32s()
	s[0] = 9
	if a.Data.([]float32)[0] != 9 {
		t.Error("Float32s copied <f4 data")
	}
}

// TestReadErrors covers every refusal, from NumPy-written files of unsupported kinds
// and from hand-corrupted bytes. Each case must fail with a message naming the problem.
func TestReadErrors(t *testing.T) {
	good := fixture(t, "f4_2x3")
	hdr := func(dict string) []byte {
		// A well-formed version 1.0 prefix around an arbitrary dict.
		b := []byte("\x93NUMPY\x01\x00")
		b = append(b, byte(len(dict)), byte(len(dict)>>8))
		return append(b, dict...)
	}
	replace := func(old, new string) []byte {
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	for _, test := range []struct {
		name string
		in   []byte
		want string
	}{
		{"fortran", fixture(t, "fortran"), "fortran_order arrays are not supported; save with np.ascontiguousarray"},
		{"bigendian", fixture(t, "bigendian"), `big-endian dtype ">f8" is not supported`},
		{"bool", fixture(t, "bool"), `dtype "|b1" is not supported`},
		{"f2", fixture(t, "f2"), `dtype "<f2" is not supported`},
		{"structured", fixture(t, "structured"), "structured dtypes"},
		{"v3", fixture(t, "v3"), "unsupported format version 3.0"},
		{"fortran True", replace("False", "True"), "fortran_order arrays are not supported"},
		{"complex", replace("<f4", "<c8"), `dtype "<c8" is not supported`},
		{"native order", replace("'<f4'", "'=f4'"), `dtype "=f4" is not supported`},
		{"empty", nil, "empty input"},
		{"bad magic", append([]byte("PK\x03\x04NUMPY"), good[10:]...), "bad magic"},
		{"short magic", []byte("\x93NUM"), "bad magic"},
		{"truncated prefix", good[:7], "truncated header"},
		{"truncated length", good[:9], "truncated header"},
		{"truncated header", good[:40], "truncated header"},
		{"truncated data", good[:len(good)-3], "truncated data"},
		{"no data", good[:128], "truncated data"},
		{"huge header", []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"), "exceeds the limit"},
		{"missing key", hdr("{'descr': '<f4', 'shape': (1,), }\n"), "lacks the key 'fortran_order'"},
		{"extra key", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 'y'}\n"), "unexpected key 'x'"},
		{"duplicate key", hdr("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\n"), "duplicate key"},
		{"not a dict", hdr("[1, 2]\n"), `expected '{'`},
		{"unterminated", hdr("{'descr: '<f4'}"), "expected ':'"},
		{"unterminated string", hdr("{'descr"), "unterminated string"},
		{"shape not tuple", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': 'x', }\n"), "'shape' is x, not a tuple"},
		{"negative dim", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n"), `bad shape dimension "-1"`},
		{"float dim", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }\n"), "expected ',' or ')'"},
		{"empty dim", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (,), }\n"), "expected an integer"},
		{"bad bool", hdr("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }\n"), "unexpected value"},
		{"bool type", hdr("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }\n"), "not True or False"},
		{"descr type", hdr("{'descr': (1,), 'fortran_order': False, 'shape': (1,), }\n"), "not a dtype string"},
		{"missing comma", hdr("{'descr': '<f4' 'fortran_order': False}\n"), "expected ',' or '}'"},
		{"trailing text", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x\n"), "unexpected text after the dict"},
		{"huge shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n"), "too large"},
		{"shape overflow", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }\n"), "bad shape dimension"},
	} {
		_, err := Read(bytes.NewReader(test.in))
		if err == nil || !strings.HasPrefix(err.Error(), "npy: ") || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: Read error %v, want one containing %q", test.name, err, test.want)
		}
		path := filepath.Join(t.TempDir(), "x.npy")
		os.WriteFile(path, test.in, 0o644)
		_, err = ReadFile(path)
		if err == nil || !strings.HasPrefix(err.Error(), "npy: "+path+": ") || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: ReadFile error %v, want one naming the file and containing %q", test.name, err, test.want)
		}
	}
	// ReadFile also refuses bytes after the data (a shape that does not match the
	// file), which Read cannot see.
	path := filepath.Join(t.TempDir(), "long.npy")
	os.WriteFile(path, append(append([]byte{}, good...), 0, 0, 0, 0), 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "4 unexpected bytes after the data") {
		t.Errorf("trailing bytes: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	for _, test := range []struct {
		shape []int
		data  any
		want  string
	}{
		{[]int{2, 2}, []float32{1, 2, 3}, "shape [2 2] holds 4 elements, data has 3"},
		{nil, []float64{}, "shape [] holds 1 elements, data has 0"},
		{[]int{-1}, []uint8{}, "negative dimension"},
		{[]int{1 << 40, 1 << 40}, []uint8{}, "too large"},
		{[]int{2}, []string{"a", "b"}, "cannot write data of type []string"},
		{[]int{1}, []float32(nil)[:0], "shape [1] holds 1 elements, data has 0"},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, test.shape, test.data); err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("Write(%v, %T): %v, want %q", test.shape, test.data, err, test.want)
		}
		path := filepath.Join(dir, "bad.npy")
		if err := WriteFile(path, test.shape, test.data); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), test.want) {
			t.Errorf("WriteFile(%v, %T): %v, want %q naming the file", test.shape, test.data, err, test.want)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("WriteFile left a file after failing")
		}
	}
	if err := Write(failWriter{}, []int{1}, []float32{1}); err == nil {
		t.Error("Write ignored a writer error")
	}
	if err := Write(failAfter{n: 128}, []int{1}, []float32{1}); err == nil {
		t.Error("Write ignored a data write error")
	}
	if err := Write(failAfter{n: 128}, []int{1}, []uint8{1}); err == nil {
		t.Error("Write ignored a data write error for uint8")
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

// failAfter accepts writes of exactly n bytes (the header) and fails afterwards.
type failAfter struct{ n int }

func (f failAfter) Write(p []byte) (int, error) {
	if len(p) == f.n {
		return len(p), nil
	}
	return 0, errors.New("disk full")
}

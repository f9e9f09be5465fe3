package npy

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzRead: any byte string gives an array or an error, never a panic, and an
// array never holds more element bytes than the input had.
func FuzzRead(f *testing.F) {
	for _, seed := range []struct {
		shape []int
		data  any
	}{
		{[]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{[]int{4}, []int64{1, -2, 3, 4}},
		{[]int{1, 2}, []float64{0.5, -1}},
		{[]int{3}, []int32{7, 8, 9}},
	} {
		var b bytes.Buffer
		if err := Write(&b, seed.shape, seed.data); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()-3]) // truncated data
		f.Add(b.Bytes()[:12])        // truncated header
	}
	f.Add([]byte("\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		v := reflect.ValueOf(a.Data)
		if v.Kind() != reflect.Slice || v.Len() != a.Len() {
			t.Fatalf("shape %v (%d elements) but %d values", a.Shape, a.Len(), v.Len())
		}
		if bytesOf := v.Len() * int(v.Type().Elem().Size()); bytesOf > len(data) {
			t.Fatalf("%d bytes of values from a %d-byte input", bytesOf, len(data))
		}
	})
}

package datasets

import (
	"bytes"
	"testing"
)

// FuzzReadIDX: any byte string, raw or gzip, gives an IDX or an error, never a
// panic; the data always fill exactly the declared dimensions, and a raw
// stream never yields more data than it held.
func FuzzReadIDX(f *testing.F) {
	images := idxBytes(idxUbyte, []int{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	labels := idxBytes(idxUbyte, []int{3}, []byte{0, 9, 4})
	for _, b := range [][]byte{images, labels, gz(f, images), images[:7], images[:len(images)-1]} {
		f.Add(b)
	}
	f.Add([]byte{0, 0, idxUbyte, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff}) // huge dimensions, no data
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadIDX(bytes.NewReader(data))
		if err != nil {
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if len(x.Data) != n {
			t.Fatalf("dims %v hold %d values, got %d", x.Dims, n, len(x.Data))
		}
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b { // raw, not gzip
			if len(x.Data) > len(data) {
				t.Fatalf("%d data bytes from a %d-byte raw stream", len(x.Data), len(data))
			}
		}
	})
}

// FuzzCIFAR10: any byte string is a whole number of valid CIFAR-10 records or
// an error naming the problem, never a panic.
func FuzzCIFAR10(f *testing.F) {
	rec := make([]byte, cifarRecord)
	rec[0] = 3
	for i := range rec[1:] {
		rec[1+i] = byte(i)
	}
	f.Add(rec)
	f.Add(append(append([]byte(nil), rec...), rec...))
	f.Add(rec[:100])
	bad := append([]byte(nil), rec...)
	bad[0] = 10
	f.Add(bad)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkCIFARSize("f.bin", int64(len(data))); err != nil {
			return
		}
		n := len(data) / cifarRecord
		x, y := make([]float32, n*cifarPixels), make([]int, n)
		if err := decodeCIFAR("f.bin", data, x, y); err != nil {
			return
		}
		for i, v := range y {
			if v < 0 || v > 9 {
				t.Fatalf("record %d: label %d", i, v)
			}
		}
		for i, v := range x {
			if v < 0 || v > 1 {
				t.Fatalf("value %d = %v, outside [0, 1]", i, v)
			}
		}
	})
}

package datasets

import (
	"errors"
	"fmt"
	"testing"
)

// BenchmarkLoad measures a full load (locate, inflate, decode both splits).
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"mnist", "fashion-mnist"} {
		b.Run("name="+name, func(b *testing.B) {
			if _, err := Locate(name, LoadOptions{NoDownload: true}); errors.Is(err, ErrNotFound) {
				b.Skip(err)
			}
			var n int
			for b.Loop() {
				d, err := Load(name, LoadOptions{NoDownload: true})
				if err != nil {
					b.Fatal(err)
				}
				n = d.Train.N + d.Test.N
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkBytesToFloats measures the pixel decode alone, on MNIST's size.
func BenchmarkBytesToFloats(b *testing.B) {
	src := seqBytes(47040000)
	dst := make([]float32, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		bytesToFloats(dst, src)
	}
}

func BenchmarkSynthetic(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("n=%d/k=10/d=32", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Synthetic(SyntheticSpec{N: n, K: 10, D: 32, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

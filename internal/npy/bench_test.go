package npy

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkRead decodes a 60000×100 array (the log-probabilities of an MNIST label
// step with K = 100) from memory.
func BenchmarkRead(b *testing.B) {
	const n = 60000 * 100
	for _, dtype := range []string{Float32, Float64} {
		var data any = make([]float32, n)
		if dtype == Float64 {
			data = make([]float64, n)
		}
		var buf bytes.Buffer
		if err := Write(&buf, []int{60000, 100}, data); err != nil {
			b.Fatal(err)
		}
		raw := buf.Bytes()
		b.Run(fmt.Sprintf("dtype=%s/n=%d", dtype[1:], n), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Read(bytes.NewReader(raw)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	const n = 60000 * 100
	data := make([]float32, n)
	b.Run(fmt.Sprintf("dtype=f4/n=%d", n), func(b *testing.B) {
		b.SetBytes(4 * n)
		for b.Loop() {
			if err := Write(io.Discard, []int{60000, 100}, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package nn

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzReadWeights: any byte string either loads into the model or is an error
// that leaves the parameters untouched, never a panic.
func FuzzReadWeights(f *testing.F) {
	newModel := func() *Model {
		m, err := NewMLP(MLPConfig{In: 4, Hidden: []int{3}, Heads: 2, K: 2, Seed: 1})
		if err != nil {
			f.Fatal(err)
		}
		return m
	}
	var good bytes.Buffer
	if err := WriteWeights(&good, "mlp", newModel().Params()); err != nil {
		f.Fatal(err)
	}
	b := good.Bytes()
	f.Add(b)
	f.Add(b[:len(b)-1])
	f.Add(b[:20])
	flipped := slices.Clone(b)
	flipped[len(flipped)/2] ^= 0xff // a bad checksum
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newModel()
		before := snapshot(m.Params())
		if err := ReadWeights(bytes.NewReader(data), "mlp", m.Params()); err != nil {
			if !slices.EqualFunc(before, snapshot(m.Params()), slices.Equal) {
				t.Fatalf("a failed read (%v) changed the parameters", err)
			}
		}
	})
}

// snapshot copies every parameter's values.
func snapshot(ps []*Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = slices.Clone(Data(p.W))
	}
	return out
}

package nn

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mlp.weights")
	a, _ := NewMLP(MLPConfig{In: 8, Hidden: []int{6, 4}, Heads: 2, K: 3, Seed: 1})
	// Move the running statistics away from their initial values.
	a.Forward(randTensor(newRand(5), 10, 8), true)
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, _ := NewMLP(MLPConfig{In: 8, Hidden: []int{6, 4}, Heads: 2, K: 3, Seed: 2})
	if err := b.Load(path); err != nil {
		t.Fatal(err)
	}
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		if !slices.Equal(Data(pa[i].W), Data(pb[i].W)) {
			t.Errorf("%s differs after load", pa[i].Name)
		}
	}

	for _, tc := range []struct {
		name string
		cfg  MLPConfig
		want string
	}{
		{"width", MLPConfig{In: 8, Hidden: []int{6, 5}, Heads: 2, K: 3}, `layer "trunk.3.weight" has shape [4 6] in the file but [5 6] in the model`},
		{"heads", MLPConfig{In: 8, Hidden: []int{6, 4}, Heads: 3, K: 3}, "file holds 16 tensors, the mlp model has 18"},
		{"k", MLPConfig{In: 8, Hidden: []int{6, 4}, Heads: 2, K: 4}, `layer "heads.0.weight" has shape [3 4] in the file but [4 4] in the model`},
	} {
		c, _ := NewMLP(tc.cfg)
		before := slices.Clone(Data(c.Params()[0].W))
		err := c.Load(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if !slices.Equal(before, Data(c.Params()[0].W)) {
			t.Errorf("%s: failed load changed the weights", tc.name)
		}
	}

	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 1
	bad := filepath.Join(dir, "bad.weights")
	os.WriteFile(bad, raw, 0o644)
	if err := b.Load(bad); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("flipped bit: error %v, want a checksum error", err)
	}
	os.WriteFile(bad, raw[:len(raw)-10], 0o644)
	if err := b.Load(bad); err == nil {
		t.Error("truncated file loaded")
	}
}

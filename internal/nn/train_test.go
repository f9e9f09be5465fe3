package nn

import (
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/internal/rng"
)

// TestOverfitCNN: the CNN memorises 8 random 1×12×12 images with random
// labels.
func TestOverfitCNN(t *testing.T) {
	m, err := NewCNN(CNNConfig{C: 1, H: 12, W: 12, Channels: []int{4, 8}, Feature: 16, K: 5, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := rng.New(1, "test/overfit-cnn")
	x := randTensor(r, 8, 1, 12, 12)
	y := make([]int, 8)
	for i := range y {
		y[i] = r.IntN(5)
	}
	opt := NewSGD(m.Params(), 0.05, 0.9, 0)
	var loss float64
	for range 200 {
		if loss, err = m.TrainStep(x, [][]int{y}, opt); err != nil {
			t.Fatal(err)
		}
	}
	if loss > 1e-2 {
		t.Errorf("loss after 200 steps on 8 samples = %.4g, want < 0.01", loss)
	}
}

// TestOverfitTinyBatch: 16 random samples with random labels must be
// memorised (loss → ~0) by the MLP in a few hundred steps.
func TestOverfitTinyBatch(t *testing.T) {
	m, err := NewMLP(MLPConfig{In: 20, Hidden: []int{64, 32}, Heads: 2, K: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	r := rng.New(1, "test/overfit")
	x := randTensor(r, 16, 20)
	labels := [][]int{make([]int, 16), make([]int, 16)}
	for h := range labels {
		for i := range labels[h] {
			labels[h][i] = r.IntN(4)
		}
	}
	opt := NewSGD(m.Params(), 0.1, 0.9, 0)
	var loss float64
	for range 300 {
		if loss, err = m.TrainStep(x, labels, opt); err != nil {
			t.Fatal(err)
		}
	}
	if loss > 1e-2 {
		t.Errorf("loss after 300 steps on 16 samples = %.4g, want < 0.01", loss)
	}
}

// trainMLP trains the MLP on MNIST with batch 128, SGD (momentum 0.9, weight
// decay 5e-4) and a cosine schedule over `epochs` epochs, and returns the
// test accuracy.
func trainMLP(t testing.TB, ds *datasets.Dataset, epochs int) float64 {
	m, err := NewMLP(MLPConfig{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const bs = 128
	tr := ds.Train
	steps := epochs * (tr.N / bs)
	sched := CosineLR{Base: 0.1, Total: steps}
	opt := NewSGD(m.Params(), 0.1, 0.9, 5e-4)
	r := rng.New(1, "test/mnist/shuffle")
	xb := New(nil, bs, tr.D)
	yb := make([]int, bs)
	step := 0
	for range epochs {
		perm := r.Perm(tr.N)
		for b := 0; b+bs <= tr.N; b += bs {
			for j, i := range perm[b : b+bs] {
				copy(Data(xb)[j*tr.D:(j+1)*tr.D], tr.Row(i))
				yb[j] = tr.Y[i]
			}
			opt.LR = sched.LR(step)
			step++
			if _, err := m.TrainStep(xb, [][]int{yb}, opt); err != nil {
				t.Fatal(err)
			}
		}
	}
	return accuracy(m, &ds.Test)
}

func accuracy(m *Model, s *datasets.Split) float64 {
	const bs = 1000
	correct := 0
	for b := 0; b < s.N; b += bs {
		n := min(bs, s.N-b)
		_, logits := m.Forward(New(s.X[b*s.D:(b+n)*s.D], n, s.D), false)
		z := Data(logits[0])
		k := len(z) / n
		for i := range n {
			row := z[i*k : (i+1)*k]
			if slices.Index(row, slices.Max(row)) == s.Y[b+i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(s.N)
}

func TestMNISTSupervised(t *testing.T) {
	// About 6 s on an idle 2-core machine (25 s seen under heavy load), so it
	// runs even with -short.
	ds, err := datasets.Load("mnist", datasets.LoadOptions{})
	if err != nil {
		t.Skip("MNIST not available:", err)
	}
	start := time.Now()
	acc := trainMLP(t, ds, 2)
	t.Logf("MLP, 2 epochs: test accuracy %.2f%% in %v", 100*acc, time.Since(start))
	if acc < 0.975 {
		t.Errorf("test accuracy %.4f, want ≥ 0.975", acc)
	}
}

// TestDeterminism: same seed ⇒ bit-identical weights after some steps, with
// GOMAXPROCS 1 and 2.
func TestDeterminism(t *testing.T) {
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) { testDeterminism(t, model) })
	}
}

func testDeterminism(t *testing.T, model string) {
	run := func(procs int) [][]float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var m *Model
		var err error
		shape := []int{256, 784}
		if model == "mlp" {
			m, err = NewMLP(MLPConfig{Heads: 3, K: 10, Seed: 9})
		} else {
			m, err = NewCNN(CNNConfig{Heads: 3, K: 10, Seed: 9, Channels: []int{8, 16}})
			shape = []int{64, 1, 28, 28}
		}
		if err != nil {
			t.Fatal(err)
		}
		r := rng.New(2, "test/determinism")
		x := randTensor(r, shape...)
		labels := make([][]int, 3)
		for h := range labels {
			labels[h] = make([]int, shape[0])
			for i := range labels[h] {
				labels[h][i] = r.IntN(10)
			}
		}
		opt := NewSGD(m.Params(), 0.05, 0.9, 5e-4)
		for range 5 {
			if _, err := m.TrainStep(x, labels, opt); err != nil {
				t.Fatal(err)
			}
		}
		var ws [][]float32
		for _, p := range m.Params() {
			ws = append(ws, slices.Clone(Data(p.W)))
		}
		return ws
	}
	a, b := run(1), run(2)
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				t.Fatalf("tensor %d value %d: %v with GOMAXPROCS=1, %v with 2", i, j, a[i][j], b[i][j])
			}
		}
	}
}

// TestEvalChunksMatchWholeBatch checks that an evaluation pass over a batch
// larger than evalChunk, run in chunks, gives bit for bit the features and
// logits of one pass over the whole batch, after training steps have moved the
// BatchNorm statistics off their initial values; and that Forward and Features
// (which chunk only networks with convolutions) give them too.
func TestEvalChunksMatchWholeBatch(t *testing.T) {
	n := 2*evalChunk + 44
	for _, c := range []struct {
		name  string
		shape []int
		make  func() (*Model, error)
	}{
		{"mlp", []int{784}, func() (*Model, error) { return NewMLP(MLPConfig{Heads: 2, K: 10, Seed: 4}) }},
		{"mlp-cosine", []int{784}, func() (*Model, error) { return NewMLP(MLPConfig{Heads: 2, K: 7, Seed: 4, Cosine: true}) }},
		{"cnn", []int{1, 28, 28}, func() (*Model, error) {
			return NewCNN(CNNConfig{Heads: 2, K: 10, Seed: 4, Channels: []int{8, 16}})
		}},
		{"cnn-cifar", []int{3, 32, 32}, func() (*Model, error) {
			return NewCNN(CNNConfig{C: 3, H: 32, W: 32, Heads: 1, K: 10, Seed: 4, Channels: []int{8, 16, 16}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.make()
			if err != nil {
				t.Fatal(err)
			}
			r := rng.New(5, "test/evalchunks")
			xt := randTensor(r, append([]int{64}, c.shape...)...)
			labels := [][]int{make([]int, 64)}
			for i := range labels[0] {
				labels[0][i] = r.IntN(7)
			}
			opt := NewSGD(m.Params(), 0.05, 0.9, 5e-4)
			for range 3 {
				if _, err := m.TrainStep(xt, labels, opt); err != nil {
					t.Fatal(err)
				}
			}
			x := randTensor(r, append([]int{n}, c.shape...)...)
			f0, z0 := m.forward(x, false)
			want := [][]float32{slices.Clone(Data(f0))}
			for _, z := range z0 {
				want = append(want, slices.Clone(Data(z)))
			}
			f, z := m.evalForward(x, max(m.convLayers(), 1), true)
			got := [][]float32{slices.Clone(Data(f))}
			for _, zh := range z {
				got = append(got, slices.Clone(Data(zh)))
			}
			fc, _ := m.evalForward(x, max(m.convLayers(), 1), false)
			feat := slices.Clone(Data(fc))
			ff, zf := m.Forward(x, false)
			if !slices.Equal(Data(ff), want[0]) || !slices.Equal(Data(zf[0]), want[1]) {
				t.Fatal("Forward in evaluation mode differs from the one-pass outputs")
			}
			if !slices.Equal(Data(m.Features(x)), want[0]) {
				t.Fatal("Features differ from the one-pass features")
			}
			for i, w := range want {
				if len(got[i]) != len(w) {
					t.Fatalf("output %d: %d values in chunks, %d in one pass", i, len(got[i]), len(w))
				}
				for j := range w {
					if math.Float32bits(got[i][j]) != math.Float32bits(w[j]) {
						t.Fatalf("output %d value %d: %v in chunks, %v in one pass", i, j, got[i][j], w[j])
					}
				}
			}
			if !slices.Equal(feat, want[0]) {
				t.Fatal("features in chunks differ from the one-pass features")
			}
			if s := fc.Shape(); s[0] != n {
				t.Fatalf("features shape %v, want %d rows", s, n)
			}
		})
	}
}

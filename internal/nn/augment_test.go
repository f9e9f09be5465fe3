package nn

import (
	"math"
	"slices"
	"testing"
)

// ramp returns n images of c×h×w with distinct values in [0, 1).
func ramp(n, c, h, w int) []float32 {
	x := make([]float32, n*c*h*w)
	for i := range x {
		x[i] = float32(i%(c*h*w)) / float32(c*h*w)
	}
	return x
}

func TestAugmentIdentityAndFlip(t *testing.T) {
	src := ramp(3, 2, 3, 4)
	a, err := NewAugmenter(2, 3, 4, AugmentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, len(src))
	a.Apply(dst, src, newRand(1))
	if !slices.Equal(dst, src) {
		t.Error("zero options changed the images")
	}
	// With Flip each image is either unchanged or mirrored: row
	// (0.00 0.04 0.08 0.12) becomes (0.12 0.08 0.04 0.00).
	a.Opt.Flip = true
	flips := 0
	for seed := range uint64(20) {
		a.Apply(dst, src, newRand(seed))
		for i := range 3 {
			img, in := dst[i*24:(i+1)*24], src[i*24:(i+1)*24]
			mirrored := true
			for r := range 6 {
				for x := range 4 {
					mirrored = mirrored && img[r*4+x] == in[r*4+3-x]
				}
			}
			switch {
			case mirrored:
				flips++
			case !slices.Equal(img, in):
				t.Fatalf("seed %d image %d is neither the input nor its mirror", seed, i)
			}
		}
	}
	if flips < 15 || flips > 45 { // 60 fair coins: 30 ± 15 is > 5 sd
		t.Errorf("%d flips in 60", flips)
	}
}

// TestAugmentTranslate: one bright pixel at (2, 2) of a 5×5 image moves to
// (2+dy, 2+dx) with |dy|, |dx| ≤ Pad, all other pixels stay 0.
func TestAugmentTranslate(t *testing.T) {
	a, err := NewAugmenter(1, 5, 5, AugmentOptions{Pad: 1})
	if err != nil {
		t.Fatal(err)
	}
	src := make([]float32, 25)
	src[12] = 1
	seen := map[int]bool{}
	dst := make([]float32, 25)
	for seed := range uint64(100) {
		a.Apply(dst, src, newRand(seed))
		at := slices.Index(dst, 1)
		if at < 0 || math.Abs(float64(at/5-2)) > 1 || math.Abs(float64(at%5-2)) > 1 {
			t.Fatalf("seed %d: pixel at %d", seed, at)
		}
		seen[at] = true
	}
	if len(seen) != 9 {
		t.Errorf("pixel reached %d of the 9 positions in 100 draws", len(seen))
	}
}

func TestAugmentDeterministicNoiseAffine(t *testing.T) {
	src := ramp(8, 3, 8, 8)
	a, err := NewAugmenter(3, 8, 8, AugmentOptions{Pad: 2, Flip: true, Rotate: 10, Scale: 0.1, Noise: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	d1, d2, d3 := make([]float32, len(src)), make([]float32, len(src)), make([]float32, len(src))
	a.Apply(d1, src, newRand(4))
	a.Apply(d2, src, newRand(4))
	a.Apply(d3, src, newRand(5))
	if !slices.Equal(d1, d2) {
		t.Error("same seed gave different images")
	}
	if slices.Equal(d1, d3) {
		t.Error("different seeds gave the same images")
	}
	for i, v := range d1 {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("value %d = %v is outside [0, 1]", i, v)
		}
	}
	// Noise alone on a mid-grey image: mean 0.5, standard deviation 0.05.
	a, _ = NewAugmenter(1, 32, 32, AugmentOptions{Noise: 0.05})
	grey := make([]float32, 32*32*4)
	fill(grey, 0.5)
	out := make([]float32, len(grey))
	a.Apply(out, grey, newRand(6))
	var s, ss float64
	for _, v := range out {
		s += float64(v) - 0.5
		ss += (float64(v) - 0.5) * (float64(v) - 0.5)
	}
	mean, sd := s/float64(len(out)), math.Sqrt(ss/float64(len(out)))
	if math.Abs(mean) > 0.005 || math.Abs(sd-0.05) > 0.005 { // 4096 draws: se of mean 0.0008
		t.Errorf("noise mean %.4f, sd %.4f; want 0, 0.05", mean, sd)
	}
	if _, err := NewAugmenter(1, 4, 4, AugmentOptions{Scale: 1.5}); err == nil {
		t.Error("Scale 1.5 accepted")
	}
}

// TestAugmentAffineMatchesShift: with a negligible rotation the bilinear
// path must reproduce the exact integer translation and flip path (same
// draws, since both draw the angle after the shift and flip).
func TestAugmentAffineMatchesShift(t *testing.T) {
	src := ramp(4, 2, 6, 7)
	exact, _ := NewAugmenter(2, 6, 7, AugmentOptions{Pad: 2, Flip: true})
	affine, _ := NewAugmenter(2, 6, 7, AugmentOptions{Pad: 2, Flip: true, Rotate: 1e-9})
	d1, d2 := make([]float32, len(src)), make([]float32, len(src))
	for seed := range uint64(10) {
		exact.Apply(d1, src, newRand(seed))
		affine.Apply(d2, src, newRand(seed))
		for i := range d1 {
			if math.Abs(float64(d1[i]-d2[i])) > 1e-5 {
				t.Fatalf("seed %d value %d: shift %v, affine %v", seed, i, d1[i], d2[i])
			}
		}
	}
}

package rng

import "testing"

func TestStreamsRepeatAndDiffer(t *testing.T) {
	a, b := New(7, "x"), New(7, "x")
	c, d := New(7, "y"), New(8, "x")
	same, diffPurpose, diffSeed := true, 0, 0
	for range 100 {
		va, vb, vc, vd := a.Uint64(), b.Uint64(), c.Uint64(), d.Uint64()
		same = same && va == vb
		if va != vc {
			diffPurpose++
		}
		if va != vd {
			diffSeed++
		}
	}
	if !same {
		t.Error("same (seed, purpose) gave different streams")
	}
	if diffPurpose < 99 || diffSeed < 99 {
		t.Errorf("streams not independent: %d/100 differ by purpose, %d/100 by seed", diffPurpose, diffSeed)
	}
}

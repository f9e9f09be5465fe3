// Package rng derives independent random streams from a (seed, purpose) pair, so that
// adding a draw in one place never shifts the numbers drawn in another. Every random
// choice in the suite goes through it; nothing uses the global source.
package rng

import (
	"hash/fnv"
	"math/rand/v2"
)

// New returns a PCG stream for the given seed and purpose. The purpose is a short
// stable name such as "kmeans/init" or "synthetic/means"; streams with different
// purposes (or seeds) are independent for all practical purposes.
func New(seed uint64, purpose string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, Hash(purpose)))
}

// Hash is the 64-bit FNV-1a hash of s, used to turn a purpose into a stream id.
func Hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

package eval

import (
	"errors"
	"fmt"
	"math"
	"runtime"
)

// Errors returned for bad input; they are wrapped with context (the set, row, column or
// option at fault), so test with errors.Is.
var (
	// ErrEmpty reports a set with no samples or no feature dimensions.
	ErrEmpty = errors.New("empty set")
	// ErrShape reports a feature slice whose length is not N·D, a label slice whose
	// length is not N, or train and test sets of different dimension D.
	ErrShape = errors.New("shape mismatch")
	// ErrNonFinite reports a NaN or ±Inf feature.
	ErrNonFinite = errors.New("non-finite feature")
	// ErrLabel reports a negative label, or a test label that is not a class of the
	// training set (classes are 0 … max train label).
	ErrLabel = errors.New("label out of range")
	// ErrOption reports an invalid option value.
	ErrOption = errors.New("invalid option")
)

// maxLabel bounds labels so that the per-class arrays (sized max label + 1) stay small.
const maxLabel = 1 << 24

// Set is a matrix of frozen features with one class label per row: X holds N rows of
// D float32 features, row-major (feature j of sample i is X[i*D+j]), and Y[i] is the
// class of sample i, an integer in [0, C). The evaluators only read a Set.
type Set struct {
	X    []float32
	N, D int
	Y    []int
}

// check validates the shape, the labels and the features of s; name ("train" or
// "test") goes into the error message. It returns max label + 1.
func (s Set) check(name string) (classes int, err error) {
	if s.N <= 0 || s.D <= 0 {
		return 0, fmt.Errorf("eval: %s set: N = %d, D = %d: %w", name, s.N, s.D, ErrEmpty)
	}
	if s.N > math.MaxInt/s.D || len(s.X) != s.N*s.D {
		return 0, fmt.Errorf("eval: %s set: len(X) = %d, want N·D = %d·%d: %w", name, len(s.X), s.N, s.D, ErrShape)
	}
	if s.N > math.MaxInt32 {
		return 0, fmt.Errorf("eval: %s set: N = %d exceeds %d rows: %w", name, s.N, math.MaxInt32, ErrShape)
	}
	if len(s.Y) != s.N {
		return 0, fmt.Errorf("eval: %s set: len(Y) = %d, want N = %d: %w", name, len(s.Y), s.N, ErrShape)
	}
	for i, y := range s.Y {
		if y < 0 || y >= maxLabel {
			return 0, fmt.Errorf("eval: %s set: row %d: label %d outside [0, %d): %w", name, i, y, maxLabel, ErrLabel)
		}
		classes = max(classes, y+1)
	}
	for k, v := range s.X {
		if math.Float32bits(v)&0x7f800000 == 0x7f800000 { // exponent all ones: NaN or ±Inf
			return 0, fmt.Errorf("eval: %s set: row %d, column %d: feature is %v: %w", name, k/s.D, k%s.D, v, ErrNonFinite)
		}
	}
	return classes, nil
}

// checkPair validates a train and a test set for the same features and returns the
// number of classes, max train label + 1; every test label must be below it.
func checkPair(train, test Set) (classes int, err error) {
	classes, err = train.check("train")
	if err != nil {
		return 0, err
	}
	if _, err := test.check("test"); err != nil {
		return 0, err
	}
	if test.D != train.D {
		return 0, fmt.Errorf("eval: test set has D = %d features, train set D = %d: %w", test.D, train.D, ErrShape)
	}
	for i, y := range test.Y {
		if y >= classes {
			return 0, fmt.Errorf("eval: test set: row %d: label %d, but the train labels are in [0, %d): %w", i, y, classes, ErrLabel)
		}
	}
	return classes, nil
}

// workers resolves a Workers option: 0 means runtime.GOMAXPROCS(0).
func workers(w int, what string) (int, error) {
	switch {
	case w < 0:
		return 0, fmt.Errorf("eval: %s: Workers = %d, want ≥ 0: %w", what, w, ErrOption)
	case w == 0:
		return runtime.GOMAXPROCS(0), nil
	}
	return w, nil
}

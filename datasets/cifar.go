package datasets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/selabench/selabench/internal/atomicfile"
)

// CIFAR-10 binary record layout (https://www.cs.toronto.edu/~kriz/cifar.html): one
// label byte, then 1024 red, 1024 green and 1024 blue bytes of a 32×32 image in
// row-major order.
const (
	cifarSide   = 32
	cifarPixels = 3 * cifarSide * cifarSide
	cifarRecord = 1 + cifarPixels
)

var cifarShape = Shape{C: 3, H: cifarSide, W: cifarSide}

// ReadCIFAR10File reads one CIFAR-10 binary batch file into a Split (CHW order,
// values /255). Errors name the file: a length that is not a positive multiple of
// 3073 bytes, or a label above 9 (naming the record).
func ReadCIFAR10File(path string) (Split, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Split{}, fmt.Errorf("datasets: %w", err)
	}
	if err := checkCIFARSize(path, int64(len(b))); err != nil {
		return Split{}, err
	}
	n := len(b) / cifarRecord
	s := Split{X: make([]float32, n*cifarPixels), Y: make([]int, n), N: n, D: cifarPixels}
	if err := decodeCIFAR(path, b, s.X, s.Y); err != nil {
		return Split{}, err
	}
	return s, nil
}

func checkCIFARSize(path string, size int64) error {
	if size == 0 || size%cifarRecord != 0 {
		return fmt.Errorf("datasets: %s: size %d bytes is not a positive multiple of %d (one label byte and %d pixel bytes per record); truncated or not a CIFAR-10 binary batch", path, size, cifarRecord, cifarPixels)
	}
	return nil
}

// decodeCIFAR decodes the records in b into x (len(b)/3073 rows) and y.
func decodeCIFAR(path string, b []byte, x []float32, y []int) error {
	for i := range len(b) / cifarRecord {
		rec := b[i*cifarRecord : (i+1)*cifarRecord]
		if rec[0] > 9 {
			return fmt.Errorf("datasets: %s: record %d (byte offset %d) has label %d, want 0 to 9", path, i, i*cifarRecord, rec[0])
		}
		y[i] = int(rec[0])
		bytesToFloats(x[i*cifarPixels:(i+1)*cifarPixels], rec[1:])
	}
	return nil
}

// WriteCIFAR10File writes labels and CHW pixel bytes (3072 per image) as a CIFAR-10
// binary batch file, atomically. It is the inverse of ReadCIFAR10File, for tests and
// for exporting subsets.
func WriteCIFAR10File(path string, labels []uint8, pixels []byte) error {
	if len(pixels) != len(labels)*cifarPixels {
		return fmt.Errorf("datasets: %s: %d labels need %d pixel bytes, got %d", path, len(labels), len(labels)*cifarPixels, len(pixels))
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		for i, y := range labels {
			if _, err := w.Write([]byte{y}); err != nil {
				return err
			}
			if _, err := w.Write(pixels[i*cifarPixels : (i+1)*cifarPixels]); err != nil {
				return err
			}
		}
		return nil
	})
}

// loadCIFAR10 reads the five training batches and the test batch in dir, with class
// names from batches.meta.txt when present.
func loadCIFAR10(name, dir string) (*Dataset, error) {
	trainPaths, testPath, err := cifarPaths(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %s: %w", name, dir, err)
	}
	classes, err := cifarClasses(dir)
	if err != nil {
		return nil, err
	}
	type result struct {
		s   Split
		err error
	}
	testc := make(chan result, 1)
	go func() {
		s, err := ReadCIFAR10File(testPath)
		testc <- result{s, err}
	}()
	// Size the training split from the file lengths, then decode each file in place.
	counts := make([]int, len(trainPaths))
	n := 0
	for i, p := range trainPaths {
		if counts[i], err = cifarCount(p); err != nil {
			<-testc
			return nil, err
		}
		n += counts[i]
	}
	train := Split{X: make([]float32, n*cifarPixels), Y: make([]int, n), N: n, D: cifarPixels}
	row := 0
	for i, p := range trainPaths {
		b, err := os.ReadFile(p)
		if err != nil {
			err = fmt.Errorf("datasets: %w", err)
		} else if len(b) != counts[i]*cifarRecord {
			err = fmt.Errorf("datasets: %s: changed size while being read", p)
		}
		if err == nil {
			err = decodeCIFAR(p, b, train.X[row*cifarPixels:], train.Y[row:])
		}
		if err != nil {
			<-testc
			return nil, err
		}
		row += counts[i]
	}
	test := <-testc
	if test.err != nil {
		return nil, test.err
	}
	return &Dataset{Name: name, Train: train, Test: test.s, Shape: cifarShape, Classes: classes}, nil
}

// cifarClasses reads batches.meta.txt (one class name per line; blank lines
// ignored) if present, else returns the standard names.
func cifarClasses(dir string) ([]string, error) {
	path := filepath.Join(dir, cifarMetaFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cloneNames(CIFAR10Classes), nil
	}
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			names = append(names, s)
		}
	}
	if len(names) != 10 {
		return nil, fmt.Errorf("datasets: %s: %d class names, want 10 (one per line)", path, len(names))
	}
	return names, nil
}

// statCIFAR10 counts records from file lengths.
func statCIFAR10(dir string) (trainN, testN int, shape Shape, err error) {
	trainPaths, testPath, err := cifarPaths(dir)
	if err != nil {
		return 0, 0, Shape{}, fmt.Errorf("datasets: %s: %w", dir, err)
	}
	for _, p := range trainPaths {
		k, err := cifarCount(p)
		if err != nil {
			return 0, 0, Shape{}, err
		}
		trainN += k
	}
	if testN, err = cifarCount(testPath); err != nil {
		return 0, 0, Shape{}, err
	}
	if _, err := cifarClasses(dir); err != nil {
		return 0, 0, Shape{}, err
	}
	return trainN, testN, cifarShape, nil
}

// cifarCount returns the number of records in a batch file from its length.
func cifarCount(path string) (int, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("datasets: %w", err)
	}
	if err := checkCIFARSize(path, st.Size()); err != nil {
		return 0, err
	}
	return int(st.Size() / cifarRecord), nil
}

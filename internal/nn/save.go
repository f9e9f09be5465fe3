package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/selabench/selabench/internal/atomicfile"
)

// Weight file format, version 1 (all integers little-endian):
//
//	magic "SELANN\r\n" | uint32 version | uint16 len + architecture name |
//	uint32 tensor count | per tensor: uint16 len + name, uint8 rank,
//	rank × uint32 dims, float32 values | uint32 CRC-32 (IEEE) of all
//	preceding bytes.
//
// Tensors are the model's [Model.Params] in order, buffers included.
const (
	weightMagic   = "SELANN\r\n"
	weightVersion = 1
)

// ErrWeightsCorrupt reports a weight file whose checksum does not match.
var ErrWeightsCorrupt = errors.New("checksum mismatch (file corrupt or truncated)")

// Save writes the model's parameters and buffers to path atomically.
func (m *Model) Save(path string) error {
	err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		return WriteWeights(w, m.Arch, m.Params())
	})
	if err != nil {
		return fmt.Errorf("nn: save %s: %w", path, err)
	}
	return nil
}

// Load reads weights written by Save into the model. Nothing is changed
// unless the whole file matches the model: same architecture name, same
// tensor names in the same order, same shapes; a mismatch is an error naming
// the tensor and both shapes.
func (m *Model) Load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("nn: load: %w", err)
	}
	defer f.Close()
	if err := ReadWeights(bufio.NewReader(f), m.Arch, m.Params()); err != nil {
		return fmt.Errorf("nn: load %s: %w", path, err)
	}
	return nil
}

// WriteWeights writes params in the weight file format.
func WriteWeights(w io.Writer, arch string, params []*Param) error {
	h := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	le := binary.LittleEndian
	var scratch []byte
	put := func(b []byte) { bw.Write(b) } // errors surface at Flush
	putString := func(s string) {
		put(le.AppendUint16(nil, uint16(len(s))))
		put([]byte(s))
	}
	put([]byte(weightMagic))
	put(le.AppendUint32(nil, weightVersion))
	putString(arch)
	put(le.AppendUint32(nil, uint32(len(params))))
	for _, p := range params {
		putString(p.Name)
		shape := p.W.Shape()
		put([]byte{byte(len(shape))})
		for _, d := range shape {
			put(le.AppendUint32(nil, uint32(d)))
		}
		scratch = scratch[:0]
		for _, v := range Data(p.W) {
			scratch = le.AppendUint32(scratch, math.Float32bits(v))
		}
		put(scratch)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(le.AppendUint32(nil, h.Sum32()))
	return err
}

// ReadWeights reads a weight file into params, checking the architecture
// name, tensor names and shapes; params are changed only if all match and
// the checksum is right.
func ReadWeights(r io.Reader, arch string, params []*Param) error {
	h := crc32.NewIEEE()
	tr := io.TeeReader(r, h)
	le := binary.LittleEndian
	buf := make([]byte, 8)
	read := func(n int) ([]byte, error) {
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		_, err := io.ReadFull(tr, buf[:n])
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return buf[:n], err
	}
	readString := func() (string, error) {
		b, err := read(2)
		if err != nil {
			return "", err
		}
		b, err = read(int(le.Uint16(b)))
		return string(b), err
	}
	b, err := read(len(weightMagic))
	if err != nil {
		return err
	}
	if string(b) != weightMagic {
		return fmt.Errorf("not a selabench weight file (magic %q)", b)
	}
	if b, err = read(4); err != nil {
		return err
	}
	if v := le.Uint32(b); v != weightVersion {
		return fmt.Errorf("weight file version %d, this build reads version %d", v, weightVersion)
	}
	fileArch, err := readString()
	if err != nil {
		return err
	}
	if fileArch != arch {
		return fmt.Errorf("file holds a %q model, not %q", fileArch, arch)
	}
	if b, err = read(4); err != nil {
		return err
	}
	if n := int(le.Uint32(b)); n != len(params) {
		return fmt.Errorf("file holds %d tensors, the %s model has %d", n, arch, len(params))
	}
	vals := make([][]float32, len(params))
	for i, p := range params {
		name, err := readString()
		if err != nil {
			return err
		}
		if name != p.Name {
			return fmt.Errorf("tensor %d is %q in the file but %q in the model", i, name, p.Name)
		}
		if b, err = read(1); err != nil {
			return err
		}
		shape := make([]int, b[0])
		for k := range shape {
			if b, err = read(4); err != nil {
				return err
			}
			shape[k] = int(le.Uint32(b))
		}
		if want := []int(p.W.Shape()); !slices.Equal(shape, want) {
			return fmt.Errorf("layer %q has shape %v in the file but %v in the model", name, shape, want)
		}
		n := len(Data(p.W))
		if b, err = read(4 * n); err != nil {
			return err
		}
		vals[i] = make([]float32, n)
		for k := range vals[i] {
			vals[i][k] = math.Float32frombits(le.Uint32(b[4*k:]))
		}
	}
	sum := h.Sum32()
	if _, err := io.ReadFull(r, buf[:4]); err != nil {
		return fmt.Errorf("reading checksum: %w", io.ErrUnexpectedEOF)
	}
	if le.Uint32(buf[:4]) != sum {
		return ErrWeightsCorrupt
	}
	for i, p := range params {
		copy(Data(p.W), vals[i])
	}
	return nil
}

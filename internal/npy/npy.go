// Package npy reads and writes NumPy .npy files, the interchange format between
// selabench and Python users (log-probabilities saved from a PyTorch run, features,
// labels, transport plans).
//
// # Format
//
// A .npy file is the 6-byte magic "\x93NUMPY", a major and a minor version byte, the
// header length (uint16 little-endian in version 1.0, uint32 in 2.0), a header that
// is a Python dict literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 100), }
//
// padded with spaces and a newline so that the data starts on a 64-byte boundary, and
// then the raw array data. See numpy/lib/format.py in NumPy for the reference.
//
// This package supports exactly what the suite exchanges: format versions 1.0 and
// 2.0, C (row-major) order, and the little-endian dtypes
//
//	<f4 float32   <f8 float64   <i4 int32   <i8 int64   |u1 uint8
//
// Everything else (Fortran order, big-endian data, other dtypes, version 3.0,
// object arrays) is refused with an error that says what is wrong and, where there
// is one, how to re-save the array from NumPy.
//
// # Data flow
//
// [Read] and [ReadFile] decode a file into an [Array] whose Data is a typed slice;
// the converters [Array.Float32s], [Array.Float64s] and [Array.Ints] turn it into the
// element type the caller computes in. [Write] and [WriteFile] go the other way and
// produce the same bytes as numpy.save (NumPy ≥ 1.24) for the same array, writing
// version 1.0 unless the header is too long for it.
package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/selabench/selabench/internal/atomicfile"
)

// Supported dtype descriptors, as they appear in a header's 'descr' field.
const (
	Float32 = "<f4"
	Float64 = "<f8"
	Int32   = "<i4"
	Int64   = "<i8"
	Uint8   = "|u1"
)

const (
	magic = "\x93NUMPY"
	// align is the alignment NumPy ≥ 1.14 pads the header to (ARRAY_ALIGN).
	align = 64
	// growthDigits is NumPy's GROWTH_AXIS_MAX_DIGITS: spare spaces left after the
	// dict so that the first axis can grow in place. Emulated so that Write produces
	// the same bytes as numpy.save.
	growthDigits = 21
	// maxHeaderLen bounds the header we are willing to read; NumPy's own default
	// limit (max_header_size) is 10000, a real header for our dtypes is < 200 bytes.
	maxHeaderLen = 1 << 20
)

// Array is a decoded .npy array. Data holds the elements in C order and is one of
// []float32, []float64, []int32, []int64 or []uint8 according to DType; its length is
// the product of Shape (1 for a 0-d array, whose Shape is empty).
type Array struct {
	Shape []int
	DType string
	Data  any
}

// Len is the number of elements, the product of Shape.
func (a *Array) Len() int {
	n := 1
	for _, s := range a.Shape {
		n *= s
	}
	return n
}

// itemSize returns the byte size of a supported dtype, or 0.
func itemSize(dtype string) int {
	switch dtype {
	case Float32, Int32:
		return 4
	case Float64, Int64:
		return 8
	case Uint8:
		return 1
	}
	return 0
}

// ReadFile reads a .npy file holding one array; bytes after the data are an error
// (they mean the header's shape does not match the file). Errors name the file:
// "npy: x.npy: ...".
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	a, err := read(f, size, true)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	return a, nil
}

// Read reads one .npy array from r. It stops after the array's data, so several
// arrays saved one after the other to the same stream can be read in turn.
func Read(r io.Reader) (*Array, error) {
	avail := int64(-1)
	if lr, ok := r.(interface{ Len() int }); ok { // bytes.Reader, bytes.Buffer, strings.Reader
		avail = int64(lr.Len())
	}
	a, err := read(r, avail, false)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return a, nil
}

// read decodes one array. size is the number of bytes left in r when known (a
// regular file, an in-memory reader), else -1; when known, the data length is
// checked against it before anything large is allocated. If strict, bytes after the
// data are an error (they mean the shape does not match the file).
func read(r io.Reader, size int64, strict bool) (*Array, error) {
	var pre [8]byte
	n, err := io.ReadFull(r, pre[:])
	switch {
	case n == 0 && err == io.EOF:
		return nil, errors.New("empty input, not a .npy file")
	case n < len(magic) || string(pre[:len(magic)]) != magic:
		return nil, fmt.Errorf("bad magic %q, not a .npy file", pre[:min(n, len(magic))])
	case err != nil:
		return nil, errors.New("truncated header")
	}
	major, minor := pre[6], pre[7]
	var hlen int64
	var prefix int64
	switch {
	case major == 1 && minor == 0:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated header")
		}
		hlen, prefix = int64(binary.LittleEndian.Uint16(b[:])), 10
	case major == 2 && minor == 0:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated header")
		}
		hlen, prefix = int64(binary.LittleEndian.Uint32(b[:])), 12
	default:
		return nil, fmt.Errorf("unsupported format version %d.%d (supported: 1.0, 2.0)", major, minor)
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, maxHeaderLen)
	}
	if size >= 0 && prefix+hlen > size {
		return nil, fmt.Errorf("truncated header: header declares %d bytes, %s has %d after the prefix", hlen, source(strict), size-prefix)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, errors.New("truncated header")
	}
	h, err := parseHeader(string(hdr))
	if err != nil {
		return nil, err
	}
	count := int64(1)
	for _, s := range h.shape {
		if s != 0 && count > math.MaxInt64/int64(s)/8 {
			return nil, fmt.Errorf("shape %v is too large", h.shape)
		}
		count *= int64(s)
	}
	if count > int64(math.MaxInt) {
		return nil, fmt.Errorf("shape %v is too large", h.shape)
	}
	nbytes := count * int64(itemSize(h.descr))
	if size >= 0 {
		have := size - prefix - hlen
		if have < nbytes {
			return nil, fmt.Errorf("truncated data: shape %v of %s needs %d bytes, %s has %d", h.shape, h.descr, nbytes, source(strict), have)
		}
		if strict && have > nbytes {
			return nil, fmt.Errorf("%d unexpected bytes after the data of shape %v of %s", have-nbytes, h.shape, h.descr)
		}
	}
	data, err := readData(r, h.descr, int(count), size >= 0)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated data: shape %v of %s needs %d bytes", h.shape, h.descr, nbytes)
		}
		return nil, err
	}
	return &Array{Shape: h.shape, DType: h.descr, Data: data}, nil
}

func source(file bool) string {
	if file {
		return "file"
	}
	return "input"
}

// chunkBytes is the read buffer size. When the input length is not known in
// advance, slices grow by appending chunk by chunk, so a corrupt header that
// declares a huge shape cannot make us allocate more than the input holds.
const chunkBytes = 1 << 20

func readData(r io.Reader, descr string, n int, sizeKnown bool) (any, error) {
	capHint := n
	if !sizeKnown {
		capHint = min(n, chunkBytes/itemSize(descr))
	}
	le := binary.LittleEndian
	switch descr {
	case Uint8:
		return readTyped(r, n, capHint, 1, func(dst []uint8, b []byte) { copy(dst, b) })
	case Float32:
		return readTyped(r, n, capHint, 4, func(dst []float32, b []byte) {
			for i := range dst {
				dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
			}
		})
	case Float64:
		return readTyped(r, n, capHint, 8, func(dst []float64, b []byte) {
			for i := range dst {
				dst[i] = math.Float64frombits(le.Uint64(b[8*i:]))
			}
		})
	case Int32:
		return readTyped(r, n, capHint, 4, func(dst []int32, b []byte) {
			for i := range dst {
				dst[i] = int32(le.Uint32(b[4*i:]))
			}
		})
	default: // Int64
		return readTyped(r, n, capHint, 8, func(dst []int64, b []byte) {
			for i := range dst {
				dst[i] = int64(le.Uint64(b[8*i:]))
			}
		})
	}
}

// readTyped reads n elements of isz bytes in chunks, decoding each chunk with dec
// into the slice, which starts with capacity capHint and grows as data arrives.
func readTyped[T any](r io.Reader, n, capHint, isz int, dec func(dst []T, b []byte)) ([]T, error) {
	out := make([]T, 0, capHint)
	buf := make([]byte, min(n*isz, chunkBytes/isz*isz))
	for len(out) < n {
		k := min(n-len(out), len(buf)/isz)
		b := buf[:k*isz]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		out = slices.Grow(out, k)
		dec(out[len(out):len(out)+k], b)
		out = out[:len(out)+k]
	}
	return out, nil
}

// header is the parsed header dict.
type header struct {
	descr string
	shape []int
}

// parseHeader parses the Python dict literal of a .npy header and checks that it
// describes an array this package supports.
func parseHeader(s string) (header, error) {
	p := &dictParser{s: s}
	d, err := p.parse()
	if err != nil {
		return header{}, fmt.Errorf("header %q: %w", strings.TrimRight(s, " \n"), err)
	}
	var h header
	for _, key := range []string{"descr", "fortran_order", "shape"} {
		if _, ok := d[key]; !ok {
			return h, fmt.Errorf("header %q lacks the key '%s'", strings.TrimRight(s, " \n"), key)
		}
	}
	if len(d) != 3 {
		for k := range d {
			if k != "descr" && k != "fortran_order" && k != "shape" {
				return h, fmt.Errorf("header has the unexpected key '%s'", k)
			}
		}
	}
	descr, ok := d["descr"].(string)
	if !ok {
		return h, fmt.Errorf("header 'descr' is %v, not a dtype string (structured arrays are not supported)", d["descr"])
	}
	fortran, ok := d["fortran_order"].(bool)
	if !ok {
		return h, fmt.Errorf("header 'fortran_order' is %v, not True or False", d["fortran_order"])
	}
	shape, ok := d["shape"].([]int)
	if !ok {
		return h, fmt.Errorf("header 'shape' is %v, not a tuple of integers", d["shape"])
	}
	if fortran {
		return h, errors.New("fortran_order arrays are not supported; save with np.ascontiguousarray")
	}
	if itemSize(descr) == 0 {
		if len(descr) > 1 && descr[0] == '>' {
			return h, fmt.Errorf("big-endian dtype %q is not supported; save with arr.astype(arr.dtype.newbyteorder('<'))", descr)
		}
		return h, fmt.Errorf("dtype %q is not supported (supported: <f4 <f8 <i4 <i8 |u1)", descr)
	}
	h.descr, h.shape = descr, shape
	return h, nil
}

// dictParser parses the subset of Python literal syntax NumPy writes into headers:
// a dict with string keys whose values are strings, True/False, or tuples of
// non-negative integers.
type dictParser struct {
	s string
	i int
}

func (p *dictParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *dictParser) peek() byte {
	p.skipSpace()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *dictParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.i++
	return nil
}

func (p *dictParser) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.i >= len(p.s) {
		return fmt.Errorf("%s at end of header", msg)
	}
	return fmt.Errorf("%s at offset %d", msg, p.i)
}

func (p *dictParser) parse() (map[string]any, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	d := map[string]any{}
	for {
		if p.peek() == '}' {
			p.i++
			break
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, dup := d[key]; dup {
			return nil, p.errorf("duplicate key '%s'", key)
		}
		d[key] = v
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
	if p.peek() != 0 {
		return nil, p.errorf("unexpected text after the dict")
	}
	return d, nil
}

func (p *dictParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("expected a quoted string")
	}
	j := strings.IndexByte(p.s[p.i+1:], q)
	if j < 0 {
		return "", p.errorf("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+j]
	p.i += j + 2
	return v, nil
}

func (p *dictParser) value() (any, error) {
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		return p.str()
	case c == '(':
		return p.tuple()
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case c == '[' || c == '{':
		return nil, p.errorf("nested %q values (structured dtypes) are not supported", c)
	default:
		return nil, p.errorf("unexpected value")
	}
}

func (p *dictParser) tuple() ([]int, error) {
	p.i++ // '('
	shape := []int{}
	for {
		if p.peek() == ')' {
			p.i++
			return shape, nil
		}
		start := p.i
		for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '-') {
			p.i++
		}
		// Python 2 era files may write long integers as 3L.
		num := p.s[start:p.i]
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		if num == "" {
			return nil, p.errorf("expected an integer in the shape tuple")
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < 0 {
			p.i = start
			return nil, p.errorf("bad shape dimension %q", num)
		}
		shape = append(shape, v)
		switch p.peek() {
		case ',':
			p.i++
		case ')':
		default:
			return nil, p.errorf("expected ',' or ')' in the shape tuple")
		}
	}
}

// Float32s returns the elements as float32, converting from any dtype (float64 and
// 64-bit integers are rounded to the nearest float32). For a <f4 array it returns
// Data itself, not a copy.
func (a *Array) Float32s() ([]float32, error) {
	switch d := a.Data.(type) {
	case []float32:
		return d, nil
	case []float64:
		return convert[float32](d), nil
	case []int32:
		return convert[float32](d), nil
	case []int64:
		return convert[float32](d), nil
	case []uint8:
		return convert[float32](d), nil
	}
	return nil, a.badData()
}

// Float64s returns the elements as float64, converting from any dtype (int64 values
// beyond 2^53 are rounded). For a <f8 array it returns Data itself, not a copy.
func (a *Array) Float64s() ([]float64, error) {
	switch d := a.Data.(type) {
	case []float32:
		return convert[float64](d), nil
	case []float64:
		return d, nil
	case []int32:
		return convert[float64](d), nil
	case []int64:
		return convert[float64](d), nil
	case []uint8:
		return convert[float64](d), nil
	}
	return nil, a.badData()
}

// Ints returns the elements as a new []int. Float elements must be integral (labels
// saved as float are fine); a non-integral, infinite or NaN element, or an integer
// outside the range of int, is an error naming the element's index.
func (a *Array) Ints() ([]int, error) {
	switch d := a.Data.(type) {
	case []int32:
		return convert[int](d), nil
	case []uint8:
		return convert[int](d), nil
	case []int64:
		out := make([]int, len(d))
		for i, v := range d {
			out[i] = int(v)
			if int64(out[i]) != v {
				return nil, fmt.Errorf("npy: element %s is %d, out of the range of int", a.index(i), v)
			}
		}
		return out, nil
	case []float32:
		return floatsToInts(a, d)
	case []float64:
		return floatsToInts(a, d)
	}
	return nil, a.badData()
}

func floatsToInts[F float32 | float64](a *Array, d []F) ([]int, error) {
	out := make([]int, len(d))
	for i, v := range d {
		f := float64(v)
		if f != math.Trunc(f) || math.IsInf(f, 0) || f >= 1<<63 || f < -(1<<63) {
			return nil, fmt.Errorf("npy: element %s is %v, not an integer", a.index(i), f)
		}
		out[i] = int(f)
		if float64(out[i]) != f {
			return nil, fmt.Errorf("npy: element %s is %v, out of the range of int", a.index(i), f)
		}
	}
	return out, nil
}

// index formats flat index i as "i" for 0-d and 1-d arrays and as "i [r c ...]"
// (the multi-index) otherwise.
func (a *Array) index(i int) string {
	if len(a.Shape) < 2 {
		return strconv.Itoa(i)
	}
	idx := make([]int, len(a.Shape))
	r := i
	for k := len(a.Shape) - 1; k >= 0; k-- {
		if a.Shape[k] > 0 {
			idx[k] = r % a.Shape[k]
			r /= a.Shape[k]
		}
	}
	return fmt.Sprintf("%d %v", i, idx)
}

func (a *Array) badData() error {
	return fmt.Errorf("npy: array data is %T, not one of []float32 []float64 []int32 []int64 []uint8", a.Data)
}

func convert[T, S float32 | float64 | int | int32 | int64 | uint8](s []S) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// WriteFile writes data with the given shape to path as a .npy file, atomically
// (see internal/atomicfile). See [Write] for the accepted data types.
func WriteFile(path string, shape []int, data any) error {
	if _, _, err := check(shape, data); err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		if err := Write(w, shape, data); err != nil {
			return fmt.Errorf("npy: %s: %w", path, err)
		}
		return nil
	})
}

// Write writes data with the given shape to w in .npy format, version 1.0 unless
// the header needs 2.0. data is one of []float32, []float64, []int32, []int64,
// []uint8, or []int (stored as <i8); its length must be the product of shape (an
// empty shape means a 0-d array of one element). The bytes are those numpy.save
// (NumPy ≥ 1.24) writes for the same array.
func Write(w io.Writer, shape []int, data any) error {
	descr, n, err := check(shape, data)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	if _, err := w.Write(encodeHeader(descr, shape)); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	isz := itemSize(descr)
	if d, ok := data.([]uint8); ok {
		_, err := w.Write(d)
		if err != nil {
			return fmt.Errorf("npy: %w", err)
		}
		return nil
	}
	buf := make([]byte, min(n*isz, chunkBytes))
	le := binary.LittleEndian
	for off := 0; off < n; {
		k := min(n-off, len(buf)/isz)
		b := buf[:k*isz]
		switch d := data.(type) {
		case []float32:
			for i, v := range d[off : off+k] {
				le.PutUint32(b[4*i:], math.Float32bits(v))
			}
		case []float64:
			for i, v := range d[off : off+k] {
				le.PutUint64(b[8*i:], math.Float64bits(v))
			}
		case []int32:
			for i, v := range d[off : off+k] {
				le.PutUint32(b[4*i:], uint32(v))
			}
		case []int64:
			for i, v := range d[off : off+k] {
				le.PutUint64(b[8*i:], uint64(v))
			}
		case []int:
			for i, v := range d[off : off+k] {
				le.PutUint64(b[8*i:], uint64(int64(v)))
			}
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("npy: %w", err)
		}
		off += k
	}
	return nil
}

// check validates shape against data and returns the dtype and element count.
func check(shape []int, data any) (string, int, error) {
	var descr string
	var n int
	switch d := data.(type) {
	case []float32:
		descr, n = Float32, len(d)
	case []float64:
		descr, n = Float64, len(d)
	case []int32:
		descr, n = Int32, len(d)
	case []int64:
		descr, n = Int64, len(d)
	case []int:
		descr, n = Int64, len(d)
	case []uint8:
		descr, n = Uint8, len(d)
	default:
		return "", 0, fmt.Errorf("cannot write data of type %T (want []float32, []float64, []int32, []int64, []int or []uint8)", data)
	}
	want := 1
	for _, s := range shape {
		if s < 0 {
			return "", 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		if s != 0 && want > math.MaxInt/s {
			return "", 0, fmt.Errorf("shape %v is too large", shape)
		}
		want *= s
	}
	if want != n {
		return "", 0, fmt.Errorf("shape %v holds %d elements, data has %d", shape, want, n)
	}
	return descr, n, nil
}

// encodeHeader builds the magic, version, length and padded header exactly as
// numpy.lib.format._write_array_header does.
func encodeHeader(descr string, shape []int) []byte {
	var sb strings.Builder
	sb.WriteString("{'descr': '")
	sb.WriteString(descr)
	sb.WriteString("', 'fortran_order': False, 'shape': (")
	for i, s := range shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(s))
	}
	if len(shape) == 1 {
		sb.WriteByte(',')
	}
	sb.WriteString("), }")
	if len(shape) > 0 {
		sb.WriteString(strings.Repeat(" ", max(0, growthDigits-len(strconv.Itoa(shape[0])))))
	}
	dict := sb.String()
	hlen := len(dict) + 1 // + '\n'
	// Following NumPy: version 1.0 unless the padded header length overflows uint16.
	prefix := 10
	if hlen+align-(10+hlen)%align > math.MaxUint16 {
		prefix = 12
	}
	pad := align - (prefix+hlen)%align
	out := make([]byte, 0, prefix+hlen+pad)
	out = append(out, magic...)
	if prefix == 10 {
		out = append(out, 1, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen+pad))
	} else {
		out = append(out, 2, 0)
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen+pad))
	}
	out = append(out, dict...)
	out = append(out, bytes.Repeat([]byte{' '}, pad)...)
	return append(out, '\n')
}

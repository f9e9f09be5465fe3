package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/selabench/selabench/internal/atomicfile"
)

// IDX is a decoded IDX file (the format of MNIST and Fashion-MNIST, described at
// http://yann.lecun.com/exdb/mnist/): a 4-byte magic 0x00 0x00 type ndims, ndims
// big-endian uint32 dimensions, then the data in row-major order. Only the unsigned
// byte type (0x08) is supported, so an images file has magic 0x00000803 (dims N, rows,
// cols) and a labels file 0x00000801 (dims N).
type IDX struct {
	Dims []int
	Data []byte
}

const (
	idxUbyte      = 0x08
	idxMaxDims    = 8
	gzipMagic0    = 0x1f
	gzipMagic1    = 0x8b
	idxChunkBytes = 1 << 26
)

// ReadIDXFile reads an IDX file, gzip-compressed or raw (told apart by the gzip magic
// bytes, not by the name). Errors name the file and what is wrong: bad magic,
// unsupported type, truncated or corrupt data, bytes after the data.
func ReadIDXFile(path string) (*IDX, error) {
	var x IDX
	dims, err := readIDXFile(path, x.collect)
	if err != nil {
		return nil, err
	}
	x.Dims = dims
	return &x, nil
}

// ReadIDX reads an IDX stream, gzip-compressed or raw, to its end.
func ReadIDX(r io.Reader) (*IDX, error) {
	var x IDX
	dims, err := readIDX(r, -1, x.collect)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	x.Dims = dims
	return &x, nil
}

// collect is the sink that keeps the bytes.
func (x *IDX) collect(dims []int, n int64, capHint int) func([]byte) {
	x.Data = make([]byte, 0, capHint)
	return func(chunk []byte) { x.Data = append(x.Data, chunk...) }
}

// ReadIDXHeader returns the dimensions declared by an IDX file's header without
// reading its data (for a gzip file only the first bytes are decompressed). For a
// raw file it also checks that the file length matches the dimensions.
func ReadIDXHeader(path string) ([]int, error) {
	return readIDXFile(path, nil)
}

// idxSink receives an IDX stream's data: it is called once with the dimensions,
// the data length n and a safe initial capacity (n unless n may be a lie), and
// returns the function that consumes the data chunk by chunk, in order.
type idxSink func(dims []int, n int64, capHint int) func(chunk []byte)

func readIDXFile(path string, sink idxSink) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	dims, err := readIDX(f, size, sink)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", path, err)
	}
	return dims, nil
}

// maxDeflateRatio bounds the expansion of DEFLATE (at most 258 bytes per 2 bits of
// input, about 1032:1), used to size buffers for gzip files whose header may lie.
const maxDeflateRatio = 1100

// readIDX decodes an IDX stream and feeds its data to sink (nil: header only).
// size is the byte length of r when known (a regular file), else -1.
func readIDX(r io.Reader, size int64, sink idxSink) ([]int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var in io.Reader = br
	gz := false
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == gzipMagic0 && m[1] == gzipMagic1 {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("corrupt gzip stream: %w", err)
		}
		defer zr.Close()
		in, gz = zr, true
	}
	fail := func(what string, err error) error {
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("truncated %s", what)
		case gz:
			return fmt.Errorf("corrupt gzip stream in the %s: %w", what, err)
		default:
			return fmt.Errorf("reading the %s: %w", what, err)
		}
	}
	var magic [4]byte
	if n, err := io.ReadFull(in, magic[:]); err != nil {
		if n == 0 && err == io.EOF {
			return nil, errors.New("empty file, not an IDX file")
		}
		return nil, fail("header", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("bad magic 0x%08x, not an IDX file (want 0x00000803 for images or 0x00000801 for labels)", binary.BigEndian.Uint32(magic[:]))
	}
	if magic[2] != idxUbyte {
		return nil, fmt.Errorf("IDX data type 0x%02x is not supported (want 0x08, unsigned byte)", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 || nd > idxMaxDims {
		return nil, fmt.Errorf("IDX header declares %d dimensions (want 1 to %d)", nd, idxMaxDims)
	}
	hb := make([]byte, 4*nd)
	if _, err := io.ReadFull(in, hb); err != nil {
		return nil, fail("header", err)
	}
	dims := make([]int, nd)
	n := int64(1)
	const maxData = math.MaxInt32 * int64(1<<16)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(hb[4*i:]))
		// Check before multiplying, so that the product cannot overflow.
		if d := int64(dims[i]); d > 0 && n > maxData/d {
			return nil, fmt.Errorf("dimensions %s are too large", fmtDims(dims[:i+1]))
		}
		n *= int64(dims[i])
	}
	capHint := min(n, idxChunkBytes)
	switch header := int64(4 + 4*nd); {
	case size >= 0 && !gz:
		switch have := size - header; {
		case have < n:
			return nil, fmt.Errorf("truncated: dimensions %s need %d bytes of data, file has %d", fmtDims(dims), n, have)
		case have > n:
			return nil, fmt.Errorf("%d unexpected bytes after the data of dimensions %s", have-n, fmtDims(dims))
		}
		capHint = n
	case size >= 0 && gz:
		capHint = min(n, maxDeflateRatio*size)
	}
	if sink == nil {
		return dims, nil
	}
	consume := sink(dims, n, int(capHint))
	got, err := streamData(in, n, consume)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated: dimensions %s need %d bytes of data, got %d", fmtDims(dims), n, got)
		}
		return nil, fail("data", err)
	}
	// Read to the end: for gzip this verifies the checksum.
	extra, err := io.Copy(io.Discard, in)
	if err != nil {
		return nil, fail("data", err)
	}
	if extra > 0 {
		return nil, fmt.Errorf("%d unexpected bytes after the data of dimensions %s", extra, fmtDims(dims))
	}
	return dims, nil
}

// streamData reads n bytes from in, handing them to consume in order in chunks of
// at most 1 MiB. Reading (for gzip, inflating) runs in its own goroutine so that it
// overlaps the consumer's work; it returns the number of bytes consumed and the
// first read error.
func streamData(in io.Reader, n int64, consume func([]byte)) (int64, error) {
	const chunk, nbuf = 1 << 20, 3
	type msg struct {
		b   []byte
		err error
	}
	free := make(chan []byte, nbuf)
	for range nbuf {
		free <- make([]byte, min(n, chunk))
	}
	full := make(chan msg, nbuf)
	go func() {
		defer close(full)
		for left := n; left > 0; {
			b := <-free
			k, err := io.ReadFull(in, b[:min(left, int64(len(b)))])
			full <- msg{b[:k], err}
			if err != nil {
				return
			}
			left -= int64(k)
		}
	}()
	var got int64
	for m := range full {
		if len(m.b) > 0 {
			consume(m.b)
			got += int64(len(m.b))
		}
		if m.err != nil {
			return got, m.err
		}
		free <- m.b[:cap(m.b)]
	}
	return got, nil
}

func fmtDims(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = fmt.Sprint(d)
	}
	return strings.Join(s, "×")
}

// WriteIDX writes dims and data as an uncompressed IDX file of unsigned bytes.
func WriteIDX(w io.Writer, dims []int, data []byte) error {
	if err := checkIDX(dims, data); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	hdr := []byte{0, 0, idxUbyte, byte(len(dims))}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	return nil
}

// WriteIDXFile writes an IDX file atomically, gzip-compressed if gzipped is set.
func WriteIDXFile(path string, dims []int, data []byte, gzipped bool) error {
	if err := checkIDX(dims, data); err != nil {
		return fmt.Errorf("datasets: %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		if !gzipped {
			return WriteIDX(w, dims, data)
		}
		zw := gzip.NewWriter(w)
		if err := WriteIDX(zw, dims, data); err != nil {
			return err
		}
		return zw.Close()
	})
}

func checkIDX(dims []int, data []byte) error {
	if len(dims) == 0 || len(dims) > idxMaxDims {
		return fmt.Errorf("IDX needs 1 to %d dimensions, got %d", idxMaxDims, len(dims))
	}
	n := 1
	for _, d := range dims {
		if d < 0 || d > math.MaxUint32 {
			return fmt.Errorf("IDX dimension %d out of range", d)
		}
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("dimensions %s hold %d bytes, data has %d", fmtDims(dims), n, len(data))
	}
	return nil
}

// LoadIDXSplit reads an images file (IDX, dims N×rows×cols) and a labels file (IDX,
// dims N) into a Split with values scaled to [0, 1]. If classes > 0, every label must
// be below it. Errors name the file at fault.
func LoadIDXSplit(imagesPath, labelsPath string, classes int) (Split, Shape, error) {
	type result struct {
		x   *IDX
		err error
	}
	lab := make(chan result, 1)
	go func() { // the labels file is small; read it beside the images
		x, err := ReadIDXFile(labelsPath)
		lab <- result{x, err}
	}()
	// Decode the image bytes straight to float32 as they are inflated.
	var x []float32
	dims, err := readIDXFile(imagesPath, func(dims []int, n int64, capHint int) func([]byte) {
		x = make([]float32, 0, capHint)
		return func(chunk []byte) {
			x = slices.Grow(x, len(chunk))
			bytesToFloats(x[len(x):len(x)+len(chunk)], chunk)
			x = x[:len(x)+len(chunk)]
		}
	})
	labels := <-lab
	if err != nil {
		return Split{}, Shape{}, err
	}
	if labels.err != nil {
		return Split{}, Shape{}, labels.err
	}
	if len(dims) != 3 {
		return Split{}, Shape{}, fmt.Errorf("datasets: %s: images file has %d dimensions (%s), want 3 (N×rows×cols, magic 0x00000803)", imagesPath, len(dims), fmtDims(dims))
	}
	if ld := labels.x.Dims; len(ld) != 1 {
		return Split{}, Shape{}, fmt.Errorf("datasets: %s: labels file has %d dimensions (%s), want 1 (magic 0x00000801)", labelsPath, len(ld), fmtDims(ld))
	}
	n := dims[0]
	if labels.x.Dims[0] != n {
		return Split{}, Shape{}, fmt.Errorf("datasets: %s holds %d images but %s holds %d labels", imagesPath, n, labelsPath, labels.x.Dims[0])
	}
	shape := Shape{C: 1, H: dims[1], W: dims[2]}
	if shape.Dim() == 0 {
		return Split{}, Shape{}, fmt.Errorf("datasets: %s: images of %d×%d pixels", imagesPath, shape.H, shape.W)
	}
	s := Split{X: x, Y: make([]int, n), N: n, D: shape.Dim()}
	for i, y := range labels.x.Data {
		if classes > 0 && int(y) >= classes {
			return Split{}, Shape{}, fmt.Errorf("datasets: %s: label %d at index %d is outside [0, %d)", labelsPath, y, i, classes)
		}
		s.Y[i] = int(y)
	}
	return s, shape, nil
}

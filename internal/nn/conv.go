package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/tensor"

	"github.com/selabench/selabench/internal/gemm"
)

// Conv2d is a 2-D convolution over N×C×H×W inputs with F filters of size
// C×KH×KW, stride and zero padding, as torch.nn.Conv2d (weight F×C×KH×KW,
// bias F). It lowers the whole batch to one matrix product (im2col:
// Chellapilla et al., "High performance convolutional neural networks for
// document processing", 2006): the patches form a (C·KH·KW) × (N·OH·OW)
// matrix P, and Y = W·P is F × (N·OH·OW), copied plane by plane to
// N×F×OH×OW. Backward uses dW = dY·Pᵀ and dP = Wᵀ·dY, folded back to the
// input (col2im) channel by channel in a fixed order.
type Conv2d struct {
	In, Out                       int
	KH, KW, Stride, Pad           int
	Weight, Bias                  *Param
	h, w, oh, ow, n               int
	xShape                        tensor.Shape
	cols, ymat, dymat, dcols, dwt []float32
	y, dx                         *tensor.Dense
}

// NewConv2d returns a convolution with square k×k kernels, Kaiming-normal
// weights from r (fan-in C·k·k) and zero bias.
func NewConv2d(in, out, k, stride, pad int, r *rand.Rand) *Conv2d {
	if in <= 0 || out <= 0 || k <= 0 || stride <= 0 || pad < 0 {
		panic(fmt.Sprintf("nn: Conv2d(%d, %d, k=%d, stride=%d, pad=%d): bad sizes", in, out, k, stride, pad))
	}
	c := &Conv2d{In: in, Out: out, KH: k, KW: k, Stride: stride, Pad: pad,
		Weight: newParam("weight", out, in, k, k), Bias: newParam("bias", out)}
	KaimingNormal(Data(c.Weight.W), in*k*k, r)
	return c
}

func (c *Conv2d) String() string {
	return fmt.Sprintf("Conv2d(%d, %d, k=%d, stride=%d, pad=%d)", c.In, c.Out, c.KH, c.Stride, c.Pad)
}

// Params returns the weight and bias.
func (c *Conv2d) Params() []*Param { return []*Param{c.Weight, c.Bias} }

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Forward convolves x (N×C×H×W).
func (c *Conv2d) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	sh := x.Shape()
	if len(sh) != 4 || sh[1] != c.In {
		panic(fmt.Sprintf("nn: %v: input shape %v", c, sh))
	}
	c.xShape = sh.Clone()
	c.n, c.h, c.w = sh[0], sh[2], sh[3]
	c.oh = (c.h+2*c.Pad-c.KH)/c.Stride + 1
	c.ow = (c.w+2*c.Pad-c.KW)/c.Stride + 1
	n, p := c.n, c.oh*c.ow
	kdim := c.In * c.KH * c.KW
	np := n * p
	c.cols = grow(c.cols, kdim*np)
	c.im2col(Data(x))
	c.ymat = grow(c.ymat, c.Out*np)
	gemm.Sgemm(blas.NoTrans, blas.NoTrans, c.Out, np, kdim, 1, Data(c.Weight.W), kdim, c.cols, np, 0, c.ymat, np)
	c.y = ensure(c.y, n, c.Out, c.oh, c.ow)
	y, b := Data(c.y), Data(c.Bias.W)
	parallelFor(n, c.Out*p, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for f := range c.Out {
				dst := y[(i*c.Out+f)*p : (i*c.Out+f+1)*p]
				src := c.ymat[f*np+i*p : f*np+(i+1)*p]
				scaleShift(dst, src, 1, b[f]) // v·1 + b is exactly v + b
			}
		}
	})
	return c.y
}

// im2col fills c.cols: row (ch, ki, kj), column (n, oh, ow) holds
// x[n, ch, oh·s−pad+ki, ow·s−pad+kj], zero outside the image.
func (c *Conv2d) im2col(x []float32) {
	kk := c.KH * c.KW
	np := c.n * c.oh * c.ow
	parallelFor(c.In*kk, np, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ch, ki, kj := r/kk, r%kk/c.KW, r%c.KW
			row := c.cols[r*np : (r+1)*np]
			for i := range c.n {
				plane := x[(i*c.In+ch)*c.h*c.w : (i*c.In+ch+1)*c.h*c.w]
				out := row[i*c.oh*c.ow : (i+1)*c.oh*c.ow]
				if c.Stride == 1 && c.ow == c.w && c.oh == c.h {
					shiftPlane(out, plane, c.w, c.h, ki-c.Pad, kj-c.Pad)
					continue
				}
				for oy := range c.oh {
					iy := oy*c.Stride - c.Pad + ki
					o := out[oy*c.ow : (oy+1)*c.ow]
					if iy < 0 || iy >= c.h {
						clear(o)
						continue
					}
					src := plane[iy*c.w : (iy+1)*c.w]
					if c.Stride == 1 {
						// ix = ox − pad + kj: copy the valid run, zero the rest.
						x0 := max(0, c.Pad-kj)        // first valid ox
						x1 := min(c.ow, c.w+c.Pad-kj) // one past the last
						clear(o[:x0])
						if x1 > x0 {
							copy(o[x0:x1], src[x0-c.Pad+kj:x1-c.Pad+kj])
						}
						clear(o[max(x1, x0):])
						continue
					}
					for ox := range o {
						ix := ox*c.Stride - c.Pad + kj
						if ix >= 0 && ix < c.w {
							o[ox] = src[ix]
						} else {
							o[ox] = 0
						}
					}
				}
			}
		}
	})
}

// shiftPlane sets out[y*w+x] = plane[(y+dy)*w + x+dx], or 0 where that is
// outside the h×w plane: one im2col row of an image for a stride-1 convolution
// whose output has the input's size. The valid rows form one contiguous run of
// the flattened plane, copied at once; the entries that run wraps into from the
// neighbouring rows are then zeroed.
func shiftPlane(out, plane []float32, w, h, dy, dx int) {
	y0, y1 := max(0, -dy), min(h, h-dy)
	x0, x1 := max(0, -dx), min(w, w-dx)
	if y1 <= y0 || x1 <= x0 {
		clear(out[:h*w])
		return
	}
	clear(out[:y0*w])
	clear(out[y1*w : h*w])
	delta := dy*w + dx
	a, b := y0*w+x0, (y1-1)*w+x1
	copy(out[a:b], plane[a+delta:b+delta])
	for y := y0; y < y1; y++ {
		o := out[y*w : (y+1)*w]
		for x := range x0 {
			o[x] = 0
		}
		for x := x1; x < w; x++ {
			o[x] = 0
		}
	}
}

// Backward sets dW, db and returns dx.
func (c *Conv2d) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	n, p := c.n, c.oh*c.ow
	np := n * p
	kdim := c.In * c.KH * c.KW
	c.dymat = grow(c.dymat, c.Out*np)
	g := Data(dy)
	parallelFor(n, c.Out*p, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for f := range c.Out {
				copy(c.dymat[f*np+i*p:f*np+(i+1)*p], g[(i*c.Out+f)*p:(i*c.Out+f+1)*p])
			}
		}
	})
	db := Data(c.Bias.G)
	parallelFor(c.Out, np, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			db[f] = float32(sum4(c.dymat[f*np : (f+1)*np]))
		}
	})
	// dWᵀ = P·dYᵀ (kdim×F), then transposed into dW.
	c.dwt = grow(c.dwt, kdim*c.Out)
	gemm.Sgemm(blas.NoTrans, blas.Trans, kdim, c.Out, np, 1, c.cols, np, c.dymat, np, 0, c.dwt, c.Out)
	dw := Data(c.Weight.G)
	for r := range kdim {
		for f, v := range c.dwt[r*c.Out : (r+1)*c.Out] {
			dw[f*kdim+r] = v
		}
	}
	if !needInput {
		return nil
	}
	c.dcols = grow(c.dcols, kdim*np)
	gemm.Sgemm(blas.Trans, blas.NoTrans, kdim, np, c.Out, 1, Data(c.Weight.W), kdim, c.dymat, np, 0, c.dcols, np)
	c.dx = ensure(c.dx, c.xShape...)
	c.col2im(Data(c.dx))
	return c.dx
}

// col2im sets dx to the sum of every patch gradient in c.dcols over the
// input positions it came from; each input channel is summed by one
// goroutine in (ki, kj) order.
func (c *Conv2d) col2im(dx []float32) {
	kk := c.KH * c.KW
	np := c.n * c.oh * c.ow
	hw := c.h * c.w
	parallelFor(c.In, kk*np, func(lo, hi int) {
		// Image by image, so that a plane stays in cache while its kk rows
		// are added in order.
		for ch := lo; ch < hi; ch++ {
			for i := range c.n {
				plane := dx[(i*c.In+ch)*hw : (i*c.In+ch+1)*hw]
				clear(plane)
				for k := range kk {
					ki, kj := k/c.KW, k%c.KW
					row := c.dcols[(ch*kk+k)*np : (ch*kk+k+1)*np]
					src := row[i*c.oh*c.ow : (i+1)*c.oh*c.ow]
					for oy := range c.oh {
						iy := oy*c.Stride - c.Pad + ki
						if iy < 0 || iy >= c.h {
							continue
						}
						dst := plane[iy*c.w : (iy+1)*c.w]
						s := src[oy*c.ow : (oy+1)*c.ow]
						if c.Stride == 1 { // ix = ox − pad + kj on a contiguous run
							x0, x1 := max(0, c.Pad-kj), min(c.ow, c.w+c.Pad-kj)
							if x1 > x0 {
								src := s[x0:x1]
								d := dst[x0-c.Pad+kj:][:len(src)] // same length: no bounds checks
								for k, v := range src {
									d[k] += v
								}
							}
							continue
						}
						for ox, v := range s {
							ix := ox*c.Stride - c.Pad + kj
							if ix >= 0 && ix < c.w {
								dst[ix] += v
							}
						}
					}
				}
			}
		}
	})
}

// MaxPool2d takes the maximum over K×K windows with stride Stride (no
// padding, floor mode), as torch.nn.MaxPool2d(K, Stride). Ties go to the
// first maximum in row-major window order.
type MaxPool2d struct {
	K, Stride int
	xShape    tensor.Shape
	arg       []int32
	y, dx     *tensor.Dense
}

// NewMaxPool2d returns a k×k max-pool with stride k.
func NewMaxPool2d(k int) *MaxPool2d {
	if k <= 0 {
		panic(fmt.Sprintf("nn: MaxPool2d(%d): size must be positive", k))
	}
	return &MaxPool2d{K: k, Stride: k}
}

func (m *MaxPool2d) String() string { return fmt.Sprintf("MaxPool2d(%d, stride=%d)", m.K, m.Stride) }

// Params returns nil: pooling has no parameters.
func (*MaxPool2d) Params() []*Param { return nil }

// Forward pools x (N×C×H×W).
func (m *MaxPool2d) Forward(x *tensor.Dense, train bool) *tensor.Dense {
	sh := x.Shape()
	if len(sh) != 4 {
		panic(fmt.Sprintf("nn: %v: input shape %v", m, sh))
	}
	m.xShape = sh.Clone()
	n, c, h, w := sh[0], sh[1], sh[2], sh[3]
	oh, ow := (h-m.K)/m.Stride+1, (w-m.K)/m.Stride+1
	m.y = ensure(m.y, n, c, oh, ow)
	xs, y := Data(x), Data(m.y)
	if !train && m.K == 2 && m.Stride == 2 {
		// No backward pass follows: the maxima without their positions.
		m.arg = m.arg[:0]
		parallelFor(n*c, h*w, func(lo, hi int) {
			for pl := lo; pl < hi; pl++ {
				pool2Max(y[pl*oh*ow:(pl+1)*oh*ow], xs[pl*h*w:(pl+1)*h*w], w, oh, ow)
			}
		})
		return m.y
	}
	if cap(m.arg) < n*c*oh*ow {
		m.arg = make([]int32, n*c*oh*ow)
	}
	m.arg = m.arg[:n*c*oh*ow]
	parallelFor(n*c, h*w, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			in := xs[pl*h*w : (pl+1)*h*w]
			out, arg := y[pl*oh*ow:(pl+1)*oh*ow], m.arg[pl*oh*ow:(pl+1)*oh*ow]
			if m.K == 2 && m.Stride == 2 {
				pool2(out, arg, in, w, oh, ow)
				continue
			}
			for oy := range oh {
				for ox := range ow {
					best, bi := float32(math.Inf(-1)), -1
					for ki := range m.K {
						r := (oy*m.Stride + ki) * w
						for kj := range m.K {
							idx := r + ox*m.Stride + kj
							if v := in[idx]; v > best || bi < 0 {
								best, bi = v, idx
							}
						}
					}
					out[oy*ow+ox] = best
					arg[oy*ow+ox] = int32(bi)
				}
			}
		}
	})
	return m.y
}

// pool2 is the 2×2, stride-2 case of MaxPool2d.Forward for one plane. It
// compares order-preserving integer keys of the floats ([floatKey]) so that
// the compiler emits conditional moves instead of unpredictable branches
// (5× faster). Ties go to the first maximum in window order, as PyTorch;
// unlike a float comparison the keys order −0 below +0.
func pool2(out []float32, arg []int32, in []float32, w, oh, ow int) {
	for oy := range oh {
		r0 := in[2*oy*w : 2*oy*w+2*ow]
		r1 := in[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		o, a2 := out[oy*ow:(oy+1)*ow], arg[oy*ow:(oy+1)*ow]
		base := int32(2 * oy * w)
		for ox := range o {
			a, b := floatKey(r0[2*ox]), floatKey(r0[2*ox+1])
			c, d := floatKey(r1[2*ox]), floatKey(r1[2*ox+1])
			m01, i01 := a, int32(0)
			if b > a {
				m01, i01 = b, 1
			}
			m23, i23 := c, int32(w)
			if d > c {
				m23, i23 = d, int32(w+1)
			}
			best, bi := m01, i01
			if m23 > m01 {
				best, bi = m23, i23
			}
			o[ox], a2[ox] = keyFloat(best), base+int32(2*ox)+bi
		}
	}
}

// pool2Max is pool2 without the positions: each output is the window's
// largest key, which does not depend on the order of the comparisons, so the
// values are pool2's.
func pool2Max(out, in []float32, w, oh, ow int) {
	for oy := range oh {
		r0 := in[2*oy*w : 2*oy*w+2*ow]
		r1 := in[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		o := out[oy*ow : (oy+1)*ow]
		for ox := pool2MaxRow(o, r0, r1); ox < len(o); ox++ {
			a := max(floatKey(r0[2*ox]), floatKey(r0[2*ox+1]))
			b := max(floatKey(r1[2*ox]), floatKey(r1[2*ox+1]))
			o[ox] = keyFloat(max(a, b))
		}
	}
}

// unpool2 writes the gradient of one plane for 2×2, stride-2 pooling whose
// windows cover the whole w-wide plane: each window gets its output
// gradient at the recorded maximum and zeros elsewhere.
func unpool2(d, g []float32, arg []int32, w int) {
	ow := w / 2
	for oy := range len(g) / ow {
		r0, r1 := d[2*oy*w:(2*oy+1)*w], d[(2*oy+1)*w:(2*oy+2)*w]
		clear(r0)
		clear(r1)
		for o, v := range g[oy*ow : (oy+1)*ow] {
			d[arg[oy*ow+o]] = v
		}
	}
}

// floatKey maps a float32 to an int32 with the same order (for non-NaN
// values): non-negative floats keep their bits, negative ones get their
// magnitude bits flipped.
func floatKey(f float32) int32 {
	b := int32(math.Float32bits(f))
	return b ^ (b >> 31 & 0x7fffffff)
}

// keyFloat inverts floatKey.
func keyFloat(k int32) float32 {
	return math.Float32frombits(uint32(k ^ (k >> 31 & 0x7fffffff)))
}

// Backward routes each output gradient to its window's maximum.
func (m *MaxPool2d) Backward(dy *tensor.Dense, needInput bool) *tensor.Dense {
	if !needInput {
		return nil
	}
	m.dx = ensure(m.dx, m.xShape...)
	dx, g := Data(m.dx), Data(dy)
	if len(m.arg) != len(g) {
		panic(fmt.Sprintf("nn: %v: Backward without a training-mode Forward of this shape", m))
	}
	hw := m.xShape[2] * m.xShape[3]
	per := len(g) / (m.xShape[0] * m.xShape[1])
	parallelFor(m.xShape[0]*m.xShape[1], hw, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			d := dx[pl*hw : (pl+1)*hw]
			if m.K == 2 && m.Stride == 2 && m.xShape[2]%2 == 0 && m.xShape[3]%2 == 0 {
				// Windows tile the plane: write every value once, no clear.
				unpool2(d, g[pl*per:(pl+1)*per], m.arg[pl*per:(pl+1)*per], m.xShape[3])
				continue
			}
			clear(d)
			for o := pl * per; o < (pl+1)*per; o++ {
				d[m.arg[o]] += g[o]
			}
		}
	})
	return m.dx
}

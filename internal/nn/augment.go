package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// AugmentOptions selects the image augmentations; the zero value does
// nothing. They are applied in the order of the fields.
type AugmentOptions struct {
	// Pad > 0 enables a random translation: the image is padded with Pad
	// zeros on every side and a random H×W window is cut out
	// (torchvision RandomCrop(size, padding=Pad)), so each axis shifts by a
	// uniform integer in [−Pad, Pad].
	Pad int
	// Flip mirrors the image left–right with probability 1/2
	// (RandomHorizontalFlip); leave it off for digits.
	Flip bool
	// Rotate (degrees) and Scale (a fraction) enable a small affine jitter
	// about the image centre: angle uniform in [−Rotate, Rotate], zoom uniform
	// in [1−Scale, 1+Scale], bilinear sampling, zeros outside the image.
	Rotate, Scale float64
	// Noise > 0 adds N(0, Noise²) to every value, clamped to [0, 1].
	Noise float64
}

// Augmenter applies random augmentations to batches of C×H×W images stored
// CHW, one sample per row, deterministically: the result depends only on the
// input and the random stream given to Apply (not on GOMAXPROCS).
type Augmenter struct {
	C, H, W int
	Opt     AugmentOptions
}

// NewAugmenter checks the options against the image shape.
func NewAugmenter(c, h, w int, opt AugmentOptions) (*Augmenter, error) {
	switch {
	case c <= 0 || h <= 0 || w <= 0:
		return nil, fmt.Errorf("nn: augment: bad image shape %d×%d×%d", c, h, w)
	case opt.Pad < 0 || opt.Pad >= max(h, w):
		return nil, fmt.Errorf("nn: augment: Pad %d for %d×%d images", opt.Pad, h, w)
	case !(opt.Rotate >= 0 && opt.Rotate <= 180):
		return nil, fmt.Errorf("nn: augment: Rotate %v is outside [0, 180] degrees", opt.Rotate)
	case !(opt.Scale >= 0 && opt.Scale < 1):
		return nil, fmt.Errorf("nn: augment: Scale %v is outside [0, 1)", opt.Scale)
	case !(opt.Noise >= 0) || math.IsInf(opt.Noise, 0):
		return nil, fmt.Errorf("nn: augment: Noise %v", opt.Noise)
	}
	return &Augmenter{C: c, H: h, W: w, Opt: opt}, nil
}

// Apply writes augmented copies of the n images in src to dst (both
// n·C·H·W values; they must not overlap). Each sample draws its own stream
// from r, in sample order, so samples can be processed in parallel.
func (a *Augmenter) Apply(dst, src []float32, r *rand.Rand) {
	d := a.C * a.H * a.W
	if len(dst) != len(src) || len(src)%d != 0 {
		panic(fmt.Sprintf("nn: augment: %d and %d values for %d×%d×%d images", len(dst), len(src), a.C, a.H, a.W))
	}
	n := len(src) / d
	seeds := make([][2]uint64, n)
	for i := range seeds {
		seeds[i] = [2]uint64{r.Uint64(), r.Uint64()}
	}
	parallelFor(n, 4*d, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ri := rand.New(rand.NewPCG(seeds[i][0], seeds[i][1]))
			a.one(dst[i*d:(i+1)*d], src[i*d:(i+1)*d], ri)
		}
	})
}

// one augments a single image.
func (a *Augmenter) one(dst, src []float32, r *rand.Rand) {
	o := a.Opt
	var tx, ty int
	if o.Pad > 0 {
		// Crop offset in the padded image: output (y, x) reads input
		// (y + oy − Pad, x + ox − Pad).
		ty, tx = r.IntN(2*o.Pad+1)-o.Pad, r.IntN(2*o.Pad+1)-o.Pad
	}
	flip := o.Flip && r.IntN(2) == 1
	theta, zoom := 0.0, 1.0
	if o.Rotate > 0 {
		theta = (2*r.Float64() - 1) * o.Rotate * math.Pi / 180
	}
	if o.Scale > 0 {
		zoom = 1 + (2*r.Float64()-1)*o.Scale
	}
	hw := a.H * a.W
	if theta == 0 && zoom == 1 {
		for c := range a.C {
			in, out := src[c*hw:(c+1)*hw], dst[c*hw:(c+1)*hw]
			for y := range a.H {
				sy := y + ty
				for x := range a.W {
					xx := x
					if flip {
						xx = a.W - 1 - x
					}
					sx := xx + tx
					if sy < 0 || sy >= a.H || sx < 0 || sx >= a.W {
						out[y*a.W+x] = 0
					} else {
						out[y*a.W+x] = in[sy*a.W+sx]
					}
				}
			}
		}
	} else {
		// Output pixel p maps back to the source point
		// R(−θ)·(p' − centre)/zoom + centre + t, with p' the (flipped) pixel.
		cy, cx := float64(a.H-1)/2, float64(a.W-1)/2
		cos, sin := math.Cos(theta)/zoom, math.Sin(theta)/zoom
		for y := range a.H {
			for x := range a.W {
				xx := x
				if flip {
					xx = a.W - 1 - x
				}
				u, v := float64(xx)-cx, float64(y)-cy
				sx := cos*u + sin*v + cx + float64(tx)
				sy := -sin*u + cos*v + cy + float64(ty)
				x0, y0 := math.Floor(sx), math.Floor(sy)
				fx, fy := float32(sx-x0), float32(sy-y0)
				ix, iy := int(x0), int(y0)
				for c := range a.C {
					in := src[c*hw : (c+1)*hw]
					at := func(yy, xx int) float32 {
						if yy < 0 || yy >= a.H || xx < 0 || xx >= a.W {
							return 0
						}
						return in[yy*a.W+xx]
					}
					top := at(iy, ix)*(1-fx) + at(iy, ix+1)*fx
					bot := at(iy+1, ix)*(1-fx) + at(iy+1, ix+1)*fx
					dst[c*hw+y*a.W+x] = top*(1-fy) + bot*fy
				}
			}
		}
	}
	if o.Noise > 0 {
		for i, v := range dst {
			dst[i] = min(max(v+float32(r.NormFloat64()*o.Noise), 0), 1)
		}
	}
}

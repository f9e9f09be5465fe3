package bench

import (
	"errors"
	"fmt"
	"strings"

	sela "github.com/selabench/selabench/selA"
)

// MethodSeLa names SeLa: Sinkhorn-Knopp labels (package selA).
const MethodSeLa = "sela"

func init() {
	RegisterMethod(Method{
		Name:        MethodSeLa,
		Description: "SeLa: labels from Sinkhorn-Knopp on P^λ with the equipartition constraint (λ = 25), several heads",
		Needs:       Needs{LogProbs: true},
		NewLabeler: func(c *Config, heads int) (Labeler, error) {
			return &selaLabeler{opt: sela.Options{Lambda: c.Lambda}, ws: make([]sela.Workspace, heads)}, nil
		},
	})
}

// selaLabeler solves SeLa's transport problem with Sinkhorn-Knopp (selA) for every
// head, with the official stopping rule.
type selaLabeler struct {
	opt sela.Options
	ws  []sela.Workspace
}

func (s *selaLabeler) Label(in *LabelInput) ([][]int, []LabelStats, error) {
	return eachHead(in, func(h, k int, lp []float32) ([]int, LabelStats, error) {
		res, err := s.ws[h].Solve(lp, in.N, k, s.opt)
		fallback := ""
		if errors.Is(err, sela.ErrNumerical) {
			// The float32 kernel exp(λ(L − max L)) underflowed a whole column
			// (large λ on confident outputs): the log-domain solver handles it.
			opt := s.opt
			opt.Variant = sela.SinkhornLog
			res, err = s.ws[h].Solve(lp, in.N, k, opt)
			fallback = "the float32 kernel broke down; solved by sinkhorn-log"
		}
		if err != nil {
			return nil, LabelStats{}, fmt.Errorf("sela: head %d: %w", h, err)
		}
		st := SinkhornStats(res)
		if fallback != "" {
			st.Note = strings.TrimPrefix(st.Note+"; "+fallback, "; ")
		}
		return widen(res.Labels), st, nil
	})
}

func widen(x []int32) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = int(v)
	}
	return out
}

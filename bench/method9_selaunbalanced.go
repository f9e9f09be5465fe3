package bench

import sela "github.com/selabench/selabench/selA"

// MethodSeLaUnbalanced names SeLa with the equipartition relaxed: the cluster
// marginal is the penalty τ·KL(Qᵀ1 ‖ uniform) of unbalanced transport
// (selA's Options.Tau, τ = Config.Tau) instead of a hard constraint, so that
// clusters can follow long-tailed classes without reading any label.
const MethodSeLaUnbalanced = "sela-unbalanced"

func init() {
	RegisterMethod(Method{
		Name:        MethodSeLaUnbalanced,
		Description: "SeLa with the equipartition relaxed to the penalty τ·KL(Qᵀ1 ‖ uniform) (unbalanced Sinkhorn; --tau, default 1, chosen on validation)",
		Needs:       Needs{LogProbs: true},
		Tau:         true,
		NewLabeler: func(c *Config, heads int) (Labeler, error) {
			return &selaLabeler{opt: sela.Options{Lambda: c.Lambda, Tau: c.Tau}, ws: make([]sela.Workspace, heads)}, nil
		},
	})
}

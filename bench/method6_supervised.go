package bench

// MethodSupervised names training on the true labels: the upper bound.
const MethodSupervised = "supervised"

func init() {
	RegisterMethod(Method{
		Name:          MethodSupervised,
		Description:   "the true labels: the upper bound",
		Heads:         func(*Config) int { return 1 },
		ClassHeads:    true,
		InitialLabels: func(_ *Config, truth []int, _, _ int) [][]int { return [][]int{truth} },
	})
}

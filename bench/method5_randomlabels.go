package bench

// MethodRandomLabels names training on one fixed random equipartition per head.
const MethodRandomLabels = "random-labels"

func init() {
	// No labeler: the initial random equipartitions are never relabelled.
	RegisterMethod(Method{Name: MethodRandomLabels, Description: "fixed random labels"})
}

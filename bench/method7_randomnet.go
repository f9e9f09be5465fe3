package bench

// MethodRandomNet names the untrained network's features: no training.
const MethodRandomNet = "random-net"

func init() {
	RegisterMethod(Method{Name: MethodRandomNet, Description: "the untrained network's features", Untrained: true})
}

package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/selabench/selabench/internal/nn"
)

// builtinMethods are the methods this package registers, in order.
var builtinMethods = []string{MethodSeLa, MethodSeLaExact, MethodDeepCluster, MethodNaive,
	MethodRandomLabels, MethodSupervised, MethodRandomNet, MethodKMeansPixels,
	MethodSeLaPrior, MethodSeLaUnbalanced, MethodSwAV}

// TestBuiltinMethods: the built-in methods register in the comparison table's
// order (reports sort rows by it), each once, with a description.
func TestBuiltinMethods(t *testing.T) {
	want := builtinMethods
	if len(Methods) < len(want) || !slices.Equal(Methods[:len(want)], want) {
		t.Fatalf("Methods = %v, want %v first", Methods, want)
	}
	ms := RegisteredMethods()
	if len(ms) != len(Methods) {
		t.Fatalf("%d registered methods, %d names", len(ms), len(Methods))
	}
	for i, m := range ms {
		if m.Name != Methods[i] || m.Description == "" || strings.Contains(m.Description, "\n") {
			t.Errorf("method %d: %q, description %q", i, m.Name, m.Description)
		}
		if m.NewLabeler != nil && m.Needs == (Needs{}) {
			t.Errorf("%s: a labeler that needs no input", m.Name)
		}
	}
}

func TestLookupMethod(t *testing.T) {
	m, err := LookupMethod(MethodDeepCluster)
	if err != nil || m.Name != MethodDeepCluster || !m.FreshHeads || m.heads(&Config{Heads: 5}) != 1 {
		t.Errorf("deepcluster: %+v, %v", m, err)
	}
	_, err = LookupMethod("byol")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `unknown method "byol" (valid: `+strings.Join(Methods, ", ")+")") {
		t.Errorf("unknown method: %v", err)
	}
}

// TestRegisterMethodPanics: an empty or taken name panics and leaves the
// registry as it was.
func TestRegisterMethodPanics(t *testing.T) {
	before := slices.Clone(Methods)
	for _, test := range []struct {
		m    Method
		want string
	}{
		{Method{Description: "x"}, "empty method name"},
		{Method{Name: MethodSeLa, Description: "x"}, `method "sela" registered twice`},
		{Method{Name: "online-no-loss", Online: &Online{Views: 2}}, "an Online method needs a Loss"},
		{Method{Name: "online-labeler", Online: &Online{Views: 2, Loss: swavLoss},
			NewLabeler: func(*Config, int) (Labeler, error) { return nil, nil }}, "and no NewLabeler"},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, test.want) {
					t.Errorf("RegisterMethod(%+v) panicked with %q, want %q", test.m, r, test.want)
				}
			}()
			RegisterMethod(test.m)
		}()
	}
	if m, _ := LookupMethod(MethodSeLa); !slices.Equal(Methods, before) || m.Description == "x" {
		t.Errorf("Methods changed to %v", Methods)
	}
}

// TestResetHeadMisuse: a method without FreshHeads that re-initialises a head in
// BeginEpoch gets an error, not a head trained by two optimisers.
func TestResetHeadMisuse(t *testing.T) {
	ht := &headTrainer{}
	ht.ResetHead(0, nil)
	if ht.err == nil || !strings.Contains(ht.err.Error(), "without FreshHeads") {
		t.Errorf("ResetHead without FreshHeads: %v", ht.err)
	}
	ht = &headTrainer{opts: make([]*nn.SGD, 1)}
	ht.ResetHead(1, nil)
	ht.ResetHead(-1, nil)
	if ht.err == nil || ht.err.Error() != "ResetHead(1): the method trains 1 heads" {
		t.Errorf("ResetHead of a head out of range: %v", ht.err)
	}
}

package hugemem

import "testing"

func TestZeroedAndSized(t *testing.T) {
	for _, n := range []int{0, 1, 1000, 3 << 20} {
		a, b := Float32s(n), Float64s(n)
		if len(a) != n || len(b) != n {
			t.Fatalf("n=%d: lengths %d, %d", n, len(a), len(b))
		}
		for i := range a {
			if a[i] != 0 || b[i] != 0 {
				t.Fatalf("n=%d: value %d not zero", n, i)
			}
		}
	}
}

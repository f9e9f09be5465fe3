package datasets

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSplitHelpers(t *testing.T) {
	s := Split{X: []float32{0, 0.1, 0.2, 0.3, 0.4, 0.5}, Y: []int{2, 0, 2}, N: 3, D: 2}
	if got := s.Row(1); !reflect.DeepEqual(got, []float32{0.2, 0.3}) || cap(got) != 2 {
		t.Errorf("Row(1) = %v cap %d", got, cap(got))
	}
	sel := s.Select([]int{2, 0, 2})
	want := Split{X: []float32{0.4, 0.5, 0, 0.1, 0.4, 0.5}, Y: []int{2, 2, 2}, N: 3, D: 2}
	if !reflect.DeepEqual(sel, want) {
		t.Errorf("Select = %+v", sel)
	}
	sel.X[0] = 1
	if s.X[4] != 0.4 {
		t.Error("Select shares memory")
	}
	if got := s.ClassCounts(2); !reflect.DeepEqual(got, []int{1, 0, 2}) {
		t.Errorf("ClassCounts(2) = %v, want it extended to label 2", got)
	}
	neg := Split{Y: []int{-1, 1}}
	if got := neg.ClassCounts(3); !reflect.DeepEqual(got, []int{0, 1, 0}) {
		t.Errorf("ClassCounts with a negative label = %v", got)
	}
	if (Shape{3, 32, 32}).Dim() != 3072 || (Shape{3, 32, 32}).String() != "3×32×32" {
		t.Error("Shape helpers")
	}
}

func TestValidate(t *testing.T) {
	good := func() *Dataset { return blocky([]int{2, 1}) }
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		name   string
		break_ func(d *Dataset)
		want   string
	}{
		{"shape", func(d *Dataset) { d.Shape.C = 0 }, "bad shape"},
		{"classes", func(d *Dataset) { d.Classes = nil }, "no classes"},
		{"D", func(d *Dataset) { d.Train.D = 2 }, "train D = 2, shape 1×1×1 has 1 values"},
		{"N", func(d *Dataset) { d.Test.N = 2 }, "test has N = 2, D = 1 but 1 values and 1 labels"},
		{"label", func(d *Dataset) { d.Train.Y[2] = 2 }, "train label 2 at row 2 is outside [0, 2)"},
		{"negative label", func(d *Dataset) { d.Test.Y[0] = -1 }, "test label -1 at row 0"},
		{"value", func(d *Dataset) { d.Train.X[1] = 1.5 }, "train value 1.5 at row 1, column 0 is outside [0, 1]"},
		{"NaN", func(d *Dataset) { d.Test.X[0] = float32(math.NaN()) }, "test value NaN"},
	} {
		d := good()
		test.break_(d)
		if err := d.Validate(); err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: %v, want %q", test.name, err, test.want)
		}
	}
}

package bench

import (
	"math"
	"testing"

	sela "github.com/selabench/selabench/selA"
)

// TestSwAVLoss compares the loss and its gradient with the official SwAV loss
// under PyTorch autograd, printed by testdata/swav_loss.py.
func TestSwAVLoss(t *testing.T) {
	const b, k, heads = 4, 3, 2
	wantLoss := 3.774940780200905
	wantGrad := [][]float64{
		{-0.06622150732697345, -0.08363730629483684, 0.14985881362181033, 0.17625812806193233, 0.3911621554775431, -0.5674202835394754, 0.6109503370215532, -0.3918079539653883, -0.21914238305616487, 0.19602088481641916, -0.19688669236232312, 0.0008658075459039806, 0.04190774791800984, 0.03790221928623593, -0.07980996720424571, -0.03943632865070206, -0.5677636889697946, 0.6072000176204967, -0.6219296988337709, 0.10034731147337266, 0.5215823873603983, -0.2142162065887128, 0.20588933428005735, 0.008326872308655427},
		{0.6142184925684502, -0.13864391723454997, -0.4755745753339003, 0.4969497330874265, -0.49849120800799457, 0.0015414749205681262, -0.6032865010514474, 0.025983451125859477, 0.577303049925588, -0.5601451825543619, -0.05172449945653605, 0.611869682010898, -0.34488881584719117, -0.1309582416780051, 0.4758470575251962, 0.13547768677709682, -0.13976060594232675, 0.0042829191652298875, 0.6187342742960776, -0.16347630838964264, -0.45525796590643514, 0.5791955918986227, 0.01893449112114041, -0.5981300830197631},
	}
	scores := make([][]float32, heads)
	grad := make([][]float32, heads)
	labels := make([][]int, heads)
	for h := range heads {
		scores[h] = make([]float32, 2*b*k)
		grad[h] = make([]float32, 2*b*k)
		labels[h] = make([]int, b)
		for i := range 2 * b {
			for y := range k {
				scores[h][i*k+y] = float32(0.8 * math.Sin(1.1*float64(i)+0.6*float64(y)+2.3*float64(h)))
			}
		}
	}
	loss, err := swavLoss(scores, grad, b, []int{k, k}, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-wantLoss) > 1e-9*wantLoss {
		t.Errorf("loss %v, want %v", loss, wantLoss)
	}
	for h := range heads {
		for i, g := range grad[h] {
			if math.Abs(float64(g)-wantGrad[h][i]) > 1e-6 {
				t.Errorf("head %d: gradient %d = %v, want %v", h, i, g, wantGrad[h][i])
			}
		}
	}
	// The labels are the argmax of the first view's codes.
	for h := range heads {
		q := make([]float64, b*k)
		if err := sela.OnlineCodes(q, scores[h][:b*k], b, k, swavEpsilon, swavIterations); err != nil {
			t.Fatal(err)
		}
		for i, l := range labels[h] {
			for y := range k {
				if q[i*k+y] > q[i*k+l] {
					t.Errorf("head %d sample %d: label %d, but code %d is larger (%v)", h, i, l, y, q[i*k:(i+1)*k])
				}
			}
		}
	}
}

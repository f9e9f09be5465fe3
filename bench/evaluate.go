package bench

import (
	"fmt"

	"github.com/selabench/selabench/bench/eval"
	"github.com/selabench/selabench/bench/metrics"
)

// Final holds a run's end-of-training scores on the evaluation split (test, or
// the validation part of train with Config.Validation). The top-level clustering
// scores are the best head's: the head whose predictions on the *training* split
// have the highest NMI to the training labels (ties: the lowest index), so that
// choosing it never reads the evaluation labels.
type Final struct {
	Split    string  `json:"split"`
	BestHead int     `json:"best_head"`
	NMI      float64 `json:"nmi"`
	ARI      float64 `json:"ari"`
	ACC      float64 `json:"acc"`
	// ManyToOne is the best head's many-to-one accuracy: each cluster predicts the
	// majority class of the training samples it holds (the fair score for K > classes).
	ManyToOne float64 `json:"m2o_acc"`
	// LinearProbe and KNN are the accuracies, in [0, 1], of a linear classifier and
	// of weighted kNN on the frozen trunk features (the raw samples for a method
	// without a network, see [Method.NoNetwork]).
	LinearProbe float64 `json:"linear_probe"`
	KNN         float64 `json:"knn"`
	// Degeneracy of the best head's predictions on the evaluation split.
	Clusters          int     `json:"clusters"`
	EffectiveClusters float64 `json:"effective_clusters"`
	LargestFraction   float64 `json:"largest_fraction"`
	// Sizes are the best head's cluster sizes on the evaluation split, by cluster
	// index (the data of the reports' cluster-size histograms).
	Sizes []int `json:"sizes"`
	// MeanHeads averages NMI, ARI, ACC and m2o_acc over the heads of K clusters (not the over-clustering ones).
	MeanHeads HeadMean `json:"mean_heads"`
	// Heads holds every head's scores.
	Heads []HeadScores `json:"heads"`
	// FeatureDim is the dimension the probes saw.
	FeatureDim int       `json:"feature_dim"`
	Probe      ProbeInfo `json:"probe"`
	KNNSeconds float64   `json:"knn_seconds"`
}

// HeadMean holds scores averaged over heads.
type HeadMean struct {
	NMI       float64 `json:"nmi"`
	ARI       float64 `json:"ari"`
	ACC       float64 `json:"acc"`
	ManyToOne float64 `json:"m2o_acc"`
}

// HeadScores are one head's scores: its predictions (argmax of its output) on the
// evaluation split against the truth, and on the training split for selection.
type HeadScores struct {
	metrics.Scores
	ManyToOne float64 `json:"m2o_acc"`
	TrainNMI  float64 `json:"train_nmi"`
	// Over marks an over-clustering head (Config.OverHeads), of Config.OverK
	// clusters: scored here, but never the best head nor in MeanHeads.
	Over bool `json:"over,omitempty"`
}

// ProbeInfo describes the linear probe's fit.
type ProbeInfo struct {
	L2          float64   `json:"l2"`
	Grid        []float64 `json:"l2_grid"`
	ValAccuracy []float64 `json:"val_accuracy"`
	Iterations  int       `json:"iterations"`
	Converged   bool      `json:"converged"`
	Seconds     float64   `json:"seconds"`
}

// evaluate fills r.rec.Final.
func (r *runner) evaluate() error {
	r.report(Progress{Phase: "eval", Epoch: r.cfg.Epochs})
	tr, ev := &r.trainSet, &r.evalSet
	var trFeat, evFeat []float32
	var trLP [][]float32
	var trPred, evPred [][]int
	k := r.k
	if cluster := r.method.NoNetwork; cluster != nil {
		tp, ep, err := cluster(&r.cfg, tr, ev, k)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		trFeat, evFeat = tr.X, ev.X
		trPred, evPred = [][]int{tp}, [][]int{ep}
	} else {
		var evLP [][]float32
		var err error
		if trFeat, trLP, err = r.pass(tr, 0, nil, true, true); err != nil {
			return fmt.Errorf("bench: evaluation on train: %w", err)
		}
		if evFeat, evLP, err = r.pass(ev, 0, nil, true, true); err != nil {
			return fmt.Errorf("bench: evaluation on %s: %w", r.rec.Data.EvalSplit, err)
		}
		for h := range trLP {
			trPred = append(trPred, argmaxRows(trLP[h], tr.N, r.ks[h]))
			evPred = append(evPred, argmaxRows(evLP[h], ev.N, r.ks[h]))
		}
	}
	f := &r.rec.Final
	f.Split = r.rec.Data.EvalSplit
	bestNMI := -1.0
	main := min(len(trPred), r.mainHeads) // the heads of k clusters; over-clustering heads follow
	for h := range trPred {
		kh := k
		if h >= main {
			kh = r.ks[h]
		}
		s, err := metrics.Score(ev.Y, evPred[h], kh)
		if err != nil {
			return err
		}
		trS, err := metrics.Score(tr.Y, trPred[h], kh)
		if err != nil {
			return err
		}
		hs := HeadScores{Scores: s, TrainNMI: trS.NMI, Over: h >= main,
			ManyToOne: manyToOne(tr.Y, trPred[h], ev.Y, evPred[h], kh, r.classes)}
		f.Heads = append(f.Heads, hs)
		if h >= main {
			continue // scored, but neither chosen nor averaged
		}
		if hs.TrainNMI > bestNMI {
			bestNMI, f.BestHead = hs.TrainNMI, h
		}
		n := float64(main)
		f.MeanHeads.NMI += s.NMI / n
		f.MeanHeads.ARI += s.ARI / n
		f.MeanHeads.ACC += s.ACC / n
		f.MeanHeads.ManyToOne += hs.ManyToOne / n
	}
	if r.opt.TrainLogProbs != nil && trLP != nil {
		r.opt.TrainLogProbs(trLP[f.BestHead], tr.N, k)
	}
	b := f.Heads[f.BestHead]
	f.NMI, f.ARI, f.ACC, f.ManyToOne = b.NMI, b.ARI, b.ACC, b.ManyToOne
	f.Clusters, f.EffectiveClusters, f.LargestFraction = b.NonEmpty, b.EffectiveClusters, b.LargestFraction
	f.Sizes = b.Sizes

	dim := len(trFeat) / tr.N
	f.FeatureDim = dim
	trSet := eval.Set{X: trFeat, N: tr.N, D: dim, Y: tr.Y}
	evSet := eval.Set{X: evFeat, N: ev.N, D: dim, Y: ev.Y}
	probe, err := eval.LinearProbe(trSet, evSet, eval.ProbeOptions{Seed: r.cfg.Seed})
	if err != nil {
		return fmt.Errorf("bench: linear probe: %w", err)
	}
	f.LinearProbe = probe.TestAccuracy
	f.Probe = ProbeInfo{L2: probe.L2, Iterations: probe.Final.Iterations, Converged: probe.Final.Converged, Seconds: probe.Seconds}
	for _, g := range probe.Grid {
		f.Probe.Grid = append(f.Probe.Grid, g.L2)
		f.Probe.ValAccuracy = append(f.Probe.ValAccuracy, g.ValAccuracy)
	}
	knn, err := eval.KNN(trSet, evSet, eval.KNNOptions{K: r.cfg.KNN, Tau: r.cfg.KNNTau})
	if err != nil {
		return fmt.Errorf("bench: kNN: %w", err)
	}
	f.KNN, f.KNNSeconds = knn.Accuracy, knn.Seconds
	return nil
}

// manyToOne maps each cluster to the majority class of the training samples
// predicted in it (ties: the smallest class; a cluster without training samples
// predicts no class) and returns the accuracy of that mapping on the evaluation
// predictions.
func manyToOne(trY, trPred, evY, evPred []int, k, classes int) float64 {
	counts := make([]int, k*classes)
	for i, c := range trPred {
		counts[c*classes+trY[i]]++
	}
	class := make([]int, k)
	for c := range class {
		class[c] = -1
		best := 0
		for y := range classes {
			if n := counts[c*classes+y]; n > best {
				class[c], best = y, n
			}
		}
	}
	correct := 0
	for i, c := range evPred {
		if class[c] == evY[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(evPred))
}

package bench

import (
	"encoding/json"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// RecordVersion is the version of the run record's layout; readers refuse to mix
// records of different versions silently.
const RecordVersion = 1

// Record is one run, self-describing: what ran (config, seed), where (Env), how
// long (Timings), how it went (Epochs, LabelSteps) and how it scored (Final).
// Runs are stored one JSON object per line (JSON Lines).
type Record struct {
	Version int    `json:"record_version"`
	Started string `json:"started"` // RFC 3339, UTC
	Config  Config `json:"config"`
	// Cell is Config.Hash(): sweeps key their cells by it (resume, merge).
	Cell string `json:"cell"`
	// Data describes the splits actually used.
	Data DataInfo `json:"data"`
	Env  Env      `json:"env"`
	// PriorEnv, for a run resumed from checkpoints (RunOptions.Checkpoint), lists
	// the machines of the earlier processes, oldest first; Env is the last one's,
	// and Timings add up all of them.
	PriorEnv []Env   `json:"prior_env,omitempty"`
	Timings  Timings `json:"timings"`
	// Epochs holds the per-epoch curves (empty for methods that do not train).
	Epochs []EpochStats `json:"epochs"`
	Final  Final        `json:"final"`
}

// DataInfo describes the data a run saw.
type DataInfo struct {
	Dataset   string `json:"dataset"`
	Train     int    `json:"train"`
	Eval      int    `json:"eval"`
	EvalSplit string `json:"eval_split"` // "test", or "validation" (held out from train)
	Dim       int    `json:"dim"`
	Classes   int    `json:"classes"`
	// TrainClassCounts are the training split's samples per class, reported for
	// a run with Config.Imbalance set (≥ 1, 1 being the data as is) only, so that
	// the imbalance study's R = 1 cells report them too.
	TrainClassCounts []int `json:"train_class_counts,omitempty"`
}

// Env is the machine and build a run ran on.
type Env struct {
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Module     string `json:"module"`
	Version    string `json:"module_version"`
	Commit     string `json:"commit,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
}

// Timings split a run's wall time, in seconds.
type Timings struct {
	Train float64 `json:"train"` // training steps, label steps excluded
	Label float64 `json:"label"` // label steps: forward passes over the train set and solves
	Solve float64 `json:"solve"` // the solver part of the label steps
	Eval  float64 `json:"eval"`  // final evaluation
	Total float64 `json:"total"`
}

// CurrentEnv describes this process's machine and build.
func CurrentEnv() Env {
	e := Env{
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPU: cpuModel(), NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Module: "github.com/selabench/selabench", Version: "unknown",
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path != "" {
			e.Module, e.Version = bi.Main.Path, bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				e.Commit = s.Value
			case "vcs.modified":
				e.Modified = s.Value == "true"
			}
		}
	}
	return e
}

var cpuName = sync.OnceValue(func() string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
})

func cpuModel() string { return cpuName() }

// Reproducible returns the record's JSON without what depends on the clock or
// the machine (start time, environment, timings, seconds in the curves and the
// final evaluation): two runs of one configuration on the same data give equal
// bytes, whatever the machine or GOMAXPROCS.
func (r *Record) Reproducible() ([]byte, error) {
	c := *r
	c.Started, c.Env, c.PriorEnv, c.Timings = "", Env{}, nil, Timings{}
	c.Epochs = append([]EpochStats(nil), r.Epochs...)
	for i := range c.Epochs {
		c.Epochs[i].Seconds, c.Epochs[i].LabelSeconds, c.Epochs[i].SolveSeconds = 0, 0, 0
	}
	c.Final.Probe.Seconds, c.Final.KNNSeconds = 0, 0
	return json.Marshal(&c)
}

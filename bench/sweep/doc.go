// Package sweep runs grids of harness configurations: ablations over λ, K, heads,
// the label schedule, augmented views, methods, datasets and seeds.
//
// A sweep file (JSON, see [Parse]; examples in bench/sweeps/) names a base
// configuration and grid axes; [Parse] expands them into cells, each identified
// by the hash of its full configuration (bench.Config.Hash). [Run] runs the cells
// of one shard, a few at a time, appending one run record per finished cell to
// the results file atomically, so that an interrupted sweep resumes where it
// stopped. A cell in flight saves its state at the end of every epoch to
// OUT/checkpoints/HASH.ckpt (bench.RunOptions.Checkpoint), so that with
// Options.Resume it goes on from its last epoch instead of starting over, and
// gives the same record; the checkpoint is removed once the record is written.
// A run longer than a session therefore still finishes: copy the checkpoints
// along with the results file to the next machine. [Shard] splits the cells over machines (Slurm job arrays, Kubernetes
// Indexed Jobs) and [Merge] joins their results files, refusing conflicts.
package sweep

#!/bin/bash
# A Slurm job array running one sweep as 4 shards, one per array task; the shards
# write distinct files (results-shard-I-of-4.jsonl) into one shared directory.
#
#   sbatch bench/sweeps/slurm.sh bench/sweeps/ablations.json runs/ablations
#   # when every task has finished:
#   selabench merge runs/ablations/results-shard-*-of-4.jsonl --out runs/ablations/results.jsonl
#   selabench report runs/ablations/results.jsonl --out reports/ablations.md
#
# A task that dies (time limit, preemption) loses only its cell in flight: resubmit
# the same array and --resume skips the finished cells.
#SBATCH --job-name=selabench-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=%x-%A_%a.out
set -euo pipefail
SWEEP=${1:?sweep file}
OUT=${2:?output directory}
exec selabench sweep "$SWEEP" --out "$OUT" --shard "$SLURM_ARRAY_TASK_ID/4" --resume

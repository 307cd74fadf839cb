#!/usr/bin/env bash
# Submits a faultline sweep to Slurm as a job array of shards plus a merge job
# (docs/cluster.md):
#
#   scripts/cluster/slurm_sweep.sh SCENARIO --seeds A..B --shards N [--] [sweep options]
#
# Array task K runs `faultline sweep SCENARIO --seeds A..B --out DIR/shard-K.json`
# (its shard K/N comes from SLURM_ARRAY_TASK_ID/_COUNT); the merge job runs
# after every task whatever its outcome (afterany) and writes DIR/merged.json
# and DIR/merged.txt (the summary; merged.exit holds merge's exit code, and a
# missing shard is named there). Prints the job ids and DIR.
#
# Environment: FAULTLINE (the binary, default: faultline on PATH, else
# build/faultline beside this script), FAULTLINE_SWEEP_DIR (default
# ./faultline-sweeps/<scenario>-<date>), SBATCH_OPTIONS (extra sbatch flags for
# every job, e.g. "--partition=sim --time=1:00:00"). DIR must be on a
# filesystem every node sees (or copy the shard files into one place and run
# `faultline merge` yourself).
set -euo pipefail

usage() {
  echo "usage: $0 SCENARIO --seeds A..B --shards N [--] [faultline sweep options]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
scenario=$1
shift
seeds="" shards=""
sweep_options=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --seeds) [[ $# -ge 2 ]] || usage; seeds=$2; shift 2 ;;
    --seeds=*) seeds=${1#--seeds=}; shift ;;
    --shards) [[ $# -ge 2 ]] || usage; shards=$2; shift 2 ;;
    --shards=*) shards=${1#--shards=}; shift ;;
    --) shift; sweep_options+=("$@"); break ;;
    *) sweep_options+=("$1"); shift ;;
  esac
done
[[ -n $seeds ]] || { echo "$0: --seeds A..B is required" >&2; exit 2; }
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "$0: --shards needs a whole number >= 1, got '$shards'" >&2; exit 2; }
[[ -r $scenario ]] || { echo "$0: cannot read the scenario $scenario" >&2; exit 2; }
for option in "${sweep_options[@]}"; do
  case $option in
    --shard|--shard=*|--out|--out=*|--per-seed|--per-seed=*)
      echo "$0: $option is set by this script (one shard per array task)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
faultline=${FAULTLINE:-$(command -v faultline || echo "$here/../../build/faultline")}
faultline=$(cd "$(dirname "$faultline")" && pwd)/$(basename "$faultline")
[[ -x $faultline ]] || { echo "$0: no faultline binary at $faultline (set FAULTLINE)" >&2; exit 2; }
# The jobs run in this directory, so the scenario path (and the replay
# commands, which name it) read as on the command line.
submit_dir=$PWD

# Check the scenario once, here, not in N failed array tasks.
"$faultline" validate "$scenario" >/dev/null

dir=${FAULTLINE_SWEEP_DIR:-$PWD/faultline-sweeps/$(basename "$scenario" .yaml)-$(date -u +%Y%m%dT%H%M%SZ)-$$}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
read -r -a extra <<<"${SBATCH_OPTIONS:-}"

quoted_options=$(printf ' %q' "${sweep_options[@]}")
array_id=$(sbatch --parsable "${extra[@]}" --job-name=faultline-sweep --array="0-$((shards - 1))" \
  --output="$dir/shard-%a.log" --chdir="$submit_dir" --wrap \
  "exec $(printf %q "$faultline") sweep $(printf %q "$scenario") --seeds $(printf %q "$seeds") --quiet${quoted_options} --force --out \"$dir/shard-\$SLURM_ARRAY_TASK_ID.json\"")
array_id=${array_id%%;*}

shard_files=""
for ((k = 0; k < shards; k++)); do shard_files+=" $(printf %q "$dir/shard-$k.json")"; done
merge_id=$(sbatch --parsable "${extra[@]}" --job-name=faultline-merge --dependency="afterany:$array_id" \
  --output="$dir/merge.log" --chdir="$submit_dir" --wrap \
  "$(printf %q "$faultline") merge${shard_files} --force -o $(printf %q "$dir/merged.json") >$(printf %q "$dir/merged.txt.partial"); code=\$?; mv $(printf %q "$dir/merged.txt.partial") $(printf %q "$dir/merged.txt"); echo \$code >$(printf %q "$dir/merged.exit.partial"); mv $(printf %q "$dir/merged.exit.partial") $(printf %q "$dir/merged.exit")")
merge_id=${merge_id%%;*}

echo "submitted: shards job array $array_id (tasks 0-$((shards - 1))), merge job $merge_id (afterany)"
echo "results:   $dir"
echo "merged:    $dir/merged.json (record), $dir/merged.txt (summary), $dir/merged.exit (merge's exit code; its errors in merge.log)"

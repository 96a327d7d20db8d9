#!/usr/bin/env bash
# The shapes-world method comparison of docs/RESULTS.md, run with tailor train and tailor eval.
# Usage: benchmarks/shapes-study/run.sh [RUNS_DIR]   (default runs/shapes-study)
# Finished runs are skipped, unfinished ones resumed, so the script can be rerun after a kill.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-runs/shapes-study}"
mkdir -p "$runs"

# method:lr pairs; the paper's learning rates scaled by the same factor (docs/RESULTS.md)
declare -A LR=([tailorpo]=5e-3 [tailorpo-g]=5e-3 [d3po]=5e-3 [spo]=1e-2 [ddpo]=5e-2)
train() {   # method seed
    local name="$1-seed$2"
    if [[ -f "$runs/$name/DONE" ]]; then
        echo "done: $name"
    elif [[ -d "$runs/$name" ]]; then
        ./tailor train --runs "$runs" --resume "$name"
    else
        ./tailor train --config configs/shapes-train.yaml --runs "$runs" --run "$name" \
            -Dtrainer.method="$1" -Dtrainer.settings.lr="${LR[$1]}" -Dseed="$2"
    fi
}
for seed in 0 1 2; do
    for method in tailorpo-g tailorpo; do train "$method" "$seed"; done
done
for method in d3po spo ddpo; do train "$method" 0; done

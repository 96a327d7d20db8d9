#!/usr/bin/env bash
# One iteration of the paper's setting per method at the real model sizes, and TailorPO-G's reward
# gradient alone, each in a JVM of its own under /usr/bin/time -v (docs/RESULTS.md, "The paper's setting
# at real size"). Run from the repository root after
#   mvn -B -q package -pl eval,benchmarks -am -DskipTests
#   java -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.tailorpo.benchmarks.RealSizeSd15 snapshot REAL
# Usage: benchmarks/scripts/real_size_iterations.sh REAL STEP...
#   STEP = NAME:SIZE:METHOD:MINIBATCH[:CHECKPOINTING]   e.g. g512:512:tailorpo-g:1:true
#          (CHECKPOINTING sets engine.reward_gradient_checkpointing and engine.loss_gradient_checkpointing)
#        | guidance:ROWS_PER_PASS:STAGED                 e.g. guidance:1:true
# Logs, configs and a summary line per step go to REAL/logs, run folders to REAL/runs.
set -u
R=$1; shift
J="java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 -Xmx8g -Xss4m"
mkdir -p "$R/logs" "$R/runs"
train() {  # name size method minibatch checkpointing
    local name=$1 size=$2 method=$3 mb=$4 ckpt=$5
    local model=$R/sd15; [[ $size == 256 ]] && model=$R/sd15-256
    # the paper's setting: 2 prompts, 20 DDIM steps, eta 1, guidance 5, LoRA rank 4; one iteration
    cat > "$R/logs/$name.yaml" <<YAML
model: $model
prompts: data/prompts/simple_animals.txt
reward: {id: laion-aesthetic, options: {clip: $R/clip-vit-large-patch14}}
trainer: {method: $method}
sampling: {steps: 20, eta: 1.0, guidance_scale: 5.0}
lora: {rank: 4, alpha: 4.0}
engine: {prompts_per_iteration: 2, sample_budget: 2, minibatch_size: $mb, reward_gradient_checkpointing: $ckpt, loss_gradient_checkpointing: $ckpt, updates_per_iteration: 1, checkpoint_every: 1}
seed: 0
YAML
    /usr/bin/time -v $J -Dtailor.home="$PWD" -jar eval/target/tailor.jar train --config "$R/logs/$name.yaml" \
        --runs "$R/runs" --run "$name" > "$R/logs/$name.out" 2> "$R/logs/$name.err"
    echo "$name exit $? $(grep 'Maximum resident' "$R/logs/$name.err") $(grep 'Elapsed (wall' "$R/logs/$name.err")" >> "$R/logs/summary.txt"
}
for step in "$@"; do
    case $step in
        guidance:*) IFS=: read -r _ rows staged <<< "$step"
                    log=$R/logs/guidance-$rows-$staged.txt
                    /usr/bin/time -v $J -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.tailorpo.benchmarks.RealSizeSd15 \
                        guidance "$R/sd15" "$R/clip-vit-large-patch14" "$rows" "$staged" > "$log" 2>&1
                    echo "guidance $rows $staged exit $? $(grep 'reward gradient' "$log") $(grep 'Maximum resident' "$log")" >> "$R/logs/summary.txt" ;;
        *) IFS=: read -r name size method mb ckpt <<< "$step"; train "$name" "$size" "$method" "$mb" "${ckpt:-false}" ;;
    esac
done

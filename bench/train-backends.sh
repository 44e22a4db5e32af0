#!/usr/bin/env bash
# scm train end to end, --backend jvm vs --backend reference, on the model card's sCD run (digits, model small,
# batch 128, seed 2), interleaved so that machine load affects both sides alike. The teacher is a 200-step teacher
# of the same shape trained first (so the script needs nothing but the repository; a teacher's weights do not change
# the cost of a step).
#   bench/train-backends.sh [JVM_STEPS] [REFERENCE_STEPS] [ROUNDS]     (default 2000 200 2)
# Prints each run's seconds per step (from its report.json) and the ratio. Runs go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
jvm_steps=${1:-2000}; ref_steps=${2:-200}; rounds=${3:-2}
work=$(mktemp -d)
printf 'optimizer=radam\nscm.warmup=600\ncheckpointEvery=100000\nlogEvery=500\n' > "$work/student.properties"
bin/scm train --objective teacher --data digits --model small --steps 200 --batch 128 --seed 1 --no-eval \
  --backend jvm --out "$work/teacher" > "$work/teacher.log" 2>&1
run() {  # backend steps name
  bin/scm train --objective scd --teacher "$work/teacher/checkpoint.safetensors" --data digits --model small \
    --steps "$2" --batch 128 --lr 2e-4 --seed 2 --config "$work/student.properties" --no-eval --backend "$1" \
    --out "$work/$3" > "$work/$3.log" 2>&1
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['secondsPerStep'])" "$work/$3/report.json"
}
for r in $(seq 1 "$rounds"); do
  ref=$(run reference "$ref_steps" "ref$r"); jvm=$(run jvm "$jvm_steps" "jvm$r")
  python3 -c "import sys; r,j=float(sys.argv[1]),float(sys.argv[2]); print(f'round $r: reference {r:.4f} s/step ($ref_steps steps), jvm {j:.4f} s/step ($jvm_steps steps), ratio {r/j:.2f}x')" "$ref" "$jvm"
done
rm -rf "$work"

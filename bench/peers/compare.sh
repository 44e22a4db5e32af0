#!/usr/bin/env bash
# The JVM backend (what scm train/sample --backend jvm run: EngineBench) against the PyTorch peer (torch_mlp.py) on
# the same MLP, alternating one run of each per round so machine load affects both sides alike; prints per-round
# medians and the ratio of the medians over rounds (PyTorch ms / JVM ms: > 1 means the JVM backend is faster).
#   bench/peers/compare.sh [ROUNDS] [THREADS] [WARMUP] (default 3 rounds, 2 threads on both sides)
# WARMUP: untimed calls per workload on both sides before the 5 timed ones; default: each side's own default
# (5 steps; 3 PyTorch / 10 JVM sampling calls), which leaves the JVM short of C2's steady state.
# Needs Debian's python3-torch with OpenBLAS (apt-get install python3-torch libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; threads=${2:-2}; warm=()
[ -n "${3:-}" ] && warm=(--warmup "$3")
. bin/jdk.sh
bin/scm --version > /dev/null            # builds the project if needed
cp="cli/target/classes:accelerated/target/classes:reference/target/classes:$(cat cli/target/scm-classpath.txt)"
out=$(mktemp)
for r in $(seq 1 "$rounds"); do
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/peers/torch_mlp.py --rounds 5 --threads "$threads" "${warm[@]}" | tee -a "$out"
  java --add-modules jdk.incubator.vector -XX:+UseG1GC -Dscm.threads="$threads" -cp "$cp" scm.accel.bench.EngineBench --rounds 5 "${warm[@]}" 2>/dev/null | tee -a "$out"
done
python3 - "$out" <<'PY'
import statistics, sys, collections
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 3 and p[0] in ("torch", "jvm"):
        v[(p[0], p[1])].append(float(p[2]))
print("\n| workload | PyTorch (ms) | JVM backend (ms) | PyTorch / JVM |\n|---|---:|---:|---:|")
for w in ("sct128", "sct1024", "sample4096"):
    t, j = statistics.median(v[("torch", w)]), statistics.median(v[("jvm", w)])
    print(f"| {w} | {t:.1f} | {j:.1f} | {t / j:.2f}x |")
if ("jvm", "sample4096+noise") in v:
    print(f"(JVM 2-step sampling with the noise drawn inside, the CLI's path: {statistics.median(v[('jvm', 'sample4096+noise')]):.1f} ms)")
PY
rm -f "$out"

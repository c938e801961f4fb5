#!/usr/bin/env bash
# The multi-GPU measurements (docs/interconnect.md) in one go, for a machine with several GPUs.
#
# Writes everything under $OUT (or ./interconnect-results): the topology as nvidia-smi and
# as envcheck read it, the NCCL sweep to 1 GiB against its targets (bus bandwidth >= 90 % of
# the published nccl-tests figure, P2P pairs within 90 % of the best, pinned H2D/D2H >= 90 %
# of the PCIe practical peak), heatmaps, a torchrun run of the same, the burn-in's
# cross-GPU all-reduce phase, validate's interconnect stage (and fleet reading it), and the
# GPU tests. Needs torch with CUDA; platformdirs etc. as scripts/gpu_session.sh describes.
# Usage: bash scripts/gpu_interconnect.sh   (STEP_TIMEOUT, DRY_RUN: as in gpu_session.sh)
set -u
out=${OUT:-interconnect-results}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD"
py=${PYTHON:-python3}
step() {  # markers on stderr: stdout may be a JSON file
  echo "== $*" >&2
  if [ -n "${DRY_RUN:-}" ]; then echo "DRY: $*" >&2; return 0; fi
  timeout "${STEP_TIMEOUT:-300}" "$@"
  echo "== exit $?" >&2
}
gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
[ -n "${DRY_RUN:-}" ] && gpus=${GPUS:-8}

{
  echo "GPUs: $gpus"; uptime
  step nvidia-smi topo -m
  step nvidia-smi topo -p2p r
  step nvidia-smi nvlink -s
  step nvidia-smi nvlink -e
  step "$py" -c "import json; from envcheck.interconnect.nodefacts import node_facts; from envcheck.serial import to_data; print(json.dumps(to_data(node_facts()), indent=2))" > "$out/node_facts.json"
  # The sweep runs `envcheck interconnect --device all --max-bytes 1G --plot` and prints it
  # against the targets (gpu_sweep.json, heatmaps and curves in $out).
  step "$py" benchmarks/interconnect_sweep.py --gpu --out "$out"
  if [ "$gpus" -ge 2 ]; then
    step "$py" -m torch.distributed.run --standalone --nproc-per-node "$gpus" -m envcheck interconnect \
      --no-copies --max-bytes 256M --json > "$out/torchrun.json"
    step "$py" -c "
import json, time
from envcheck.interconnect.burn_phase import AllReducePhase
phase = AllReducePhase.for_devices(['cuda:%d' % i for i in range($gpus)], duration_s=30.0)
phase.start(); time.sleep(35)
r = phase.stop()
print(json.dumps({'iterations': r.iterations, 'wrong': r.wrong, 'busbw_gb_s': r.busbw_gb_s, 'hung': r.hung,
                  'errors': list(r.errors), 'failures': r.failures()}, indent=2))" > "$out/burn_phase.json"
  fi
  # validate's interconnect stage (NCCL over every GPU, its document in the report), then
  # fleet reading that document: busbw per collective, P2P and copies per GPU.
  step "$py" -m envcheck validate --level quick --burn 20s --synthetic --bench-model softmax \
    --report "$out/validate.json" --html "$out/validate.html"
  step "$py" -m envcheck fleet "$out/validate.json" --json > "$out/fleet.json"
  step "$py" -m pytest -q -m gpu tests/interconnect tests/probes/test_topology.py
  uptime
} 2>&1 | tee "$out/session.log"

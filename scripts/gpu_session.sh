#!/usr/bin/env bash
# Everything envcheck needs a GPU to check, in one run, for a session with a device.
#
# The device image has torch, nvidia-ml-py, psutil, click, packaging, rich, matplotlib
# and filelock, but not platformdirs: carry it as a wheel (see the device tool's README):
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 -d .whl platformdirs
# and the Fashion-MNIST subset as data:
#   echo /.data/ >> .git/info/exclude; mkdir -p .data && cp ../shared/data/fashion-mnist/subset/* .data/
# Then run, carrying .whl and .data:
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site; bash scripts/gpu_session.sh
# Results land in $OUT (or ./gpu-results); copy the redacted snapshot to
# tests/fixtures/gpu/ and the figures into docs/*.md and the bench reference table.
# Each step gets STEP_TIMEOUT seconds (300): one hung step must not eat the session.
# DRY_RUN=1 prints every step instead of running it (tests/deploy/test_gpu_scripts.py
# checks each envcheck command and flag against today's CLI that way).
set -u
out=${OUT:-gpu-results}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD"
py=${PYTHON:-python3}
data=${DATA:-.data}
step() {  # markers on stderr: stdout may be a JSON file
  echo "== $*" >&2
  if [ -n "${DRY_RUN:-}" ]; then echo "DRY: $*" >&2; return 0; fi
  timeout "${STEP_TIMEOUT:-300}" "$@"
  echo "== exit $?" >&2
}

# NVML through the worker (envcheck/probes/nvml_worker.py): it must answer, and how long it takes.
nvml_check='import time
from envcheck.probes import nvml, nvml_worker
t = time.perf_counter()
[f] = nvml_worker.run_jobs([nvml_worker.Job(nvml.probe, nvml.failed)])
print("NVML worker:", f.init, len(f.gpus.get(())), "GPUs in", round(time.perf_counter() - t, 2), "s")'
# The burn and bench reports must carry GPU telemetry (once it never started).
telemetry_check='import json, sys
burn = json.load(open(sys.argv[1]))
print("burn telemetry:", burn["telemetry"]["source"], burn["telemetry"]["status"], burn["telemetry"]["sampler_errors"])
for d in burn["devices"]:
    s = d["telemetry_summary"]
    print(" ", d["device"], s["samples"], "samples, peak", s["temp_peak_c"], "power p90", s["power_p90_w"],
          "series points", len(d["series"]["t_s"]))
bench = json.load(open(sys.argv[2]))
print("bench telemetry:", bench["telemetry_status"], (bench["telemetry"] or {}).get("samples"))'

{
  step nvidia-smi
  step lscpu
  step "$py" -c "$nvml_check"
  step "$py" -m envcheck doctor --redact --html "$out/doctor.html"
  step "$py" -m envcheck snapshot --redact -o "$out/snapshot.redacted.json"
  step "$py" benchmarks/doctor_walltime.py --runs 3
  step "$py" -m envcheck verify --device cuda:0 --dtype all --json > "$out/verify.json"
  step "$py" -m envcheck verify --device cuda:0 --dtype all
  # This host's CPU against the known oneDNN bf16 defect (knowledge/data/known_kernel_defects.toml).
  step "$py" -m envcheck verify --device cpu --dtype bf16 --json > "$out/verify-cpu-bf16.json"
  step "$py" -m envcheck bench --synthetic --json > "$out/bench-synthetic-default.json"
  step "$py" -m envcheck bench --model lenet --compare-baseline --data-dir "$data" --json > "$out/bench-lenet.json"
  step "$py" -m envcheck bench --model lenet --compare-baseline --synthetic --epochs 3 --json > "$out/bench-lenet-60k.json"
  step "$py" -m envcheck bench --compare-baseline --data-dir "$data" --plot "$out" --html "$out/bench-refcnn.html" \
    --json > "$out/bench-refcnn.json"
  step "$py" -m envcheck burn --duration quick --micro --report "$out/burn.json" --plot "$out" --html "$out/burn.html"
  step "$py" -c "$telemetry_check" "$out/burn.json" "$out/bench-refcnn.json"
  # The whole sign-off on this machine (a short burn: the one above is the long one), then
  # fleet over its report; with several GPUs the interconnect stage runs NCCL.
  step "$py" -m envcheck validate --level quick --burn 20s --synthetic --report "$out/validate.json" \
    --html "$out/validate.html"
  step "$py" -m envcheck fleet "$out/validate.json" --html "$out/fleet.html" --csv "$out/fleet.csv" \
    --json > "$out/fleet.json"
} 2>&1 | tee "$out/session.log"

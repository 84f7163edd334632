#!/usr/bin/env bash
# The GPU check: one command for a CUDA machine (and, in small sizes, for a CPU one).
#   1. nbdev-test with the `gpu slow` flags on the notebooks that have such cells (`slow` only on a CPU), under a timeout;
#   2. modernbert-bench (python3 -m modernbert_nb.bench) under a time budget and a hard timeout;
#   3. a short table last.
# Needs no network and no `pip install -e .`: missing fastcore/nbdev/execnb (and what they need) come from the wheels in
# .whl/ (see the Makefile's gpu-check target); the package is found through PYTHONPATH=$PWD.
# Writes gpu_check.log, tests.log and bench.json to $OUT if set, else to runs/gpu_check/.
# `tools/gpu_check.sh --sweep` (make gpu-sweep) runs tools/gpu_sweep.py instead, into $OUT/sweep/.
# Budget on one H100: tests <= 170 s (the attention notebooks) + 60 s (others' gpu cells), bench <= 240 s: at most ~7.9 minutes.
set -u
cd "$(dirname "$0")/.."
WHEELS="fastcore==2.2.41 nbdev==3.3.26 execnb==0.3.4 ipython==9.18.1 ipython_pygments_lexers==1.1.1 asttokens==3.0.2
  astunparse==1.6.3 executing==2.3.0 ghapi==2.1.4 fastgit==0.1.4 jedi==0.20.1 parso==0.8.7 matplotlib-inline==0.2.2
  pexpect==4.9.0 ptyprocess==0.7.0 prompt_toolkit==3.0.53 wcwidth==0.9.4 pure_eval==0.2.4 stack-data==0.6.3
  Pygments==2.21.0 traitlets==5.16.1 decorator==5.3.1 six==1.17.0 watchdog==7.1.0"
if [ "${1:-}" = "--fetch-wheels" ]; then   # on a machine with PyPI: fill .whl/ (and .whl2/: datasets) for a GPU machine without network
  for w in $WHEELS; do python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl "$w"; done
  for w in datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19; do python3 -m pip download -q --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .whl2 "$w"; done
  du -sh .whl .whl2; exit 0
fi
OUTDIR="${OUT:-runs/gpu_check}"; mkdir -p "$OUTDIR"
exec > >(tee "$OUTDIR/gpu_check.log") 2>&1
T0=$(date +%s)
TEST_TIMEOUT=${TEST_TIMEOUT:-170}; OTHER_TIMEOUT=${OTHER_TIMEOUT:-60}; BENCH_BUDGET=${BENCH_BUDGET:-190}; BENCH_TIMEOUT=${BENCH_TIMEOUT:-240}

PY=${PYTHON:-python3}
if ! $PY -c 'import torch' 2>/dev/null && [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi   # this repo's venv on a dev machine
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! $PY -c 'import fastcore, nbdev, execnb, IPython' 2>/dev/null; then
  echo "== installing fastcore, nbdev, execnb and their needs from .whl/ into /tmp/site"
  $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || echo "wheel install failed"
  export PYTHONPATH="/tmp/site:$PYTHONPATH"
fi
if ! $PY -c 'import datasets' 2>/dev/null && ls .whl2/*.whl >/dev/null 2>&1; then   # 09_training's data: datasets and what it needs
  echo "== installing datasets from .whl2/ into /tmp/site"
  $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl2/*.whl || echo "wheel install failed"
  case ":$PYTHONPATH:" in *:/tmp/site:*) ;; *) export PYTHONPATH="/tmp/site:$PYTHONPATH";; esac
fi
if [ "${1:-}" = "--sweep" ]; then   # make gpu-sweep: which flex settings are fastest, and a profile (tools/gpu_sweep.py)
  timeout -k 10 "${SWEEP_TIMEOUT:-540}" $PY tools/gpu_sweep.py --out "$OUTDIR/sweep" --budget "${SWEEP_BUDGET:-360}" ${SWEEP_ARGS:-}
  exit $?
fi
GPU=$($PY -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
if [ "$GPU" = 1 ]; then FLAGS="gpu slow"; else FLAGS="slow"; fi
$PY - <<'PYEOF'
import platform, torch, transformers
dev = torch.cuda.get_device_name() if torch.cuda.is_available() else 'CPU only'
print(f"== {dev}; python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}")
PYEOF

# the attention notebooks first (gpu and slow cells), under their own timeout; then the other notebooks with gpu cells
# (gpu cells only: their slow cells are CPU work, minutes long), under a shorter one
ATTN="03a_flex|03b_flash|06b_compile"
OTHERS=$(grep -lE '#\| *gpu' nbs/*.ipynb | xargs -n1 basename | sed 's/\.ipynb$//' | grep -vxE "$ATTN" | paste -sd'|')
if [ "$GPU" = 1 ]; then OTHER_FLAGS="gpu"; else OTHER_FLAGS=""; fi
run_tests() {  # name regex, timeout, flags
  echo "== nbdev-test --flags \"$3\" on $1 (timeout $2 s)"
  local ts=$(date +%s)
  timeout -k 10 "$2" $PY "$NBTEST" nbs --file-re "^($1)\.ipynb\$" ${3:+--flags "$3"} --timing --do-print >> "$OUTDIR/tests.log" 2>&1
  local rc=$?
  local r="passed"; [ $rc -ne 0 ] && r="FAILED (rc $rc)"; [ $rc -eq 124 ] && r="TIMED OUT"
  TESTS="$TESTS $1: $r in $(( $(date +%s) - ts ))s;"
}
NBTEST="$OUTDIR/nbdev_test.py"   # nbdev-test's console script, run by $PY (python -m nbdev.test breaks its worker processes)
printf 'from nbdev.test import nbdev_test\nnbdev_test()\n' > "$NBTEST"
: > "$OUTDIR/tests.log"; TESTS=""
run_tests "$ATTN" "$TEST_TIMEOUT" "$FLAGS"
[ -n "$OTHERS" ] && run_tests "$OTHERS" "$OTHER_TIMEOUT" "$OTHER_FLAGS"
tail -n 40 "$OUTDIR/tests.log"

echo "== modernbert-bench (budget ${BENCH_BUDGET}s, timeout ${BENCH_TIMEOUT}s)"
TB=$(date +%s)
timeout -k 10 "$BENCH_TIMEOUT" $PY -m modernbert_nb.bench --budget "$BENCH_BUDGET" --out "$OUTDIR/bench.json" ${BENCH_ARGS:-}
BRC=$?
BENCH="done"; [ $BRC -ne 0 ] && BENCH="exited with rc $BRC"; [ $BRC -eq 124 ] && BENCH="TIMED OUT (partial results)"
BENCH="$BENCH in $(( $(date +%s) - TB ))s"

echo
echo "==================== GPU check summary ===================="
echo "tests ($FLAGS):$TESTS bench: $BENCH; total $(( $(date +%s) - T0 ))s; files in $OUTDIR"
grep -E "Success|Failed|Error|secs$" "$OUTDIR/tests.log" | tail -n 8
$PY -c "
import json, sys
from modernbert_nb.bench import format_table
try: r = json.load(open('$OUTDIR/bench.json'))
except Exception as e: sys.exit(f'no bench.json: {e}')
print(format_table(r))
for k, v in (r.get('parity') or {}).items(): print(f'parity {k}: {v}')
errs = [x for x in r['rows'] if 'error' in x]
if errs: print(f'{len(errs)} measurement(s) failed or skipped, first: {errs[0]}')
"

"""torchrun with two CPU processes (gloo): training runs, the two ranks see different data, and a resume continues
each rank's data exactly where it stopped.

The runs go through `ddp_trace_run.py` (beside this file), which adds a callback to the run: every rank records a
fingerprint of each micro-batch it trains on, and rank 0 gathers and writes them to data_trace.jsonl.
"""
import json, os, subprocess, sys
from pathlib import Path

SCRIPT = Path(__file__).parent/'ddp_trace_run.py'
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}

def torchrun(out, max_steps, *extra) -> str:
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', str(SCRIPT), str(out), str(max_steps), *extra]
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    if r.returncode != 0: print(r.stdout, '\n----- stderr -----\n', r.stderr)   # all of it, shown with the failure
    assert r.returncode == 0, f"torchrun exited with {r.returncode}; its output is printed above"
    return r.stdout

def jsonl(path): return [json.loads(l) for l in Path(path).read_text().splitlines()]

def test_two_cpu_ranks_train_on_different_data_and_resume(tmp_path):
    straight, resumed = tmp_path/'straight', tmp_path/'resumed'
    torchrun(straight, 6)
    trace = jsonl(straight/'data_trace.jsonl')
    assert [t['step'] for t in trace] == [1, 2, 3, 4, 5, 6]
    assert all(len(t['ranks']) == 2 and len(t['ranks'][0]) == len(t['ranks'][1]) == 1 for t in trace)   # one micro-batch each
    seen = [{h for t in trace for h in t['ranks'][k]} for k in (0, 1)]
    assert len(seen[0]) == len(seen[1]) == 6 and not seen[0] & seen[1]      # different batches on each rank, none twice
    steps = [m for m in jsonl(straight/'metrics.jsonl') if 'loss' in m]
    assert [m['step'] for m in steps] == [1, 2, 3, 4, 5, 6] and all(m['slots'] == 2 * 1024 for m in steps)   # both ranks' slots
    summary = json.loads((straight/'summary.json').read_text())
    assert summary['world_size'] == 2 and (straight/'model'/'model.safetensors').exists()
    assert [p.name for p in sorted((straight/'checkpoints').glob('step_*'))] == ['step_0000002', 'step_0000004', 'step_0000006']

    torchrun(resumed, 4)                                                     # stop at 4, then continue to 6
    assert [p.name for p in sorted((resumed/'checkpoints').glob('step_*'))] == ['step_0000002', 'step_0000004']
    out = torchrun(resumed, 6, '--resume')
    assert 'resumed from' in out and 'step_0000004' in out, out[-2000:]
    assert jsonl(resumed/'data_trace.jsonl') == trace                        # each rank's batches, step for step
    assert [m.get('loss') for m in jsonl(resumed/'metrics.jsonl')] == [m.get('loss') for m in jsonl(straight/'metrics.jsonl')]

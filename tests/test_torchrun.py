"""torchrun with two CPU processes (gloo): training runs, and the two ranks see different data.

Every rank records a fingerprint of each micro-batch it trains on (`--trace-data`; rank 0 gathers and writes them).
"""
import json, os, subprocess, sys

def test_two_cpu_ranks_train_on_different_data(tmp_path):
    out = tmp_path/'ddp'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
           '-m', 'modernbert_nb.pretrain', '--preset', 'tiny', '--corpus', 'stdlib', '--max-files', '40',
           '--vocab-size', '1024', '--budget', '1024', '--seq-len', '256', '--max-steps', '4', '--warmup', '1',
           '--save-every', '2', '--valid-every', '4', '--threads', '1', '--trace-data', '--out', str(out)]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0: print(r.stdout, '\n----- stderr -----\n', r.stderr)   # all of it, shown with the failure
    assert r.returncode == 0, f"torchrun exited with {r.returncode}; its output is printed above"
    trace = [json.loads(l) for l in (out/'data_trace.jsonl').read_text().splitlines()]
    assert [t['step'] for t in trace] == [1, 2, 3, 4]
    seen = [{h for t in trace for h in t['ranks'][k]} for k in (0, 1)]
    assert all(len(t['ranks']) == 2 and len(t['ranks'][0]) == len(t['ranks'][1]) == 1 for t in trace)
    assert len(seen[0]) == len(seen[1]) == 4 and not seen[0] & seen[1]      # different batches on each rank
    ms = [json.loads(l) for l in (out/'metrics.jsonl').read_text().splitlines()]
    steps = [m for m in ms if 'loss' in m]
    assert [m['step'] for m in steps] == [1, 2, 3, 4] and all(m['slots'] == 2 * 1024 for m in steps)   # both ranks' slots
    summary = json.loads((out/'summary.json').read_text())
    assert summary['world_size'] == 2 and (out/'model'/'model.safetensors').exists()
    assert [p.name for p in sorted((out/'checkpoints').glob('step_*'))] == ['step_0000002', 'step_0000004']

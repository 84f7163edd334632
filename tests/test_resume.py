"""Kill-and-resume exactness through the command line.

`python -m modernbert_nb.pretrain` trains `tiny` on a few standard-library files in a subprocess; it is killed with
SIGKILL once a checkpoint exists, resumed with `--resume`, and its metrics.jsonl must equal, step by step and bit for
bit, that of a run that was never interrupted (CPU, one thread in every process).
"""
import json, os, signal, subprocess, sys, time
from pathlib import Path

ARGS = ['--preset', 'tiny', '--corpus', 'stdlib', '--max-files', '40', '--vocab-size', '1024', '--budget', '1024',
        '--seq-len', '256', '--max-steps', '16', '--warmup', '2', '--decay', '0.25', '--save-every', '4',
        '--valid-every', '8', '--threads', '1']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}

def cmd(out, *extra): return [sys.executable, '-m', 'modernbert_nb.pretrain', *ARGS, '--out', str(out), *extra]
def metrics(out): return [json.loads(l) for l in (Path(out)/'metrics.jsonl').read_text().splitlines()]
def checkpoints(out): return sorted((Path(out)/'checkpoints').glob('step_*'))

def test_kill_and_resume_is_exact(tmp_path):
    straight, killed = tmp_path/'straight', tmp_path/'killed'
    r = subprocess.run(cmd(straight), env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    p = subprocess.Popen(cmd(killed), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 240
        while not checkpoints(killed):
            assert p.poll() is None, 'the run ended before it wrote a checkpoint'
            assert time.time() < deadline, 'no checkpoint within 240 s'
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
    finally: p.wait()
    assert p.returncode == -signal.SIGKILL
    assert not (killed/'model').exists(), 'killed too late: the run had finished'
    at_kill = checkpoints(killed)[-1].name
    r = subprocess.run(cmd(killed, '--resume'), env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'resumed from' in r.stdout and at_kill in r.stdout, r.stdout[-2000:]
    a, b = metrics(straight), metrics(killed)
    assert [m['step'] for m in b] == list(range(17))                  # one line per step, none lost or doubled
    assert [m.get('loss') for m in b] == [m.get('loss') for m in a]    # exact, not close
    assert [m.get('valid_loss') for m in b] == [m.get('valid_loss') for m in a]
    assert [m.get('lr') for m in b] == [m.get('lr') for m in a]

def test_resume_without_a_checkpoint_is_refused(tmp_path):
    r = subprocess.run(cmd(tmp_path/'empty', '--resume'), env=ENV, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'no checkpoint' in r.stderr and 'run without --resume' in r.stderr, r.stderr[-2000:]

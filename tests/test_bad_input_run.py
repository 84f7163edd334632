"""Bad input to a pretraining run, through the real `modernbert-pretrain` command in real processes.

Two runs on one folder, numeric options out of range, a resume that would change the run's data, a time limit
shorter than the warmup: each is refused with the culprit named, or ends in a saved, exported model.
"""
import json, os, random, subprocess, sys, time
from pathlib import Path
import pytest

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}

def _cmd(out, corpus, *extra):
    s = Path(sys.executable).parent/'modernbert-pretrain'
    exe = [str(s)] if s.exists() else [sys.executable, '-m', 'modernbert_nb.pretrain']
    return [*exe, '--preset', 'tiny', '--corpus', str(corpus), '--vocab-size', '300', '--budget', '512', '--seq-len', '128',
            '--threads', '1', '--out', str(out), *extra]

def _run(*a, timeout=240): return subprocess.run(_cmd(*a), env=ENV, capture_output=True, text=True, timeout=timeout)

@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    "A small JSON-lines corpus of code-like word soup."
    r, path = random.Random(0), tmp_path_factory.mktemp('corpus')/'c.jsonl'
    words = 'def class return self import for while if else the a of to in value list dict print yield lambda'.split()
    path.write_text(''.join(json.dumps({'text': ' '.join(r.choice(words) for _ in range(r.randint(20, 80)))}) + '\n' for _ in range(80)))
    return path

def _metrics(out): return [json.loads(l) for l in (Path(out)/'metrics.jsonl').read_text().splitlines()]

def test_a_second_run_on_the_same_folder_is_refused(tmp_path, corpus):
    out = tmp_path/'run'
    first = subprocess.Popen(_cmd(out, corpus, '--max-steps', '30', '--valid-every', '30', '--save-every', '10', '--keep', '1'),
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not (out/'run.lock').exists() or not (out/'run.lock').read_text():
            assert first.poll() is None, first.communicate()[1][-3000:]
            assert time.time() < deadline, 'the first run took no lock within 60 s'
            time.sleep(0.05)
        t0 = time.time()
        second, resumed = (subprocess.Popen(_cmd(out, corpus, '--max-steps', '4', *x), env=ENV, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True) for x in ((), ('--resume',)))   # a resume must wait too
        (_, err2), (_, err3) = second.communicate(timeout=120), resumed.communicate(timeout=120)
        assert first.poll() is None, 'the first run ended before the second was refused: make it longer'
        assert second.returncode == 2 and f'is in use by another run (pid {first.pid} on host' in err2, err2[-3000:]
        assert resumed.returncode == 2 and f'(pid {first.pid} on host' in err3, err3[-3000:]
        assert time.time() - t0 < 30
    finally: stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr[-3000:]
    assert [m['step'] for m in _metrics(out)] == list(range(31))                      # one writer: every step once
    assert sorted(p.name for p in (out/'checkpoints').iterdir()) == ['step_0000030']
    assert (out/'model'/'model.safetensors').exists() and json.loads((out/'summary.json').read_text())['steps'] == 30
    assert not (out/'run.lock').exists()                                              # released at the end

def test_a_killed_run_leaves_a_stale_lock_that_is_taken_over(tmp_path, corpus):
    out = tmp_path/'run'; out.mkdir()
    dead = subprocess.Popen([sys.executable, '-c', 'pass']); dead.wait()
    (out/'run.lock').write_text(json.dumps(dict(pid=dead.pid, host=os.uname().nodename, started='2020-01-01T00:00:00')))
    r = _run(out, corpus, '--max-steps', '2', '--valid-every', '2', '--save-every', '2')
    assert r.returncode == 0, r.stderr[-3000:]
    assert f'taking over the stale lock on {out}: pid {dead.pid}' in r.stderr, r.stderr[-3000:]
    (out/'run.lock').write_text(json.dumps(dict(pid=1, host='elsewhere', started='2020-01-01T00:00:00')))
    r = _run(out, corpus, '--max-steps', '4', '--resume')
    assert r.returncode == 2 and "locked by a run on another machine (pid 1 on host 'elsewhere'" in r.stderr and '--break-lock' in r.stderr, r.stderr[-3000:]

BAD_OPTIONS = [
    (['--accum', '0'], '--accum must be an integer >= 1, got 0'),
    (['--keep', '0'], '--keep must be an integer >= 1, got 0'),
    (['--budget', '-5'], '--budget must be an integer >= 1, got -5'),
    (['--lr', 'nan'], '--lr must be a finite number > 0, got nan'),
    (['--lr', 'inf'], '--lr must be a finite number > 0, got inf'),
    (['--lr', '0'], '--lr must be a finite number > 0, got 0.0'),
    (['--max-steps', '0'], '--max-steps must be an integer >= 1, got 0'),
    (['--warmup', '-1'], '--warmup must be an integer >= 0, got -1'),
    (['--decay', 'nan'], '--decay must be a finite number in [0, 1], got nan'),
    (['--decay', '1.5'], '--decay must be a finite number in [0, 1], got 1.5'),
    (['--valid-every', '0'], '--valid-every must be an integer >= 1, got 0'),
    (['--save-every', '-2'], '--save-every must be an integer >= 1, got -2'),
    (['--seq-len', '0'], '--seq-len must be an integer >= 1, got 0'),
    (['--seq-len', '1024'], 'seq_len (1024) must be positive and at most --budget (512)'),
    (['--vocab-size', '0'], '--vocab-size must be an integer >= 1, got 0'),
    (['--threads', '0'], '--threads must be an integer >= 1, got 0'),
    (['--time-limit', '-1'], '--time-limit must be a finite number > 0 (minutes), got -1.0'),
    (['--time-limit', 'nan'], '--time-limit must be a finite number > 0 (minutes), got nan'),
    (['--max-files', '0'], '--max-files must be an integer >= 1, got 0'),
    (['--warmup', '50', '--max-steps', '10'], '--warmup (50 steps) and the decay'),
]

def test_numeric_options_out_of_range_are_refused_before_work(tmp_path, corpus, capsys):
    from modernbert_nb.pretrain import main
    for args, said in BAD_OPTIONS:
        with pytest.raises(SystemExit) as e:
            main(['--corpus', str(corpus), '--vocab-size', '300', '--budget', '512', '--seq-len', '128', '--out', str(tmp_path/'run'), *args])
        assert e.value.code == 2 and said in capsys.readouterr().err, (args, said)
        assert not (tmp_path/'run').exists()                                          # refused before anything is written

def test_resume_refuses_options_it_cannot_change_and_a_time_limit_ends_in_a_saved_model(tmp_path, corpus):
    out = tmp_path/'run'
    r = _run(out, corpus, '--max-steps', '400', '--warmup', '40', '--decay', '0.3', '--valid-every', '1000', '--save-every', '1000',
             '--time-limit', '0.04')                                                # 2.4 s: far shorter than the warmup
    assert r.returncode == 0, r.stderr[-3000:]
    s = json.loads((out/'summary.json').read_text())
    assert 2 <= s['steps'] < 400 and (out/'model'/'model.safetensors').exists() and (out/'model'/'tokenizer.json').exists()
    ms = [m for m in _metrics(out) if 'lr' in m]
    peak = max(m['lr'] for m in ms)
    if s['stopped_at_time_limit']: assert 'the decay did not finish' in r.stderr, r.stderr[-2000:]
    else: assert ms[-1]['lr'] < 0.3 * peak, (ms[-1], peak)                           # shrunk: warmup cut, decayed by the end
    r = _run(out, corpus, '--max-steps', '400', '--resume', '--vocab-size', '500', '--seq-len', '64')
    assert r.returncode == 2, r.stderr[-3000:]
    assert '--vocab-size 500 (the run has 300); --seq-len 64 (the run has 128)' in r.stderr, r.stderr[-3000:]
    r = _run(out, corpus, '--max-steps', '400', '--resume', '--corpus', 'stdlib')
    assert r.returncode == 2 and f"--corpus 'stdlib' (the run has '{corpus}')" in r.stderr, r.stderr[-3000:]

"`tools/cpu_compile_bench.py --quick`: the script end to end on a small model (torch.compile's 'eager' backend: graphs traced and split at attention, no kernels built; about a minute at one thread)."
import json, math, os, subprocess, sys
import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(ROOT), 'HF_HUB_OFFLINE': '1'}

def test_quick(tmp_path):
    out = tmp_path / 'bench.json'
    r = subprocess.run([sys.executable, 'tools/cpu_compile_bench.py', '--quick', '--train-threads', '1', '--out', str(out)],
                       cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(out.read_text())
    assert res['quick'] is True and res['inductor_cache'] == 'cold'
    assert [x['dtype'] for x in res['training']] == ['float32', 'bfloat16']
    for x in res['training']:
        assert len(set(x['tokens'])) > 1                                   # batches of different token counts...
        assert x['graphs_first_step'] > 0 and x['graphs_after_first_step'] == 0   # ...and nothing traced after the first
        fl = x['first_loss']                                               # the same weights and batch: the same loss
        assert abs(fl['plain'] - fl['compiled']) < 1e-5 * abs(fl['plain']) and abs(fl['plain'] - math.log(512)) < 1.5
        assert len(x['seconds']['plain']) == len(x['seconds']['compiled']) == x['rounds'] + x['warmup'] == len(x['tokens'])
        assert all(math.isfinite(l) for l in x['losses']['plain'] + x['losses']['compiled'])
        cost = max(x['compile_s'] + x['eval_compile_s'], 0)                # the 12-minute arithmetic, recomputed
        t = x['tokens_12min']
        assert math.isclose(t['plain'], 720 * x['plain_tokens_per_s']) and math.isclose(t['compiled'], max(720 - cost, 0) * x['compiled_tokens_per_s'])
        assert math.isclose(x['gain_12min'], t['compiled'] / t['plain'])
        r_ = x['compiled_tokens_per_s'] / x['plain_tokens_per_s']
        if x['break_even_min'] is None: assert r_ <= 1
        else:                                                             # at the break-even length both train as many tokens
            T = x['break_even_min'] * 60
            assert math.isclose(T * x['plain_tokens_per_s'], (T - cost) * x['compiled_tokens_per_s'], rel_tol=1e-6)
    assert [(x['dtype'], x['setting']) for x in res['inference']] == [('float32', 'fixed'), ('float32', 'variable'),
                                                                     ('bfloat16', 'fixed'), ('bfloat16', 'variable')]
    for x in res['inference']:
        d = x['max_abs_diff']
        lim = 1e-5 if x['dtype'] == 'float32' else 5e-2
        assert d['compiled_vs_plain'] < lim and d['plain_vs_transformers'] < 10 * lim, d   # transformers on the same weights
        assert x['plain_tokens_per_s'] > 0 and x['compiled_tokens_per_s'] > 0 and x['transformers_tokens_per_s'] > 0
    assert 'pays from' in r.stdout and 'compiled/plain' in r.stdout

def test_bad_arguments(capsys):
    sys.path.insert(0, str(ROOT / 'tools'))
    from cpu_compile_bench import parse
    for args, msg in ((['--rounds', '0'], '--rounds 0'), (['--hidden', '100'], 'multiple of 64'), (['--hidden', 'x'], 'widths separated'),
                      (['--warmup', '0'], 'the first step compiles')):
        with pytest.raises(SystemExit): parse(args)
        assert msg in capsys.readouterr().err
    a = parse(['--quick'])
    assert (a.rounds, a.warmup, a.reps, a.hidden) == (2, 1, 2, [64])

"`tools/gpu_finetune_bench.py` on a CPU at the tiny size: both sides fine-tune end to end and the JSON has what the GPU run writes."
import json, math, os, subprocess, sys
import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': '', 'PYTHONPATH': str(ROOT), 'HF_HUB_OFFLINE': '1'}

def run(*args, timeout=240):
    return subprocess.run([sys.executable, 'tools/gpu_finetune_bench.py', *args], cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=timeout)

def test_tiny_on_cpu(tmp_path):
    r = run('--out', str(tmp_path), '--steps', '5', '--warmup', '2', '--batch-size', '4', '--max-length', '64')
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'gpu_finetune_bench.json').read_text())
    info, runs, s = res['info'], res['runs'], res['summary']
    assert info['size'] == 'tiny' and info['layers'] == 2 and info['bf16'] is False and info['steps'] == 5 and info['warmup'] == 2
    assert 0 < info['padding_share_transformers'] < 1 and 16 <= info['mean_tokens'] <= 64
    # the same weights and first batch before any step: transformers' model computes our loss (float32 on a CPU)
    init = info['initial_loss']
    assert abs(init['ours'] - init['transformers']) < 1e-4, init
    assert abs(init['ours'] - math.log(info['num_labels'])) < 1.0          # a fresh head: about uniform over the classes
    assert [(x['who'], x['repeat']) for x in runs] == [('transformers', 0), ('ours', 0)]
    for x in runs:
        assert 'error' not in x, x
        assert len(x['losses']) == 5 and all(math.isfinite(l) for l in x['losses']) and x['steps'] == 3
        assert x['steps_per_s'] > 0 and x['timed_s'] > 0 and x['peak_mem_gb'] is None
        assert abs(x['examples_per_s'] - x['steps_per_s'] * 4) < 1e-6 * x['examples_per_s']
        assert abs(x['tokens_per_s'] * x['timed_s'] - info['timed_real_tokens']) < 1e-6 * info['timed_real_tokens']
        assert x['losses'][0] == round(init['ours'], 5) or abs(x['losses'][0] - init['ours']) < 1e-4   # step 1 trains on batch 0 at lr 0
    assert runs[1]['compiled'] is False and runs[1]['attn_impl'] == 'sdpa'
    ours, theirs = s['ours']['final_loss'], s['transformers']['final_loss']
    assert math.isfinite(ours) and math.isfinite(theirs) and 0.5 < ours / theirs < 2      # the same order of magnitude
    assert abs(ours - theirs) < 0.05 * theirs                                              # the same data, weights, schedule: close
    assert s['ours_over_transformers']['speed'] == s['ours']['steps_per_s'] / s['transformers']['steps_per_s']
    assert 'ours / transformers:' in r.stdout and 'final loss' in r.stdout

def test_bad_arguments(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / 'tools'))
    from gpu_finetune_bench import parse
    for args, msg in ((['--steps', '3', '--warmup', '3'], '--warmup must be at least 1 and fewer than --steps (3)'),
                      (['--size', 'huge'], "invalid choice: 'huge'"), (['--batch-size', '0'], '--batch-size must be at least 1'),
                      (['--model', str(tmp_path / 'nothing')], 'no config.json there')):
        with pytest.raises(SystemExit) as e: parse(['--out', str(tmp_path), *args])
        assert e.value.code == 2 and msg in capsys.readouterr().err, args

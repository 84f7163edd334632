"`tools/gpu_sweep.py` on a CPU (tiny preset, uncompiled): it runs end to end and writes what the GPU run will."
import json, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_sweep_runs_on_cpu(tmp_path):
    env = {**os.environ, 'OMP_NUM_THREADS': '2', 'CUDA_VISIBLE_DEVICES': '', 'PYTHONPATH': str(ROOT)}
    r = subprocess.run([sys.executable, 'tools/gpu_sweep.py', '--out', str(tmp_path), '--variants', 'copies,flash,kv64', '--budget', '300'],
                       cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'gpu_sweep.json').read_text())
    got = {(row['who'], row['setting']) for row in res['rows'] if 'tokens_per_s' in row}
    for who in ('transformers', 'copies', 'kv64'):
        assert all((who, s) in got for s in ('short fixed', 'short var', 'long fixed', 'long var')), got
    assert res['best'] in ('copies', 'kv64')
    assert 'CUDA only' in res['parity']['flash']['error'] and not any(r['who'] == 'flash' for r in res['rows'])   # recorded, not timed
    assert all(res['parity'][v]['mean_abs_diff'] < 1e-5 for v in ('copies', 'kv64')), res['parity']   # float32 on a CPU: the same numbers
    assert set(res['profiles']) == {'ours copies', 'ours kv64', 'transformers'}
    assert all(p['by_kind'] for p in res['profiles'].values())
    assert (tmp_path / 'profile.txt').read_text().count('==') == 3
    assert 'best variant' in r.stdout
    sys.path.insert(0, str(ROOT / 'tools'))
    from gpu_sweep import summary
    text = summary(res)                                         # what 13_benchmarks renders from a committed sweep
    assert text in r.stdout and 'parity flash: ValueError' in text
    assert len(re.findall(r'\d\.\d\dx', text)) == 8                # copies and kv64 in 4 settings, as x transformers

def test_kernel_kinds():
    sys.path.insert(0, str(ROOT / 'tools'))
    from gpu_sweep import kernel_kind
    names = {'sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64': 'matmul', 'nvjet_hsh_256x128_64x4_1x2_h_bz_coopA_NTT': 'matmul',
             'triton_tem_fused_flex_attention_0': 'attention', 'triton_tem_fused_0': 'attention', 'triton_tem_fused_addmm_3': 'matmul',
             'triton_poi_fused_add_native_layer_norm_2': 'fused elementwise', 'triton_per_fused_native_layer_norm_1': 'fused elementwise',
             'void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>>': 'other', 'aten::mm': 'matmul'}
    assert {n: kernel_kind(n) for n in names} == names

def test_sweep_rejects_unknown_variant(tmp_path):
    r = subprocess.run([sys.executable, 'tools/gpu_sweep.py', '--out', str(tmp_path), '--variants', 'views,fast'],
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'PYTHONPATH': str(ROOT)}, timeout=120)
    assert r.returncode != 0 and "unknown variant(s) ['fast']" in r.stderr

#!/usr/bin/env python3
"""Which attention settings (flex's, or flash) make our forward fastest, and where its time goes: one short GPU call.

    PYTHONPATH=. python3 tools/gpu_sweep.py --out DIR [--budget 360]      (make gpu-sweep)

On CUDA: the `base` preset, bf16, batches of 65,536 token slots as in `modernbert-bench`. transformers' ModernBERT
(sdpa, padded) is measured once per setting; then our compiled model, packed, under each variant of the options
`modernbert_nb.flex.FlexOptions` holds (set on that model by `set_attention_options`), each compiled afresh on the
same weights and batches in the same process:

  copies     the default: q, k, v copied head-major before the kernel (what the committed H100 figures ran)
  flash      attn_impl='flash': FlashAttention-2's varlen kernel (flash-attn's, else PyTorch's own with a window),
             no block masks to build; where neither is present the variant is recorded as not run
  flash+graphs  flash, each compiled layer replayed as a CUDA graph (no masks to copy into the graphs' inputs)
  views      FlexOptions(contiguous=False): strided views in, the output in the query's layout (no copies)
  kv64       64-key tiles on local layers (FlexOptions(local_kv_block=64)): a third fewer scores
  views+kv64 both
  graphs     each compiled layer replayed as a CUDA graph (mode='reduce-overhead'): no launch gaps
  autotune   kv64 compiled with mode='max-autotune-no-cudagraphs' (Triton searches matmul and flex tile configs)
  kv32       32-key tiles on local layers

Every variant runs the four settings (all are 65,536-token runs: one compile for flex; flash compiles once per
bucket of max_seqlen and of documents, in the warm-up calls, which are not timed), and one forward
(short fixed) under torch.profiler, as does transformers: device time by kind of kernel (matmuls, attention, fused
elementwise, other) and the GPU's idle share, the top kernels in DIR/profile.txt. The best variant is the one with
the highest sum of ratios on the short settings among those that give transformers' numbers: every variant's output
on the short variable batch is compared with transformers' on the same documents (mean |diff| under 1e-2 in
bfloat16, where a correct run is near 1e-3). Everything goes to DIR/gpu_sweep.json; a table is printed last.

On a CPU it runs the tiny preset on small batches uncompiled, to test the script.
"""
from __future__ import annotations
import argparse, gc, json, sys, time, traceback
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from modernbert_nb.flex import FlexOptions
from modernbert_nb.attention import set_attention_options
from modernbert_nb.bench import (SETTINGS, padded_batch, packed_batch, median_time, batch_flops, matmul_peak, model_pair,
                                 versions)
from modernbert_nb.compile import compile_model, uncompile_model

VIEWS, KV64 = FlexOptions(contiguous=False), FlexOptions(local_kv_block=64)
VARIANTS = {   # name: (the flex backend's options, torch.compile mode, attn_impl); measured in this order
    'copies': (FlexOptions(), None, 'flex'), 'flash': (FlexOptions(), None, 'flash'),
    'flash+graphs': (FlexOptions(), 'reduce-overhead', 'flash'), 'views': (VIEWS, None, 'flex'),
    'kv64': (KV64, None, 'flex'), 'views+kv64': (FlexOptions(contiguous=False, local_kv_block=64), None, 'flex'),
    'graphs': (FlexOptions(), 'reduce-overhead', 'flex'), 'autotune': (KV64, 'max-autotune-no-cudagraphs', 'flex'),
    'kv32': (FlexOptions(local_kv_block=32), None, 'flex'),
}

NEEDS = {'autotune': 240}   # seconds of budget a variant needs to start (compile, 5 measurements, profile); default 45
PARITY = 1e-2   # mean |ours - transformers| allowed: a correct bfloat16 run is near 1e-3, a wrong kernel near 1

def kernel_kind(name:str) -> str:
    "Sort a kernel into matmul / attention / fused elementwise / other by its name."
    n = name.lower()
    if 'flex' in n or 'flash' in n or 'fmha' in n or 'attention' in n: return 'attention'
    if any(s in n for s in ('gemm', 'cutlass', 'nvjet', 'xmma', 'cublas', 'matmul', 'sm90_', 'sm80_')) or n in ('aten::mm', 'aten::addmm', 'aten::bmm') \
       or (n.startswith('triton_tem') and 'mm' in n): return 'matmul'                 # autotuned matmuls are Triton templates too
    if n.startswith('triton_tem'): return 'attention'                                   # inductor's other template here: FlexAttention
    if n.startswith('triton_'): return 'fused elementwise'
    return 'other'

def profile(fn, device, top:int=25):
    "Device time by kernel kind and the idle share of one call of `fn` (after a warm-up), and a top-kernels table."
    from torch.profiler import profile as tprofile, ProfilerActivity
    from torch.autograd import DeviceType
    gpu = torch.device(device).type == 'cuda'
    fn(); fn()
    if gpu: torch.cuda.synchronize()
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else [])
    with tprofile(activities=acts) as prof:
        t0 = time.perf_counter(); fn()
        if gpu: torch.cuda.synchronize()
        wall = time.perf_counter() - t0
    evs = prof.key_averages()
    dev_time = lambda e: getattr(e, 'self_device_time_total', None) or getattr(e, 'self_cuda_time_total', 0) or 0
    kinds, kernels = {}, []
    for e in evs:
        if gpu and e.device_type != DeviceType.CUDA: continue     # CPU ops also carry their kernels' time: count kernels once
        t = dev_time(e) if gpu else e.self_cpu_time_total
        if t <= 0: continue
        kinds[kernel_kind(e.key)] = kinds.get(kernel_kind(e.key), 0) + t / 1e6
        kernels.append((t / 1e6, e.count, e.key))
    busy = sum(kinds.values())
    kernels.sort(reverse=True)
    table = '\n'.join(f"{t * 1e3:9.2f} ms {c:6d}x  {kernel_kind(k):<17} {k[:110]}" for t, c, k in kernels[:top])
    return dict(wall_s=wall, busy_s=busy, idle_share=max(0.0, 1 - busy / wall) if gpu else None,
                by_kind={k: v for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])}), table

def summary(res:dict) -> str:
    "The sweep's table (k tokens/s, and x transformers), parity, best variant and profile split, as text."
    tps = {(r['who'], r['setting']): r['tokens_per_s'] for r in res['rows'] if 'tokens_per_s' in r}
    out = [f"{res['device']}, {res['dtype']}, {res['slots']:,} slots; torch {res['torch']}, transformers {res['transformers']}; "
           f"peak {res['peak_flops'] / 1e12:.3g} TFLOP/s; {res.get('seconds', 0):.0f} s",
           f"{'':>14}" + ''.join(f"{s:>13}" for s in SETTINGS) + '   (k tokens/s; x = / transformers)']
    for who in dict.fromkeys(r['who'] for r in res['rows']):
        cells = []
        for s in SETTINGS:
            v, ref = tps.get((who, s)), tps.get(('transformers', s))
            cells.append('-' if v is None else f"{v / 1e3:.0f}" + (f" {v / ref:.2f}x" if ref and who != 'transformers' else ''))
        out.append(f"{who:>14}" + ''.join(f"{c:>13}" for c in cells))
    for n, p in res['parity'].items():
        out.append(f"parity {n}: " + (f"mean |diff| {p['mean_abs_diff']:.2g}, max {p['max_abs_diff']:.2g}" if 'mean_abs_diff' in p else p['error'][:200]))
    out.append(f"best variant (short settings, parity under {PARITY:g}): {res.get('best')}")
    for who, p in res['profiles'].items():
        if 'by_kind' in p:
            out.append(f"{who}: {p['wall_s'] * 1e3:.1f} ms per forward; " + ', '.join(f"{k} {v * 1e3:.1f} ms" for k, v in p['by_kind'].items())
                       + (f"; GPU idle {p['idle_share']:.0%}" if p['idle_share'] is not None else ''))
    return '\n'.join(out)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='runs/gpu_sweep', help='folder for gpu_sweep.json and profile.txt')
    ap.add_argument('--budget', type=float, default=360, help='seconds: no new measurement starts after this')
    ap.add_argument('--variants', default=','.join(VARIANTS), help=f'comma-separated, from {list(VARIANTS)}')
    ap.add_argument('--preset', default=None, help="default: 'base' on a GPU, 'tiny' on a CPU")
    a = ap.parse_args(argv)
    unknown = [v for v in a.variants.split(',') if v not in VARIANTS]
    if unknown: ap.error(f"unknown variant(s) {unknown}: allowed are {list(VARIANTS)}")
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    gpu = torch.cuda.is_available(); device = 'cuda' if gpu else 'cpu'
    dtype = torch.bfloat16 if gpu else torch.float32
    slots, lengths = (65536, dict(short=512, long=8192)) if gpu else (1024, dict(short=256, long=1024))
    warmup, iters = (3, 7) if gpu else (1, 3)
    t0 = time.time(); left = lambda: a.budget - (time.time() - t0)
    res = dict(device=torch.cuda.get_device_name() if gpu else 'CPU', dtype=str(dtype), slots=slots, lengths=lengths,
               **versions(), rows=[], profiles={})
    save = lambda: (out / 'gpu_sweep.json').write_text(json.dumps(res, indent=1))
    res['peak_flops'] = matmul_peak(device, dtype, 8192 if gpu else 1024, 10 if gpu else 3)
    ours, hf = model_pair(a.preset or ('base' if gpu else 'tiny'), device, dtype, 'flex', small=not gpu)
    cfg = ours.config
    g = torch.Generator().manual_seed(0)
    batches = {}
    for s in SETTINGS:
        kind, var = s.split(); L = lengths[kind]
        ids, am = padded_batch(L, slots, var == 'var', g)
        pids, cu, mx = packed_batch(L, slots, var == 'var', g)
        batches[s] = dict(padded=(ids.to(device), am.to(device)), packed=(pids.to(device), cu.to(device), mx),
                          real=int(am.sum()), flops=batch_flops(cfg, cu.diff().tolist()))
    def measure(who, setting, fn, real, flops=None):
        row = dict(who=who, setting=setting)
        try:
            with torch.inference_mode(): s = median_time(fn, device, warmup, iters)
            row.update(seconds=s, tokens_per_s=real / s, **({'mfu': flops / s / res['peak_flops']} if flops else {}))
        except Exception as e:
            row['error'] = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"; traceback.print_exc()
        res['rows'].append(row); save()
        print(f"[{time.time() - t0:5.0f}s] {who:>14} {setting:>11}: " + (f"{row['tokens_per_s'] / 1e3:8.1f}k tokens/s" if 'tokens_per_s' in row else row['error']), flush=True)
        return row
    def run_ours(name, setting):
        pids, cu, mx = batches[setting]['packed']
        return measure(name, setting, lambda: ours(pids, cu_seqlens=cu, max_seqlen=mx), len(pids), batches[setting]['flops'])
    def set_variant(name):
        options, mode, ours.config.attn_impl = VARIANTS[name]
        uncompile_model(ours); torch._dynamo.reset()
        set_attention_options(ours, flex=options)                      # this model's layers only: nothing process-wide
        compile_model(ours, mode=mode, compile_layers=gpu)             # CPU: bucketing only (compiling there is slow to build)

    v_ids, v_cu, v_mx = batches['short var']['packed']                   # the same documents, padded, for transformers
    docs = [v_ids[i:j] for i, j in zip(v_cu[:-1].tolist(), v_cu[1:].tolist())]
    p_ids = torch.nn.utils.rnn.pad_sequence(docs, batch_first=True)
    p_am = (torch.arange(p_ids.shape[1], device=device)[None] < v_cu.diff()[:, None]).long()
    with torch.inference_mode(): ref = hf(input_ids=p_ids, attention_mask=p_am).last_hidden_state[p_am.bool()].float()
    res['parity'] = {}
    def parity(name):
        "Mean and max |ours - transformers| on the short variable batch's documents."
        try:
            with torch.inference_mode(): d = (ours(v_ids, cu_seqlens=v_cu, max_seqlen=v_mx).last_hidden_state.float() - ref).abs()
            res['parity'][name] = dict(mean_abs_diff=d.mean().item(), max_abs_diff=d.max().item())
        except Exception as e: res['parity'][name] = dict(error=f"{type(e).__name__}: {e}"); traceback.print_exc()
        print(f"{name}: vs transformers on the same documents: {res['parity'][name]}", flush=True)
    tables = []
    def run_profile(who, fn):
        try:
            with torch.inference_mode(): res['profiles'][who], table = profile(fn, device)
            tables.append(f"== {who}, short fixed\n{table}")
        except Exception as e: res['profiles'][who] = dict(error=f"{type(e).__name__}: {e}"); traceback.print_exc()
        (out / 'profile.txt').write_text('\n\n'.join(tables) + '\n')
    for s in SETTINGS:
        ids, am = batches[s]['padded']
        measure('transformers', s, lambda: hf(input_ids=ids, attention_mask=am), batches[s]['real'])
    ids, am = batches['short fixed']['padded']
    run_profile('transformers', lambda: hf(input_ids=ids, attention_mask=am))
    names = a.variants.split(',')
    for name in names:                      # one compile per variant: every setting runs 65,536-token runs, the same shapes
        if left() < NEEDS.get(name, 45): print(f"[{time.time() - t0:5.0f}s] {name}: skipped, {left():.0f} s of the budget left"); continue
        set_variant(name); parity(name)
        if 'error' in res['parity'][name]: continue                     # it did not run (or compile): nothing to time
        for s in SETTINGS: run_ours(name, s)
        pids, cu, mx = batches['short fixed']['packed']
        run_profile(f'ours {name}', lambda: ours(pids, cu_seqlens=cu, max_seqlen=mx))
    tps = {(r['who'], r['setting']): r['tokens_per_s'] for r in res['rows'] if 'tokens_per_s' in r}
    score = lambda n: sum(tps.get((n, s), 0) / max(tps.get(('transformers', s), 1), 1) for s in SETTINGS[:2])
    right = [n for n in names if res['parity'].get(n, {}).get('mean_abs_diff', 1) < PARITY and (n, SETTINGS[0]) in tps]
    res['best'] = max(right, key=score) if right else None
    res['seconds'] = time.time() - t0; save()
    del ours, hf; gc.collect()
    print('\n' + summary(res))
    return res

if __name__ == '__main__': main()

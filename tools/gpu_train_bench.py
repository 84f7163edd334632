#!/usr/bin/env python3
"""MLM *training* throughput: our ModernBertForMaskedLM on packed, unpadded batches vs transformers'
ModernBertForMaskedLM on the same documents padded, with the same weights, in the same run.

    PYTHONPATH=. python3 tools/gpu_train_bench.py --out DIR

On CUDA: the `base` preset, bf16 autocast, steps of 32 x 1024 = 32,768 token slots. Ours gets each step as one packed
batch (documents end to end, `cu_seqlens`, sparse MLM head on the 30% masked positions); transformers gets the same
documents padded, in micro-batches of 32 rows (gradient accumulation inside the step), as a padding collator would
give them. About 20 timed steps per row after warm-up. Real (non-padding) tokens per second and MFU (the model's
matmul FLOPs per token from `modernbert_nb.sizing`, the same for every row, over the bf16 matmul rate measured in
this run on 8192^3) are printed as a table and written to DIR/gpu_train_bench.json.

On CPU it runs a tiny configuration with a few steps, to test the script.

It needs only modernbert_nb's config, model, optim, sizing (and compile, if present); no corpus is read: documents are random ids with
lognormal lengths (median 300 tokens, clipped to [16, 1024]), like source files cut at definitions.
"""
from __future__ import annotations
import argparse, json, math, random, sys, tempfile, time
from pathlib import Path
import torch, torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from modernbert_nb.config import ModernBertConfig
from modernbert_nb.model import ModernBertForMaskedLM
from modernbert_nb.optim import StableAdamW, param_groups
from modernbert_nb.sizing import flops_per_token

CLS, SEP, PAD, MASK = 50281, 50282, 50283, 50284


def make_docs(n_steps:int, budget:int, max_len:int, vocab:int, seed:int=0) -> list[list[list[int]]]:
    "Per step, documents ([CLS] ids [SEP]) with lognormal lengths (median 300) that fill `budget` token slots."
    rng = random.Random(seed)
    steps = []
    for _ in range(n_steps):
        docs, room = [], budget
        while room >= 16:                               # draw documents until the budget is full; the last one fits exactly
            L = min(max_len, room, max(16, int(math.exp(rng.gauss(math.log(300), 0.9)))))
            docs.append(L); room -= L
        steps.append([[CLS] + [rng.randrange(1000, vocab - 100) for _ in range(L - 2)] + [SEP] for L in docs])
    return steps


def mask_labels(ids:torch.Tensor, g:torch.Generator, p:float=0.3):
    "30% of non-special tokens chosen; 80% -> [MASK], 10% random, 10% kept; labels -100 elsewhere."
    special = (ids >= CLS) & (ids <= MASK)
    chosen = (torch.rand(ids.shape, generator=g) < p) & ~special
    labels = torch.where(chosen, ids, -100)
    v = torch.rand(ids.shape, generator=g)
    out = torch.where(chosen & (v < 0.8), MASK, ids)
    out = torch.where(chosen & (v >= 0.8) & (v < 0.9), torch.randint(1000, 50000, ids.shape, generator=g), out)
    return out, labels


def packed_batch(docs, device, seed):
    "Our batch: flat ids, cu_seqlens, max_seqlen, position_ids, labels."
    g = torch.Generator().manual_seed(seed)
    flat = torch.tensor([t for d in docs for t in d])
    ids, labels = mask_labels(flat, g)
    lens = torch.tensor([len(d) for d in docs])
    cu = F.pad(lens.cumsum(0), (1, 0)).to(torch.int32)
    pos = torch.cat([torch.arange(L) for L in lens.tolist()])
    return dict(input_ids=ids.to(device), labels=labels.to(device), cu_seqlens=cu.to(device), max_seqlen=int(lens.max()),
                position_ids=pos.to(device))


def padded_batches(b, rows:int):
    "The same documents (same masks) padded, in micro-batches of `rows` rows: (input_ids, attention_mask, labels)."
    cu = b['cu_seqlens'].tolist()
    out = []
    for s in range(0, len(cu) - 1, rows):
        spans = list(zip(cu[s:s + rows + 1][:-1], cu[s + 1:s + rows + 1]))
        T = max(e - a for a, e in spans)
        ids = torch.full((len(spans), T), PAD, device=b['input_ids'].device)
        lab = torch.full((len(spans), T), -100, device=b['input_ids'].device)
        am = torch.zeros((len(spans), T), dtype=torch.long, device=b['input_ids'].device)
        for r, (a, e) in enumerate(spans):
            ids[r, :e - a] = b['input_ids'][a:e]; lab[r, :e - a] = b['labels'][a:e]; am[r, :e - a] = 1
        out.append((ids, am, lab))
    return out


def matmul_peak(device, dtype=torch.bfloat16, n=8192, reps=10) -> float:
    "Measured dense matmul FLOP/s on `device`."
    if device.type != 'cuda': n, reps, dtype = 1024, 3, torch.float32
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(2): a @ b
    sync(device); t = time.perf_counter()
    for _ in range(reps): a @ b
    sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - t)


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def run_row(name, model, step_fn, batches, warmup, device):
    "Warm up, then time the steps; returns tokens/s and the losses."
    for b in batches[:warmup]: step_fn(model, b)
    sync(device); t = time.perf_counter(); losses = []
    for b in batches[warmup:]: losses.append(step_fn(model, b))
    sync(device); dt = time.perf_counter() - t
    losses = [float(l) for l in losses]
    tokens = sum(int(b['input_ids'].numel()) for b in batches[warmup:])
    return dict(name=name, tokens_per_s=tokens / dt, seconds=dt, steps=len(batches) - warmup, last_loss=losses[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help='folder for gpu_train_bench.json')
    ap.add_argument('--steps', type=int, default=None, help='timed steps per row (default 20 on CUDA, 3 on CPU)')
    ap.add_argument('--warmup', type=int, default=None, help='warm-up steps per row (default 3 on CUDA, 1 on CPU)')
    ap.add_argument('--no-compile', action='store_true', help='skip the compiled rows')
    ap.add_argument('--time-budget', type=float, default=160, help='seconds; rows that would start after it are skipped')
    a = ap.parse_args(argv)
    t_start = time.perf_counter()
    cuda = torch.cuda.is_available()
    device = torch.device('cuda' if cuda else 'cpu')
    torch.manual_seed(0)
    if cuda:
        cfg = ModernBertConfig.from_preset('base', sparse_prediction=True)     # the MLM head on the masked 30% only
        budget, rows, max_len, steps, warmup, amp = 32 * 1024, 32, 1024, a.steps or 20, a.warmup or 3, True
        torch.backends.cuda.matmul.allow_tf32 = True
    else:
        cfg = ModernBertConfig.from_preset('tiny', num_hidden_layers=2, sparse_prediction=True)
        budget, rows, max_len, steps, warmup, amp = 2048, 8, 512, a.steps or 3, a.warmup or 1, False
    docs = make_docs(steps + warmup, budget, max_len, cfg.vocab_size)
    batches = [packed_batch(d, device, i) for i, d in enumerate(docs)]
    for b in batches: b['padded'] = padded_batches(b, rows)
    n_real = sum(int(b['input_ids'].numel()) for b in batches)
    n_padded = sum(x[0].numel() for b in batches for x in b['padded'])
    mean_len = n_real / sum(b['cu_seqlens'].numel() - 1 for b in batches)
    ref = ModernBertForMaskedLM(cfg)                                   # the weights every row starts from
    tmp = Path(tempfile.mkdtemp()); ref.save_pretrained(tmp)
    autocast = lambda: torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp)

    def ours_step(m, b):
        with autocast(): loss = m(b['input_ids'], labels=b['labels'], cu_seqlens=b['cu_seqlens'],
                                  max_seqlen=b['max_seqlen'], position_ids=b['position_ids']).loss
        loss.backward(); m.opt.step(); m.opt.zero_grad(set_to_none=True)
        return loss.detach()

    def hf_step(m, b):
        n_all = sum(int((lab != -100).sum()) for _, _, lab in b['padded'])
        total = 0.
        for ids, am, lab in b['padded']:                              # accumulate: loss weighted by masked tokens
            n = int((lab != -100).sum())
            with autocast(): loss = m(input_ids=ids, attention_mask=am, labels=lab).loss
            (loss * n / n_all).backward(); total = total + loss.detach() * n / n_all
        m.opt.step(); m.opt.zero_grad(set_to_none=True)
        return total

    def fused_adamw(m): return torch.optim.AdamW(m.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6, fused=cuda)

    def ours(compile_it=False, stable=False):
        m = ModernBertForMaskedLM(cfg).to(device); m.load_state_dict(ref.state_dict()); m.train()
        if compile_it:
            try: from modernbert_nb.compile import compile_model
            except ImportError: compile_model = None
            m = compile_model(m) if compile_model else torch.compile(m)
        m.opt = StableAdamW(param_groups(m), lr=1e-4) if stable else fused_adamw(m)
        return m

    def hf(sparse=False):
        from transformers import AutoModelForMaskedLM
        from transformers.utils import logging; logging.disable_progress_bar()
        m = AutoModelForMaskedLM.from_pretrained(tmp, attn_implementation='sdpa', sparse_prediction=sparse).to(device).train()
        m.opt = fused_adamw(m); return m

    plan = [('transformers sdpa, padded, full-vocab logits, fused AdamW', lambda: hf(False), hf_step),
            ('transformers sdpa, padded, sparse prediction, fused AdamW', lambda: hf(True), hf_step),
            ('ours packed (eager mode), fused AdamW', lambda: ours(), ours_step)]
    if not a.no_compile and cuda:
        plan += [('ours packed, compiled, fused AdamW', lambda: ours(True), ours_step),
                 ('ours packed, compiled, StableAdamW (the recipe)', lambda: ours(True, True), ours_step)]
    else: plan += [('ours packed (eager mode), StableAdamW (the recipe)', lambda: ours(False, True), ours_step)]

    # the same loss on the same first batch, before any step: the rows really compute the same thing
    check = {}
    with torch.no_grad():
        m = ModernBertForMaskedLM(cfg).to(device); m.load_state_dict(ref.state_dict()); m.eval()
        b = batches[0]
        with autocast(): check['ours'] = float(m(b['input_ids'], labels=b['labels'], cu_seqlens=b['cu_seqlens'], max_seqlen=b['max_seqlen']).loss)
        del m
        try:
            from transformers import AutoModelForMaskedLM
            from transformers.utils import logging; logging.disable_progress_bar()
            h = AutoModelForMaskedLM.from_pretrained(tmp, attn_implementation='sdpa').to(device).eval()
            n_all = sum(int((lab != -100).sum()) for _, _, lab in b['padded'])
            with autocast(): check['transformers'] = sum(float(h(input_ids=i, attention_mask=am, labels=l).loss) * int((l != -100).sum()) / n_all for i, am, l in b['padded'])
            del h
        except ImportError: pass
    peak = matmul_peak(device)
    fpt = flops_per_token(cfg, max(1, round(mean_len)), training=True, masked_fraction=0.3)
    results = []
    for name, build, step in plan:
        if time.perf_counter() - t_start > a.time_budget:
            results.append(dict(name=name, skipped='time budget')); continue
        try:
            m = build()
            r = run_row(name, m, step, batches, warmup, device)
            r['mfu'] = r['tokens_per_s'] * fpt / peak
            results.append(r)
        except ImportError as e: results.append(dict(name=name, skipped=f'{type(e).__name__}: {e}'))
        except Exception as e: results.append(dict(name=name, error=f'{type(e).__name__}: {str(e)[:300]}'))
        m = None
        if cuda: torch.cuda.empty_cache()
    base = next((r['tokens_per_s'] for r in results if r['name'].startswith('transformers') and 'tokens_per_s' in r), None)
    for r in results:
        if base and 'tokens_per_s' in r: r['vs_transformers'] = r['tokens_per_s'] / base
    info = dict(device=torch.cuda.get_device_name() if cuda else 'cpu', torch=torch.__version__,
                transformers=__import__('transformers').__version__ if 'transformers' in sys.modules else None,
                config='base' if cuda else 'tiny (2 layers)', budget=budget, rows=rows, bf16=amp, timed_steps=steps, warmup=warmup,
                mean_doc_len=mean_len, padding_share_transformers=1 - n_real / n_padded, matmul_peak_flops=peak,
                flops_per_token=fpt, first_batch_loss=check, seconds=time.perf_counter() - t_start)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'gpu_train_bench.json').write_text(json.dumps(dict(info=info, results=results), indent=1))
    print(f"{info['device']}, torch {info['torch']}, transformers {info['transformers']}; {info['config']}, steps of {budget:,} "
          f"token slots (transformers: padded rows of {rows}, {info['padding_share_transformers']:.0%} padding); mean document "
          f"{mean_len:.0f} tokens; matmul peak {peak / 1e12:.3g} TFLOP/s; first-batch loss {check}")
    print(f"{'row':60s} {'tokens/s':>10s} {'MFU':>6s} {'vs transformers':>16s}")
    for r in results:
        if 'tokens_per_s' in r:
            print(f"{r['name']:60s} {r['tokens_per_s']:10,.0f} {r['mfu']:6.1%} {r.get('vs_transformers', float('nan')):15.2f}x")
        else: print(f"{r['name']:60s} {r.get('skipped') or r.get('error')}")
    print(f"({info['seconds']:.0f} s) -> {out/'gpu_train_bench.json'}")
    return results


if __name__ == '__main__': main()

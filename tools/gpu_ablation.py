"""The ablation grid of nbs/12_ablation.ipynb (BERT -> ModernBERT one change at a time) at a larger size, on a GPU.

    python tools/gpu_ablation.py --out gpu.json [--steps 300] [--seeds 0 1]
    python tools/gpu_ablation.py --check-backends      # every recipe on every attention backend present, against sdpa
    python tools/gpu_ablation.py --tiny --steps 3 --out /tmp/ablation.json     # a few seconds on a CPU (the test)

The default size: hidden 512 and 8 layers (deep-narrow: 16 layers of 384, the same non-embedding parameters),
documents of 1,024 tokens with a 128-token window, 32,768 token slots per step, bf16 autocast on CUDA, a tokenizer of
8,192 over the whole standard library. Each run is fine-tuned on Python token types afterwards (and `bert` and
`modernbert` from random weights, the floor), and the interleaved throughput gives each run's loss at equal time.
Writes the JSON `run_grid` writes (render it with `plot_results` and `format_table` of `modernbert_nb.ablation`) and
prints the table.

`--check-backends` runs `backend_parity` (nbs/12a_ablation_checks.ipynb) for every recipe at the chosen size: a token
classifier on four sequences of mixed lengths, padded and unpadded, against sdpa on each sequence alone in float32.
On CUDA: eager, sdpa and flex in float32 (within 1e-3), and every backend present, flash-attn included, in bfloat16
(within twice sdpa's own bfloat16 error plus 0.01). Without CUDA it says the GPU backends are skipped and checks
eager, sdpa and flex on the CPU in float32 (within 1e-5). Exits 1 if a backend is off.
"""
import argparse, os, sys, time
os.environ.setdefault('HF_HUB_OFFLINE', '1')

SIZES = {
    'gpu':  dict(data=dict(max_files=None, vocab_size=8192, seq_len=1024, budget=32768, cs_train=4096, cs_valid=500),
                 model=dict(hidden=512, layers=8, heads=8, mlp_intermediate=1536, seq_len=1024, window=128,
                            deep_layers=16, deep_hidden=384, deep_heads=6),
                 train=dict(lr=1e-3, eval_every=50, eval_batches=16, finetune_steps=100, token_steps=200, token_batch=32,
                            token_lr=1e-3), steps=300),
    'tiny': dict(data=dict(max_files=20, vocab_size=512, seq_len=128, budget=256, valid_files=200, cs_train=32, cs_valid=16,
                           tt_valid=16),
                 model=dict(hidden=32, layers=2, heads=2, mlp_intermediate=96, seq_len=128, window=16,
                            deep_layers=4, deep_hidden=24, deep_heads=2),
                 train=dict(lr=3e-3, eval_every=2, eval_batches=1, final_batches=2, finetune_steps=2, token_steps=2, token_batch=4,
                            throughput_rounds=1), steps=3),
}

def parse(argv=None):
    ap = argparse.ArgumentParser('gpu_ablation', description='BERT -> ModernBERT, one change at a time, at a larger size.')
    ap.add_argument('--out', help='the JSON file to write (needed unless --check-backends)')
    ap.add_argument('--tiny', action='store_true', help='tiny models and data: the whole grid in seconds on a CPU')
    ap.add_argument('--check-backends', action='store_true', help='check every recipe on every attention backend present, then exit')
    ap.add_argument('--steps', type=int, help="optimizer steps per run (default: 300; 3 with --tiny)")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='seeds: every recipe is run with each')
    ap.add_argument('--lr', type=float, help='peak learning rate for every recipe (default: 1e-3; 3e-3 with --tiny)')
    ap.add_argument('--finetune-steps', type=int, help='code-search fine-tune steps after pretraining (0: none)')
    ap.add_argument('--token-steps', type=int, help='token-type fine-tune steps after pretraining (0: none)')
    ap.add_argument('--threads', type=int, help='torch CPU threads')
    a = ap.parse_args(argv)
    if not a.out and not a.check_backends: ap.error("--out is required (or --check-backends)")
    if a.steps is not None and a.steps < 2: ap.error(f"--steps must be at least 2 (a warmup step and a decay step), got {a.steps}")
    if a.lr is not None and not a.lr > 0: ap.error(f"--lr must be positive, got {a.lr}")
    for k in ('finetune_steps', 'token_steps'):
        if getattr(a, k) is not None and getattr(a, k) < 0: ap.error(f"--{k.replace('_', '-')} must be >= 0, got {getattr(a, k)}")
    if len(set(a.seeds)) != len(a.seeds): ap.error(f"--seeds has repeats: {a.seeds}")
    return a

def check_backends(size:dict) -> bool:
    "Every recipe of `size` on every attention backend present, padded and unpadded, against sdpa on each sequence alone; True if all pass."
    import torch
    from modernbert_nb.ablation import ablation_recipes
    from modernbert_nb.ablation_checks import backend_parity
    ids = dict(vocab_size=size['data']['vocab_size'], pad_token_id=0, cls_token_id=1, sep_token_id=2, bos_token_id=1, eos_token_id=2,
               mask_token_id=3)
    n = size['model']['seq_len']
    lengths = (n * 3 // 4, 1, n // 2, 12)                             # two sequences longer than the window, one of a single token
    cuda = torch.cuda.is_available()
    if cuda:
        from modernbert_nb.flash import flash_present
        gpu = ('eager', 'sdpa', 'flex') + (('flash',) if flash_present() else ())
        if not flash_present(): print("flash: skipped (no flash kernel installed: flash-attn, or a PyTorch with one)")
        checks = [(torch.float32, ('eager', 'sdpa', 'flex')), (torch.bfloat16, gpu)]
    else:
        print("no CUDA: the GPU backends (flash-attn, FlexAttention's GPU kernels) are skipped; "
              "checking eager, sdpa and flex on the CPU in float32 instead")
        checks = [(torch.float32, ('eager', 'sdpa', 'flex'))]
    ok = True
    for r in ablation_recipes(ids, **size['model']):
        for dt, impls in checks:
            d = {k: max(v.values()) for k, v in backend_parity(r.config, impls, lengths=lengths, dtype=dt).items()}
            tol = (1e-3 if cuda else 1e-5) if dt == torch.float32 else 2 * d['sdpa'] + 1e-2
            bad = [k for k, v in d.items() if not v <= tol]
            ok &= not bad
            print(f"{r.name:<11} {str(dt).split('.')[-1]:<9}" + ''.join(f"{k} {v:.1e}  " for k, v in d.items()) +
                  (f"FAIL: {bad} above {tol:.1e}" if bad else f"ok (within {tol:.1e})"), flush=True)
    return ok

def main(argv=None):
    a = parse(argv)
    import torch, datasets
    from modernbert_nb.ablation import ablation_data, ablation_recipes, token_ids, run_grid, summarize, format_table
    datasets.disable_progress_bars()
    if a.threads: torch.set_num_threads(a.threads)
    size = SIZES['tiny' if a.tiny else 'gpu']
    if a.check_backends: sys.exit(0 if check_backends(size) else 1)
    over = (('lr', a.lr), ('finetune_steps', a.finetune_steps), ('token_steps', a.token_steps))
    train = dict(size['train'], **{k: v for k, v in over if v is not None})
    t0 = time.perf_counter()
    data = ablation_data(**size['data'])
    recipes = ablation_recipes(token_ids(data.tok), **size['model'])
    print(f"data: {len(data.train)} batches of {data.budget:,} slots, {len(data.valid)} held out ({time.perf_counter() - t0:.0f}s); "
          f"{len(recipes)} recipes x {len(a.seeds)} seeds on {'cuda' if torch.cuda.is_available() else 'cpu'}", flush=True)
    res = run_grid(recipes, data, a.steps or size['steps'], tuple(a.seeds), out=a.out, log=lambda s: print(s, flush=True), **train)
    print(format_table(summarize(res['runs'] + res['floor'])))
    print(f"{len(res['runs'])} runs in {res['meta']['total_s'] / 60:.1f} min; results in {a.out}")

if __name__ == '__main__': main()

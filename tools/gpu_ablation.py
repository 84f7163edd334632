"""The ablation grid of nbs/12_ablation.ipynb (BERT -> ModernBERT one change at a time) at a larger size, on a GPU.

    python tools/gpu_ablation.py --out gpu.json [--steps 300] [--seeds 0 1]
    python tools/gpu_ablation.py --tiny --steps 3 --out /tmp/ablation.json     # a few seconds on a CPU (the test)

The default size: hidden 512 and 8 layers (deep-narrow: 16 layers of 384, the same non-embedding parameters),
documents of 1,024 tokens with a 128-token window, 32,768 token slots per step, bf16 autocast on CUDA, a tokenizer of
8,192 over the whole standard library. Writes the JSON `run_grid` writes (render it with `plot_results` and
`format_table` of `modernbert_nb.ablation`) and prints the table.
"""
import argparse, os, sys, time
os.environ.setdefault('HF_HUB_OFFLINE', '1')

SIZES = {
    'gpu':  dict(data=dict(max_files=None, vocab_size=8192, seq_len=1024, budget=32768, cs_train=4096, cs_valid=500),
                 model=dict(hidden=512, layers=8, heads=8, mlp_intermediate=1536, seq_len=1024, window=128,
                            deep_layers=16, deep_hidden=384, deep_heads=6),
                 train=dict(lr=1e-3, eval_every=50, eval_batches=16, finetune_steps=100), steps=300),
    'tiny': dict(data=dict(max_files=20, vocab_size=512, seq_len=128, budget=256, valid_files=200, cs_train=32, cs_valid=16),
                 model=dict(hidden=32, layers=2, heads=2, mlp_intermediate=96, seq_len=128, window=16,
                            deep_layers=4, deep_hidden=24, deep_heads=2),
                 train=dict(lr=3e-3, eval_every=2, eval_batches=1, final_batches=2, finetune_steps=2), steps=3),
}

def parse(argv=None):
    ap = argparse.ArgumentParser('gpu_ablation', description='BERT -> ModernBERT, one change at a time, at a larger size.')
    ap.add_argument('--out', required=True, help='the JSON file to write')
    ap.add_argument('--tiny', action='store_true', help='tiny models and data: the whole grid in seconds on a CPU')
    ap.add_argument('--steps', type=int, help="optimizer steps per run (default: 300; 3 with --tiny)")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='seeds: every recipe is run with each')
    ap.add_argument('--lr', type=float, help='peak learning rate for every recipe (default: 1e-3; 3e-3 with --tiny)')
    ap.add_argument('--finetune-steps', type=int, help='code-search fine-tune steps after pretraining (0: none)')
    ap.add_argument('--threads', type=int, help='torch CPU threads')
    a = ap.parse_args(argv)
    if a.steps is not None and a.steps < 2: ap.error(f"--steps must be at least 2 (a warmup step and a decay step), got {a.steps}")
    if a.lr is not None and not a.lr > 0: ap.error(f"--lr must be positive, got {a.lr}")
    if a.finetune_steps is not None and a.finetune_steps < 0: ap.error(f"--finetune-steps must be >= 0, got {a.finetune_steps}")
    if len(set(a.seeds)) != len(a.seeds): ap.error(f"--seeds has repeats: {a.seeds}")
    return a

def main(argv=None):
    a = parse(argv)
    import torch, datasets
    from modernbert_nb.ablation import ablation_data, ablation_recipes, token_ids, run_grid, summarize, format_table
    datasets.disable_progress_bars()
    if a.threads: torch.set_num_threads(a.threads)
    size = SIZES['tiny' if a.tiny else 'gpu']
    train = dict(size['train'], **{k: v for k, v in (('lr', a.lr), ('finetune_steps', a.finetune_steps)) if v is not None})
    t0 = time.perf_counter()
    data = ablation_data(**size['data'])
    recipes = ablation_recipes(token_ids(data.tok), **size['model'])
    print(f"data: {len(data.train)} batches of {data.budget:,} slots, {len(data.valid)} held out ({time.perf_counter() - t0:.0f}s); "
          f"{len(recipes)} recipes x {len(a.seeds)} seeds on {'cuda' if torch.cuda.is_available() else 'cpu'}", flush=True)
    res = run_grid(recipes, data, a.steps or size['steps'], tuple(a.seeds), out=a.out, log=lambda s: print(s, flush=True), **train)
    print(format_table(summarize(res['runs'])))
    print(f"{len(res['runs'])} runs in {res['meta']['total_s'] / 60:.1f} min; results in {a.out}")

if __name__ == '__main__': main()

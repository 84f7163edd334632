#!/usr/bin/env python3
"""torch.compile on a CPU: compiled against plain, with the compile time counted.

    OMP_NUM_THREADS=2 .venv/bin/python tools/cpu_compile_bench.py --out runs/cpu_compile_bench.json

Training: the `tiny` pretraining preset (hidden 256, 6 layers, vocabulary 8192, packed batches of up to 4,096 tokens of
documents up to 512 long, sparse MLM head, StableAdamW as `modernbert-pretrain` sets it up), one optimizer step per
call, plain and compiled (`modernbert_nb.compile.compile_model`: on a CPU the layers are compiled around the sdpa
attention) in turn on the same batches, in float32 and under bf16 autocast, on `--train-threads` threads (2, as
`make pretrain` runs). Reported: medians of real tokens/s, the median per-round speed-up, the compile time (what the
compiled model's first steps took beyond its steady step, plus its first held-out evaluation's compile, which a
pretraining run also pays), the graphs compiled after the first step (should be 0: the token count is dynamic), and
what that makes of a 12-minute `--time-limit` run: tokens trained each way, and the run length from which compiling
pays (`break_even_min`).

Inference: `modernbert_nb.bench.cpu_inference`'s settings (a ModernBertModel of 6 layers at hidden 384 and 768, heads
of 64, sdpa; a padded batch of 2 x 512 tokens, and one of 4 rows of variable lengths; float32 and bf16 autocast; 9
rounds, 1 thread): plain, compiled and transformers' ModernBertModel on the same weights, called in turn.

Each part (training in one precision, inference at one width) runs in a fresh Python process with an empty inductor
cache (a fresh TORCHINDUCTOR_CACHE_DIR), so its compile pays what a first run on a machine pays. `compile_s_warm` is the same compile again in the same process after `torch._dynamo.reset()`, with the kernels
cached on disk: what later runs on that machine pay. Run it on a quiet machine: the ratios are per round, but the
compile time is not. Output: a table, and JSON in --out.

`--quick`: a smoke run of about a minute (a small model, 2 rounds, torch.compile's 'eager' backend, which traces the
graphs and splits them at attention but builds no kernels): it checks the script, not the speed.
"""
from __future__ import annotations
import argparse, json, os, random, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUN_MIN = 12                         # `make pretrain`'s --time-limit, minutes
QUICK_BACKEND = 'eager'              # --quick: graphs traced and split at attention, run as traced (no kernels, no AOT backward)


def parse(argv=None):
    ap = argparse.ArgumentParser('cpu_compile_bench', description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='runs/cpu_compile_bench.json', help='JSON file for the results')
    ap.add_argument('--rounds', type=int, default=20, help='timed training rounds (one plain and one compiled step each)')
    ap.add_argument('--warmup', type=int, default=2, help='training rounds before the timed ones (compiles happen here)')
    ap.add_argument('--reps', type=int, default=9, help='timed inference rounds')
    ap.add_argument('--train-threads', type=int, default=2, help="torch threads for training (make pretrain's 2)")
    ap.add_argument('--infer-threads', type=int, default=1, help="torch threads for inference (cpu_inference's 1)")
    ap.add_argument('--hidden', default='384,768', help='inference widths, comma-separated multiples of 64')
    ap.add_argument('--skip', choices=('training', 'inference'), help='leave one part out')
    ap.add_argument('--warm-cache', action='store_true', help="use the machine's inductor cache instead of an empty one")
    ap.add_argument('--quick', action='store_true', help='a smoke run of about a minute: small model, 2 rounds, no kernels built')
    ap.add_argument('--part', help=argparse.SUPPRESS)   # one part, run by the parent in a fresh process: train:float32, infer:384, ...
    a = ap.parse_args(argv)
    for k in ('rounds', 'reps', 'train_threads', 'infer_threads'):
        if getattr(a, k) < 1: ap.error(f"--{k.replace('_', '-')} {getattr(a, k)}: give a whole number >= 1")
    if a.warmup < 1: ap.error(f"--warmup {a.warmup}: give a whole number >= 1 (the first step compiles)")
    try: a.hidden = [int(h) for h in a.hidden.split(',')]
    except ValueError: ap.error(f"--hidden {a.hidden!r}: give widths separated by commas, e.g. 384,768")
    if any(h < 64 or h % 64 for h in a.hidden): ap.error(f"--hidden {a.hidden}: each width must be a positive multiple of 64")
    if Path(a.out).is_dir(): ap.error(f"--out {a.out} is a folder: give a JSON file path")
    if a.quick: a.rounds, a.warmup, a.reps, a.hidden = min(a.rounds, 2), 1, min(a.reps, 2), [64]
    return a



import torch
from torch._dynamo.utils import counters
from modernbert_nb.config import ModernBertConfig
from modernbert_nb.model import ModernBertForMaskedLM, ModernBertModel
from modernbert_nb.compile import compile_model
from modernbert_nb.optim import StableAdamW, param_groups
from modernbert_nb.packing import pack_documents, make_batch
from modernbert_nb.masking import mask_tokens, MLM_PROB, EVAL_MLM_PROB
from modernbert_nb.pretrain import TRAIN_PRESETS
from modernbert_nb.bench import alternate, speedup, cpu_config, cpu_name, hf_copy, padded_batch, versions

SPECIAL = [0, 1, 2, 3, 4]            # [PAD] [UNK] [CLS] [SEP] [MASK]: never masked nor drawn
MASK_ID = 4


def median(xs): xs = sorted(xs); n = len(xs); return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def train_batches(n:int, budget:int, seq_len:int, vocab:int, mlm_prob:float=MLM_PROB, seed:int=0) -> list[dict]:
    "`n` packed MLM batches as `modernbert-pretrain` gives them: documents of lognormal lengths (median 300), best-fit packed into `budget` slots."
    rng = random.Random(seed)
    lens = [min(seq_len, max(16, int(rng.lognormvariate(5.7, 0.9)))) for _ in range(3 * n * budget // 300 + 8)]
    bins = pack_documents(lens, budget, seq_len, seed)[:-1]              # the last bin is the leftovers: not typical
    rng.shuffle(bins)
    g = torch.Generator().manual_seed(seed)
    out = []
    for b in (bins * (n // len(bins) + 1))[:n]:
        batch = make_batch([[rng.randrange(len(SPECIAL), vocab) for _ in range(lens[i])] for i in b])
        batch['input_ids'], batch['labels'] = mask_tokens(batch['input_ids'], MASK_ID, SPECIAL, vocab, mlm_prob, g)
        out.append(batch)
    return out


def graphs() -> int: return counters['stats']['unique_graphs']


class Trainer:
    "A model, its optimizer (as `modernbert-pretrain` sets them up) and one training step or one held-out evaluation per call."
    def __init__(self, cfg, state, compiled:bool, bf16:bool, lr:float, backend:str):
        self.model = ModernBertForMaskedLM(cfg).train()
        self.model.load_state_dict(state)
        if compiled: compile_model(self.model, backend=backend)
        self.opt = StableAdamW(param_groups(self.model, 1e-5), lr=lr, betas=(0.9, 0.98), eps=1e-6)
        self.bf16 = bf16
    def forward(self, b):
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=self.bf16):
            return self.model(b['input_ids'], labels=b['labels'], cu_seqlens=b['cu_seqlens'], max_seqlen=b['max_seqlen'],
                              position_ids=b['position_ids']).loss
    def step(self, b) -> float:
        "One optimizer step on batch `b`; its loss."
        loss = self.forward(b)
        loss.backward(); self.opt.step(); self.opt.zero_grad(set_to_none=True)
        return loss.item()
    def evaluate(self, b) -> float:
        self.model.eval()
        try:
            with torch.no_grad(): return self.forward(b).item()
        finally: self.model.train()


def timed(f, *a):
    t0 = time.perf_counter(); r = f(*a); return r, time.perf_counter() - t0


def bench_training(bf16:bool, rounds:int, warmup:int, threads:int, quick:bool=False, log=print) -> dict:
    "Plain and compiled tiny-preset training steps in turn on the same batches: tokens/s, speed-up, compile time, a 12-minute run."
    p = TRAIN_PRESETS['tiny']
    size = dict(hidden_size=64, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4, vocab_size=512) if quick else {}
    budget, seq_len = (512, 256) if quick else (p['budget'], p['seq_len'])
    cfg = ModernBertConfig.from_preset('tiny', **{'vocab_size': p['vocab_size'], 'sparse_prediction': True, **size})
    backend = QUICK_BACKEND if quick else 'inductor'
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    state = ModernBertForMaskedLM(cfg).state_dict()
    batches = train_batches(warmup + rounds, budget, seq_len, cfg.vocab_size)
    held = train_batches(1, budget, seq_len, cfg.vocab_size, EVAL_MLM_PROB, seed=1)[0]
    torch._dynamo.reset(); counters.clear()
    plain, comp = (Trainer(cfg, state, c, bf16, p['lr'], backend) for c in (False, True))
    ts, losses = dict(plain=[], compiled=[]), dict(plain=[], compiled=[])
    for i, b in enumerate(batches):                                       # in turn: the machine's drift hits both
        for name, tr in (('plain', plain), ('compiled', comp)):
            loss, t = timed(tr.step, b)
            ts[name].append(t); losses[name].append(loss)
        if i == 0: graphs_first = graphs()
    graphs_after = graphs() - graphs_first
    evals = {name: [timed(tr.evaluate, held)[1] for _ in range(3)] for name, tr in (('plain', plain), ('compiled', comp))}
    tokens = [int(b['cu_seqlens'][-1]) for b in batches]
    med = {k: median(v[warmup:]) for k, v in ts.items()}
    t_warm = None
    if not quick:                                                         # the same compile again, kernels cached on disk
        torch._dynamo.reset(); t_warm = timed(comp.step, batches[-1])[1] - med['compiled']
    tps = {k: median([n / t for n, t in zip(tokens[warmup:], v[warmup:])]) for k, v in ts.items()}
    compile_s = sum(ts['compiled'][:warmup]) - warmup * med['compiled']
    eval_compile_s = evals['compiled'][0] - median(evals['compiled'][1:])
    cost = max(compile_s + eval_compile_s, 0.)
    run_s = RUN_MIN * 60
    row = dict(preset='tiny', dtype='bfloat16' if bf16 else 'float32', threads=threads, rounds=rounds, warmup=warmup,
               tokens_per_step=median(tokens), tokens=tokens, backend=backend,
               first_loss=dict(plain=losses['plain'][0], compiled=losses['compiled'][0]),   # the same weights: the same loss
               plain_tokens_per_s=tps['plain'], compiled_tokens_per_s=tps['compiled'],
               speedup=speedup({k: v[warmup:] for k, v in ts.items()}, 'compiled', 'plain'),
               compile_s=compile_s, eval_compile_s=eval_compile_s, compile_s_warm=t_warm,
               graphs_first_step=graphs_first, graphs_after_first_step=graphs_after,
               eval_s=dict(plain=median(evals['plain'][1:]), compiled=median(evals['compiled'][1:])),
               seconds=ts, losses=losses)
    r = row['compiled_tokens_per_s'] / row['plain_tokens_per_s']
    row[f'tokens_{RUN_MIN}min'] = dict(plain=run_s * row['plain_tokens_per_s'], compiled=max(run_s - cost, 0) * row['compiled_tokens_per_s'])
    row[f'gain_{RUN_MIN}min'] = row[f'tokens_{RUN_MIN}min']['compiled'] / row[f'tokens_{RUN_MIN}min']['plain']
    row['break_even_min'] = cost / (1 - 1 / r) / 60 if r > 1 else None    # T*: T r_plain = (T - cost) r_compiled
    log(f"training {row['dtype']:>8}, {threads} threads: plain {tps['plain']:6.0f}, compiled {tps['compiled']:6.0f} tokens/s "
        f"({row['speedup']:.2f}x); compile {compile_s:.0f} s + {eval_compile_s:.0f} s (evaluation), warm {row['compile_s_warm'] or float('nan'):.0f} s; "
        f"{RUN_MIN} min: {row[f'gain_{RUN_MIN}min']:.2f}x the tokens; graphs after the first step: {graphs_after}", flush=True)
    return row


def bench_inference(hidden:int, reps:int, threads:int, quick:bool=False, layers:int=6, seq:int=512, rows:int=2, seed:int=0, log=print) -> list:
    "Plain, compiled and transformers' forward in turn on `cpu_inference`'s batches, float32 and bf16 autocast."
    torch.set_num_threads(threads)
    if quick: layers, seq = 2, 128
    torch.manual_seed(seed)
    plain = ModernBertModel(cpu_config(hidden, layers)).eval()
    comp = ModernBertModel(cpu_config(hidden, layers)).eval(); comp.load_state_dict(plain.state_dict())
    hf = hf_copy(plain).eval()
    torch._dynamo.reset(); counters.clear()
    compile_model(comp, backend=QUICK_BACKEND if quick else 'inductor')
    g = torch.Generator().manual_seed(seed)
    batches = {'fixed': padded_batch(seq, rows * seq, False, g), 'variable': padded_batch(seq, 2 * rows * seq, True, g)}
    out = []
    for dtype in (torch.float32, torch.bfloat16):
        for setting, (ids, am) in batches.items():
            fns = dict(plain=lambda: plain(ids, am), compiled=lambda: comp(ids, am), transformers=lambda: hf(input_ids=ids, attention_mask=am))
            with torch.inference_mode(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
                n0 = graphs()
                (h_c, t_first) = timed(lambda: comp(ids, am).last_hidden_state.float())
                h_p, h_t = plain(ids, am).last_hidden_state.float(), hf(input_ids=ids, attention_mask=am).last_hidden_state.float()
                n1 = graphs()
                ts = alternate(fns, reps)
            real, m = int(am.sum()), am.bool()
            med = {k: median(v) for k, v in ts.items()}
            row = dict(hidden=hidden, layers=layers, dtype=str(dtype).replace('torch.', ''), setting=setting, shape=list(ids.shape),
                       real_tokens=real, threads=threads, graphs_compiled=n1 - n0, compile_s=t_first - med['compiled'],
                       max_abs_diff=dict(compiled_vs_plain=(h_c - h_p)[m].abs().max().item(), plain_vs_transformers=(h_p - h_t)[m].abs().max().item()),
                       compiled_speedup=speedup(ts, 'compiled', 'plain'), plain_vs_transformers=speedup(ts, 'plain', 'transformers'),
                       compiled_vs_transformers=speedup(ts, 'compiled', 'transformers'), seconds=ts,
                       **{f"{k}_tokens_per_s": real / v for k, v in med.items()})
            out.append(row)
            log(f"inference hidden {hidden}, {row['dtype']:>8}, {setting:>8}: plain {row['plain_tokens_per_s']:7.0f}, compiled "
                f"{row['compiled_tokens_per_s']:7.0f}, transformers {row['transformers_tokens_per_s']:7.0f} tokens/s; compiled "
                f"{row['compiled_speedup']:.2f}x plain (compile {row['compile_s']:.0f} s, {row['graphs_compiled']} graphs)", flush=True)
    return out


def table(r:dict) -> str:
    "The result as text: one line per training precision and per inference setting."
    lines = [f"{r['cpu']}; torch {r['torch']}, transformers {r['transformers']}; inductor cache {r['inductor_cache']}; "
             f"load average {r['loadavg_start']:.1f} at the start, {r['loadavg_end']:.1f} at the end"]
    if r.get('training'):
        lines += [f"training, tiny preset (real tokens/s; compile = first steps + first evaluation, s)",
                  f"{'dtype':>9}{'threads':>8}{'plain':>8}{'compiled':>10}{'speed-up':>10}{'compile':>9}{'warm':>6}"
                  f"{'recompiles':>11}{f'{RUN_MIN} min gain':>13}{'pays from':>11}"]
        for x in r['training']:
            be = f"{x['break_even_min']:.1f} min" if x['break_even_min'] is not None else 'never'
            lines.append(f"{x['dtype']:>9}{x['threads']:>8}{x['plain_tokens_per_s']:8.0f}{x['compiled_tokens_per_s']:10.0f}"
                         f"{x['speedup']:9.2f}x{x['compile_s'] + x['eval_compile_s']:9.0f}{x['compile_s_warm'] or float('nan'):6.0f}"
                         f"{x['graphs_after_first_step']:11d}{x[f'gain_{RUN_MIN}min']:12.2f}x{be:>11}")
    if r.get('inference'):
        lines += ['inference (real tokens/s; speed-ups are medians of per-round ratios)',
                  f"{'hidden':>6}{'dtype':>10}{'setting':>10}{'plain':>8}{'compiled':>10}{'transformers':>14}"
                  f"{'compiled/plain':>16}{'compiled/tf':>13}{'compile s':>11}"]
        for x in r['inference']:
            lines.append(f"{x['hidden']:>6}{x['dtype']:>10}{x['setting']:>10}{x['plain_tokens_per_s']:8.0f}"
                         f"{x['compiled_tokens_per_s']:10.0f}{x['transformers_tokens_per_s']:14.0f}{x['compiled_speedup']:15.2f}x"
                         f"{x['compiled_vs_transformers']:12.2f}x{x['compile_s']:11.0f}")
    return '\n'.join(lines)


def run_part(a) -> dict:
    "One part in this process: {'training': [row]} or {'inference': rows}."
    kind, what = a.part.split(':')
    if kind == 'train': return dict(training=[bench_training(what == 'bfloat16', a.rounds, a.warmup, a.train_threads, a.quick)])
    return dict(inference=bench_inference(int(what), a.reps, a.infer_threads, a.quick))


def main(argv=None) -> dict:
    "Each part in a fresh process (a compile pays PyTorch's one-time costs, as a run would) with an empty inductor cache; the merged result."
    a, args = parse(argv), list(sys.argv[1:] if argv is None else argv)
    if a.part: part = run_part(a); Path(a.out).write_text(json.dumps(part)); return part
    parts = ([] if a.skip == 'training' else ['train:float32', 'train:bfloat16']) + ([] if a.skip == 'inference' else [f'infer:{h}' for h in a.hidden])
    res = dict(cpu=cpu_name(), **versions(), quick=a.quick, inductor_cache='warm' if a.warm_cache else 'cold',
               loadavg_start=os.getloadavg()[0], training=[], inference=[])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, part in enumerate(parts):
            env = dict(os.environ, PYTHONPATH=str(ROOT))
            if not a.warm_cache: env['TORCHINDUCTOR_CACHE_DIR'] = str(Path(tmp) / f'inductor-{i}')   # empty: the first run's compile
            out = Path(tmp) / f'part-{i}.json'
            r = subprocess.run([sys.executable, __file__, *args, '--part', part, '--out', str(out)], env=env)
            if r.returncode: raise SystemExit(f"cpu_compile_bench: the part {part} failed (exit {r.returncode})")
            for k, v in json.loads(out.read_text()).items(): res[k] += v
    res.update(loadavg_end=os.getloadavg()[0], wall_s=time.perf_counter() - t0)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True); out.write_text(json.dumps(res, indent=1))
    print('\n' + table(res) + f"\n{res['wall_s']:.0f} s in all; JSON in {out}", flush=True)
    return res


if __name__ == '__main__': main()

#!/usr/bin/env python3
"""Fine-tuning speed: our sequence classifier on the `Learner` (packed, unpadded batches) against transformers'
ModernBertForSequenceClassification trained by its `Trainer` (padded batches), same weights, same examples, same steps.

    PYTHONPATH=. python3 tools/gpu_finetune_bench.py --out runs/gpu_finetune_bench      (make gpu-finetune-bench)

On one H100 this takes 3 to 5 minutes (estimated from tools/gpu_train_bench.py's figures: mostly our compile warm-up,
one compile per bucket of token counts, and transformers' steps; no run starts after `--budget`, 270 s). It needs torch,
transformers and accelerate (the Trainer's), and no network.

On CUDA: the `base` preset with random weights (or `--model DIR`), 200 optimizer steps of 32 examples up to 512
tokens, bf16 autocast, the first 20 steps not timed, each side run twice, alternating (transformers, ours, ours,
transformers); medians are reported. On a CPU: `--size tiny` (the tiny preset, 2 layers), 6 steps of 8 examples up to
128 tokens, float32, once each (the test).

Both sides start from the same weights (ours drawn, saved, and loaded by transformers) and train on the same examples
in the same order (step i gets examples i*B .. i*B+B-1 on both), with the same learning-rate schedule (10% linear
warmup, then 1-sqrt decay to 0, `finetune_classifier`'s, transformers' 'warmup_stable_decay') and no gradient clipping:
  transformers  ModernBertForSequenceClassification (attn_implementation='sdpa'), `Trainer` with a padding collator,
                its default AdamW (fused on CUDA) with our betas, eps and weight decay, `bf16=True` on CUDA, logging
                every step, no evaluation, no saving, `report_to=[]`
  ours          what `finetune_classifier` runs: the `Learner` with `ClassificationTask`, StableAdamW (the recipe),
                packed batches (`packing.make_batch`), bf16 autocast on CUDA; on CUDA compiled (`Learner(compile=True)`,
                the best backend present: FlashAttention if installed, else FlexAttention), with each compiled shape
                built before the training starts (in `setup_s`, with the model's copy)
Measured after the warm-up steps: optimizer steps/s, examples/s, real (non-padding) tokens/s, peak GPU memory, and the
loss of each step; the last step's loss of both sides is printed as a check (the same data and weights: they should be
close; the optimizers differ only in StableAdamW's per-tensor update clipping). Written to DIR/gpu_finetune_bench.json.

Data (`--data`): `synthetic` (the default; needs nothing more): random token ids with lognormal
lengths (median 3/8 of the max length) in which each class plants its own marker tokens, so the loss can fall; or
`code`: which standard-library package a function comes from (`modernbert_nb.finetune.module_classification`, needs
`datasets`), tokenised by `--model DIR`'s tokenizer or one trained here on the training texts.
"""
from __future__ import annotations
import argparse, gc, json, math, platform, random, sys, tempfile, time, traceback
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from modernbert_nb.config import ModernBertConfig
from modernbert_nb.model import ModernBertForSequenceClassification
from modernbert_nb.attention import default_attn_impl
from modernbert_nb.learner import Callback, Learner, to_device
from modernbert_nb.tasks import ClassificationTask
from modernbert_nb.packing import make_batch
from modernbert_nb.optim import WSDSchedule

SIZES = {'tiny': ('tiny', dict(num_hidden_layers=2)), 'base': ('base', {})}     # --size: (config preset, overrides)
DEFAULTS = {'cuda': dict(size='base', steps=200, warmup=20, batch_size=32, max_length=512, repeats=2),
            'cpu': dict(size='tiny', steps=6, warmup=2, batch_size=8, max_length=128, repeats=1)}
BETAS, EPS, WEIGHT_DECAY = (0.9, 0.98), 1e-6, 1e-5     # StableAdamW's defaults; given to the Trainer's AdamW too


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def synthetic_examples(n:int, max_len:int, num_labels:int, config, seed:int=0) -> tuple[list, list]:
    "n (ids, label): [CLS] random ids [SEP], lognormal lengths in [16, max_len]; class y plants its markers 100+16y..100+16y+15."
    rng, lo, hi = random.Random(seed), 100 + 16 * num_labels, config.vocab_size - 128
    special = {getattr(config, k) for k in ('pad_token_id', 'cls_token_id', 'sep_token_id', 'mask_token_id', 'bos_token_id', 'eos_token_id')}
    if hi - lo < 1000: raise ValueError(f"vocab_size {config.vocab_size} is too small for synthetic data (needs > {lo + 1128})")
    ids, labels = [], []
    for _ in range(n):
        L = min(max_len, max(16, int(math.exp(rng.gauss(math.log(max_len * 3 / 8), 0.7)))))
        y = rng.randrange(num_labels)
        body = [rng.randrange(lo, hi) for _ in range(L - 2)]
        body = [t if t not in special else lo for t in body]
        for _ in range(max(1, (L - 2) // 16)): body[rng.randrange(L - 2)] = 100 + 16 * y + rng.randrange(16)
        ids.append([config.cls_token_id, *body, config.sep_token_id]); labels.append(y)
    return ids, labels


def code_examples(n:int, max_len:int, model_dir, seed:int=0) -> tuple[list, list, int]:
    "n (ids, label) of the module-classification task, in a shuffled order repeated as needed; and the number of classes."
    from modernbert_nb.finetune import module_classification
    from modernbert_nb.tokenizer import train_tokenizer, load_tokenizer
    from modernbert_nb.classify import encode_texts
    ds = module_classification('train')
    tok = load_tokenizer(model_dir) if model_dir and (Path(model_dir) / 'tokenizer.json').exists() else train_tokenizer(ds['text'], 8192)
    ids, labels, order, rng = encode_texts(tok, ds['text'], max_len=max_len), ds['label'], [], random.Random(seed)
    while len(order) < n: idx = list(range(len(ids))); rng.shuffle(idx); order += idx
    return [ids[i] for i in order[:n]], [labels[i] for i in order[:n]], ds.features['label'].num_classes


class PackedSteps:
    "Our batches, collated when drawn as `LabelledBatches(packed=True)` does: step i packs examples i*B .. i*B+B-1."
    def __init__(self, ids, labels, bs): self.ids, self.labels, self.bs = ids, labels, bs
    def __len__(self): return len(self.ids) // self.bs
    def __iter__(self):
        for i in range(len(self)):
            j = slice(i * self.bs, (i + 1) * self.bs)
            yield dict(**make_batch(self.ids[j]), labels=torch.tensor(self.labels[j]))


def pad_collate(pad_id:int):
    "A padding collator (as transformers' DataCollatorWithPadding): ids padded to the batch's longest, attention_mask, labels."
    def collate(examples):
        T = max(len(e['input_ids']) for e in examples)
        ids = torch.full((len(examples), T), pad_id, dtype=torch.long)                 # (B, T)
        am = torch.zeros((len(examples), T), dtype=torch.long)                          # (B, T)
        for r, e in enumerate(examples): ids[r, :len(e['input_ids'])] = torch.tensor(e['input_ids']); am[r, :len(e['input_ids'])] = 1
        return dict(input_ids=ids, attention_mask=am, labels=torch.tensor([e['labels'] for e in examples]))
    return collate


class Timer(Callback):
    "Ours: the loss of every step; the time from the end of the warm-up steps to the end of the last."
    order = 30
    def __init__(self, warmup): self.warmup, self.losses = warmup, []
    def after_batch(self, learn):
        self.losses.append(learn.loss)
        if learn.step == self.warmup: sync(learn.device); self.t0 = time.perf_counter()
        if learn.step == learn.max_steps: sync(learn.device); self.t1 = time.perf_counter()


def run_ours(ref, ids, labels, a, device, amp, compile_it) -> dict:
    "Fine-tune a copy of `ref` on the Learner as `finetune_classifier` does; compiled shapes built before the timed steps."
    from modernbert_nb.compile import compiled_attn_impl, encoder_of
    from modernbert_nb.flex import bucket_tokens
    t_start = time.perf_counter()
    model = ModernBertForSequenceClassification(ref.config); model.load_state_dict(ref.state_dict())
    n_warm = round(0.1 * a.steps)
    timer, data = Timer(a.warmup), PackedSteps(ids, labels, a.batch_size)
    learn = Learner(model, data, lr=a.lr, schedule=WSDSchedule(n_warm, a.steps, decay=a.steps - n_warm), device=device, amp=amp,
                    compile=compile_it, task=ClassificationTask(), cbs=[timer])
    impl = compiled_attn_impl(encoder_of(model), device) if compile_it else (model.config.attn_impl or default_attn_impl(device))
    if compile_it:   # one forward and backward per compiled shape the run will meet (no optimizer step: the weights stay)
        def key(b):   # what a compiled layer is specialised to (`compile.prepared_batch`): the bucketed token count; for flash
            real, T = int(b['cu_seqlens'][-1]), bucket_tokens(int(b['cu_seqlens'][-1]))   # also max_seqlen and the document count
            if impl != 'flash': return (T,)
            L = bucket_tokens(b['max_seqlen'], 8, 64)
            return T, L, bucket_tokens(len(b['cu_seqlens']) + len(range(real + L, T + L, L)), 8, 16)
        firsts = {}
        for b in data: firsts.setdefault(key(b), b)
        learn.model.train()
        for b in firsts.values():
            b = to_device(b, learn.device)
            with learn.autocast(): learn.task.loss(learn.task.forward(learn.model, b), b).backward()
            learn.opt.zero_grad(set_to_none=True)
        sync(device)
    t_compiled = time.perf_counter()
    graphs = lambda: torch._dynamo.utils.counters['stats']['unique_graphs']
    g0 = graphs()
    learn.fit(a.steps)
    out = dict(attn_impl=impl, compiled=compile_it, setup_s=t_compiled - t_start, total_s=time.perf_counter() - t_start,
               timed_s=timer.t1 - timer.t0, losses=timer.losses)
    if compile_it: out.update(compiled_shapes=len(firsts), graphs_compiled_in_fit=graphs() - g0)
    return out


def run_transformers(model_dir, ids, labels, a, device, amp) -> dict:
    "Fine-tune transformers' ModernBertForSequenceClassification (sdpa) on the same examples with its Trainer."
    from transformers import ModernBertForSequenceClassification as HFModel, Trainer, TrainerCallback, TrainingArguments
    t_start = time.perf_counter()
    model = HFModel.from_pretrained(model_dir, attn_implementation='sdpa', dtype=torch.float32)

    class Timed(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == a.warmup: sync(device); self.t0 = time.perf_counter()
            if state.global_step == a.steps: sync(device); self.t1 = time.perf_counter()

    class InOrder(Trainer):                       # the examples in the given order: the same batches as ours
        def _get_train_sampler(self, *args, **kw): return torch.utils.data.SequentialSampler(self.train_dataset)

    n_warm = round(0.1 * a.steps)
    with tempfile.TemporaryDirectory() as d:
        args = TrainingArguments(output_dir=d, max_steps=a.steps, per_device_train_batch_size=a.batch_size, learning_rate=a.lr,
                                 lr_scheduler_type='warmup_stable_decay', warmup_steps=n_warm,
                                 lr_scheduler_kwargs=dict(num_decay_steps=a.steps - n_warm, decay_type='1-sqrt'),
                                 adam_beta1=BETAS[0], adam_beta2=BETAS[1], adam_epsilon=EPS, weight_decay=WEIGHT_DECAY / a.lr,
                                 max_grad_norm=0., bf16=amp, use_cpu=device.type != 'cuda', logging_steps=1, save_strategy='no',
                                 eval_strategy='no', report_to=[], disable_tqdm=True, dataloader_num_workers=0, seed=a.seed)
        timed = Timed()
        trainer = InOrder(model=model, args=args, data_collator=pad_collate(model.config.pad_token_id), callbacks=[timed],
                          train_dataset=[dict(input_ids=x, labels=y) for x, y in zip(ids, labels)])
        from transformers import PrinterCallback
        trainer.remove_callback(PrinterCallback)
        trainer.train()
    losses = [h['loss'] for h in trainer.state.log_history if 'loss' in h]
    opt = getattr(trainer.optimizer, 'optimizer', trainer.optimizer)          # under accelerate's wrapper
    return dict(optimizer=type(opt).__name__ + (' (fused)' if opt.defaults.get('fused') else ''),
                total_s=time.perf_counter() - t_start, timed_s=timed.t1 - timed.t0, losses=losses)


@torch.no_grad()
def initial_losses(ref, model_dir, ids, labels, a, device, amp) -> dict:
    "The loss of the first batch before any step, ours (packed) and transformers' (padded): the same weights compute the same."
    out, j = {}, slice(0, a.batch_size)
    m = ModernBertForSequenceClassification(ref.config).to(device).eval(); m.load_state_dict(ref.state_dict())
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
        out['ours'] = float(m(**to_device(make_batch(ids[j]), device), labels=torch.tensor(labels[j], device=device)).loss)
    del m
    try:
        from transformers import ModernBertForSequenceClassification as HFModel
        h = HFModel.from_pretrained(model_dir, attn_implementation='sdpa', dtype=torch.float32).to(device).eval()
        b = to_device(pad_collate(h.config.pad_token_id)([dict(input_ids=x, labels=y) for x, y in zip(ids[j], labels[j])]), device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp): out['transformers'] = float(h(**b).loss)
        del h
    except Exception as e: out['transformers_error'] = f"{type(e).__name__}: {e}"
    return out


def median(xs): xs = sorted(xs); return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def summarize(runs, info) -> dict:
    "Per side: medians over repeats of steps/s, examples/s, real tokens/s; the largest peak memory; the first run's losses."
    out = {}
    for who in ('transformers', 'ours'):
        rs = [r for r in runs if r['who'] == who and 'steps_per_s' in r]
        if not rs: continue
        out[who] = dict(runs=len(rs), **{k: median([r[k] for r in rs]) for k in ('steps_per_s', 'examples_per_s', 'tokens_per_s')},
                        peak_mem_gb=max(r['peak_mem_gb'] for r in rs) if rs[0]['peak_mem_gb'] is not None else None,
                        final_loss=rs[0]['final_loss'], tail_loss=rs[0]['tail_loss'])
    if len(out) == 2:
        o, t = out['ours'], out['transformers']
        out['ours_over_transformers'] = dict(speed=o['steps_per_s'] / t['steps_per_s'],
                                             peak_mem=o['peak_mem_gb'] / t['peak_mem_gb'] if o['peak_mem_gb'] else None,
                                             final_loss_rel_diff=abs(o['final_loss'] - t['final_loss']) / abs(t['final_loss']))
    return out


def table(res) -> str:
    "The short printed report of a result."
    i, s = res['info'], res['summary']
    lines = [f"{i['device']}; torch {i['torch']}, transformers {i['transformers']}; {i['size']} ({i['layers']} layers of {i['hidden']}), "
             f"{'bf16 autocast' if i['bf16'] else 'float32'}; {i['data']} data, {i['num_labels']} classes",
             f"{i['steps']} steps ({i['warmup']} not timed) of {i['batch_size']} examples up to {i['max_length']} tokens, "
             f"mean {i['mean_tokens']:.0f} real tokens (transformers' batches {i['padding_share_transformers']:.0%} padding); "
             f"loss before training: {i['initial_loss']}",
             f"{'':>14} {'steps/s':>9} {'examples/s':>11} {'tokens/s':>10} {'peak GB':>8} {'final loss':>11}   (median of runs)"]
    for who in ('transformers', 'ours'):
        if who in s:
            r = s[who]; mem = f"{r['peak_mem_gb']:8.2f}" if r['peak_mem_gb'] is not None else f"{'-':>8}"
            lines.append(f"{who:>14} {r['steps_per_s']:9.2f} {r['examples_per_s']:11.1f} {r['tokens_per_s']:10,.0f} {mem} {r['final_loss']:11.4f}   ({r['runs']})")
    for r in res['runs']:
        if 'error' in r: lines.append(f"{r['who']:>14} run {r['repeat']}: {r['error']}")
    if 'ours_over_transformers' in s:
        q = s['ours_over_transformers']
        lines.append(f"ours / transformers: {q['speed']:.2f}x steps/s" + (f", {q['peak_mem']:.2f}x peak memory" if q['peak_mem'] else '')
                     + f"; final losses differ by {q['final_loss_rel_diff']:.1%}")
    return '\n'.join(lines)


def parse(argv=None):
    ap = argparse.ArgumentParser('gpu_finetune_bench', description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help='folder for gpu_finetune_bench.json')
    ap.add_argument('--size', choices=list(SIZES), help="'base' (default on CUDA) or 'tiny' (the tiny preset with 2 layers; default on a CPU)")
    ap.add_argument('--model', help='a model folder (ours or transformers\' ModernBERT) instead of random weights; a new head is drawn')
    ap.add_argument('--data', choices=('synthetic', 'code'), default='synthetic', help='the examples (see above)')
    ap.add_argument('--steps', type=int, help='optimizer steps per run (default 200 on CUDA, 6 on a CPU)')
    ap.add_argument('--warmup', type=int, help='first steps not timed (default 20 on CUDA, 2 on a CPU)')
    ap.add_argument('--batch-size', type=int, help='examples per step (default 32 on CUDA, 8 on a CPU)')
    ap.add_argument('--max-length', type=int, help='tokens per example at most, [CLS] and [SEP] included (default 512 on CUDA, 128 on a CPU)')
    ap.add_argument('--repeats', type=int, help='runs per side, alternating (default 2 on CUDA, 1 on a CPU)')
    ap.add_argument('--lr', type=float, default=5e-5, help='peak learning rate')
    ap.add_argument('--num-labels', type=int, default=4, help='classes of the synthetic data')
    ap.add_argument('--compile', dest='compile', action='store_true', default=None,
                    help='compile ours (the default on CUDA; on a CPU slow to build, for checking the path)')
    ap.add_argument('--no-compile', dest='compile', action='store_false', help='run ours uncompiled')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--budget', type=float, default=270, help='seconds: no run starts after this')
    a = ap.parse_args(argv)
    a.device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    for k, v in DEFAULTS[a.device.type].items():
        if getattr(a, k) is None: setattr(a, k, v)
    for k in ('steps', 'batch_size', 'repeats', 'num_labels'):
        low = 2 if k == 'num_labels' else 1
        if getattr(a, k) < low: ap.error(f"--{k.replace('_', '-')} must be at least {low}, got {getattr(a, k)}")
    if not 1 <= a.warmup < a.steps: ap.error(f"--warmup must be at least 1 and fewer than --steps ({a.steps}), got {a.warmup}")
    if a.max_length < 16: ap.error(f"--max-length must be at least 16, got {a.max_length}")
    if not a.lr > 0: ap.error(f"--lr must be positive, got {a.lr}")
    if a.model and not (Path(a.model) / 'config.json').is_file(): ap.error(f"--model {a.model}: no config.json there; give a model folder")
    if Path(a.out).is_file(): ap.error(f"--out {a.out} is a file: give a folder")
    return a, ap


def main(argv=None):
    a, ap = parse(argv)
    device, t0 = a.device, time.perf_counter()
    from transformers.utils import logging; logging.disable_progress_bar(); logging.set_verbosity_error()
    cuda = device.type == 'cuda'
    if cuda: torch.backends.cuda.matmul.allow_tf32 = True
    n = a.steps * a.batch_size
    if a.data == 'code': ids, labels, a.num_labels = code_examples(n, a.max_length, a.model, a.seed)
    torch.manual_seed(a.seed)
    if a.model: ref = ModernBertForSequenceClassification.from_pretrained(a.model, num_labels=a.num_labels, classifier_pooling='mean')
    else:
        preset, over = SIZES[a.size]
        ref = ModernBertForSequenceClassification(ModernBertConfig.from_preset(preset, **over, num_labels=a.num_labels, classifier_pooling='mean'))
    cfg = ref.config
    if a.max_length > cfg.max_position_embeddings: ap.error(f"--max-length {a.max_length} is over the model's {cfg.max_position_embeddings} positions")
    if a.data == 'synthetic': ids, labels = synthetic_examples(n, a.max_length, a.num_labels, cfg, a.seed)
    tmp = tempfile.TemporaryDirectory(); ref.save_pretrained(tmp.name)          # the weights both sides start from
    real = [sum(len(x) for x in ids[i * a.batch_size:(i + 1) * a.batch_size]) for i in range(a.steps)]
    slots = [a.batch_size * max(len(x) for x in ids[i * a.batch_size:(i + 1) * a.batch_size]) for i in range(a.steps)]
    amp, compile_it = cuda, cuda if a.compile is None else a.compile
    import transformers
    info = dict(device=torch.cuda.get_device_name() if cuda else f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)",
                torch=torch.__version__, transformers=transformers.__version__, python=platform.python_version(),
                size=f"--model {a.model}" if a.model else a.size, layers=cfg.num_hidden_layers, hidden=cfg.hidden_size,
                data=a.data, num_labels=a.num_labels, steps=a.steps, warmup=a.warmup, batch_size=a.batch_size, max_length=a.max_length,
                lr=a.lr, bf16=amp, repeats=a.repeats, mean_tokens=sum(real) / n, timed_real_tokens=sum(real[a.warmup:]),
                padding_share_transformers=1 - sum(real) / sum(slots),
                initial_loss=initial_losses(ref, tmp.name, ids, labels, a, device, amp))
    runs = []
    res = dict(info=info, runs=runs)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    save = lambda: (out / 'gpu_finetune_bench.json').write_text(json.dumps(res, indent=1))
    timed = a.steps - a.warmup
    for rep in range(a.repeats):
        for who in (('transformers', 'ours') if rep % 2 == 0 else ('ours', 'transformers')):
            row = dict(who=who, repeat=rep)
            if time.perf_counter() - t0 > a.budget: row['error'] = 'skipped: time budget spent'; runs.append(row); continue
            gc.collect()
            if cuda: torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
            try:
                r = run_ours(ref, ids, labels, a, device, amp, compile_it) if who == 'ours' else run_transformers(tmp.name, ids, labels, a, device, amp)
                ls = r['losses']
                row.update(r, steps=timed, steps_per_s=timed / r['timed_s'], examples_per_s=timed * a.batch_size / r['timed_s'],
                           tokens_per_s=info['timed_real_tokens'] / r['timed_s'], peak_mem_gb=torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
                           final_loss=ls[-1], tail_loss=sum(ls[-max(1, len(ls) // 10):]) / max(1, len(ls) // 10), losses=[round(l, 5) for l in ls])
            except Exception as e:                    # recorded (e.g. no `accelerate` for the Trainer); the other side still runs
                traceback.print_exc(); row['error'] = f"{type(e).__name__}: {(str(e).strip().splitlines() or [''])[0][:300]}"
            runs.append(row); save()
            print(f"[{time.perf_counter() - t0:5.0f}s] {who} run {rep}: " + (f"{row['steps_per_s']:.2f} steps/s, final loss {row['final_loss']:.4f}"
                                                                         if 'steps_per_s' in row else row['error']), flush=True)
    tmp.cleanup()
    res['summary'] = summarize(runs, info); info['seconds'] = time.perf_counter() - t0; save()
    print(table(res) + f"\n({info['seconds']:.0f} s) -> {out / 'gpu_finetune_bench.json'}")
    return res


if __name__ == '__main__': main()

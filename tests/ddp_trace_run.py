"""Entry script for test_torchrun.py: a tiny pretraining run whose ranks record what they train on.

    torchrun --standalone --nproc_per_node 2 tests/ddp_trace_run.py OUT MAX_STEPS [--resume]

It builds a `RunConfig` and adds one callback through `setup(run, cbs=...)`: `TraceDataCB`, with which every rank
fingerprints each micro-batch it trains on, and rank 0 gathers the fingerprints and writes them to OUT/data_trace.jsonl.
"""
import hashlib, json, sys
from pathlib import Path
from modernbert_nb.learner import Callback
from modernbert_nb.pretrain import RunConfig, setup, fit, export
from modernbert_nb.trainstate import _gather

class TraceDataCB(Callback):
    "Rank 0 appends, per step, a fingerprint of each rank's micro-batches to `path` as a JSON line."
    def __init__(self, path): self.path = Path(path)
    def before_batch(self, learn):
        fp = [hashlib.sha1(b['input_ids'].numpy().tobytes()).hexdigest()[:12] for b in learn.batches]
        ranks = _gather(fp)                                   # every rank's list, in rank order
        if learn.rank == 0:
            with open(self.path, 'a') as f: f.write(json.dumps(dict(step=learn.step + 1, ranks=ranks)) + '\n')

if __name__ == '__main__':
    out, max_steps, resume = sys.argv[1], int(sys.argv[2]), '--resume' in sys.argv[3:]
    run = RunConfig(preset='tiny', corpus='stdlib', max_files=40, vocab_size=1024, budget=1024, seq_len=256, max_steps=max_steps,
                    warmup=1, decay=0., save_every=2, valid_every=4, threads=1, out=out, resume=resume)
    export(fit(setup(run, cbs=[TraceDataCB(run.out/'data_trace.jsonl')])))

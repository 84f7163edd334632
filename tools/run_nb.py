"""Execute notebooks in place, as a reader's Run All would, and keep their outputs.

    python tools/run_nb.py nbs/09_training.ipynb [more.ipynb ...] [--flags "slow"] [--only ID,ID]

Cells flagged `#| gpu`, `#| slow` or `#| notest` are skipped (their committed outputs are kept) unless named in
--flags; --only runs just the named cells (by cell id) and whatever the notebook's setup needs is not re-run, so
use it only for cells that stand alone. Unlike `nbdev-test --save`, IN_TEST is not set: the outputs are the full
runs a reader sees. The notebook is written back only when every executed cell succeeded.
"""
import argparse, os, sys, time
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.test import _skip_cell
from IPython.core.displaypub import CapturingDisplayPublisher


def _publish_updates_in_place(publish):
    "A display handle's `update` replaces its earlier output, as a live notebook shows it, instead of adding one more."
    def _publish(self, data, metadata=None, source=None, *, transient=None, update=False):
        did = (transient or {}).get('display_id')
        if update and did:
            for o in self.outputs:
                if (o.get('transient') or {}).get('display_id') == did: o.update(data=data, metadata=metadata); return
        return publish(self, data, metadata, source, transient=transient, update=update)
    return _publish

CapturingDisplayPublisher.publish = _publish_updates_in_place(CapturingDisplayPublisher.publish)


def run(fn:Path, flags:set, only:set|None=None, timeout:int=1800) -> bool:
    nb = NBProcessor(fn, rm_directives=False, process=True).nb
    skip = _skip_cell(nb, ['gpu', 'slow', 'notest'], list(flags))
    pre = (lambda c: skip(c) or c.id not in only) if only else skip
    t0, times = time.perf_counter(), []
    def post(c): times.append((c.id, c.metadata.get('execution', {}).get('total', 0)))
    sh = CaptureShell(fn)
    cwd = os.getcwd(); os.chdir(fn.parent)
    try: sh.run_all(nb, exc_stop=True, preproc=pre, postproc=post, cell_timeout=timeout)
    except Exception:
        sys.stderr.write((sh.prettytb(fname=fn) or '') + '\n'); return False
    finally: os.chdir(cwd)
    raw = read_nb(fn)                       # write back the outputs only, onto the unprocessed cells (directives kept)
    by_id = {c.id: c for c in nb.cells}
    for c in raw.cells:
        if c.cell_type == 'code' and c.id in by_id and not pre(by_id[c.id]):
            c.outputs, c.execution_count = by_id[c.id].outputs, by_id[c.id].get('execution_count')
    write_nb(raw, fn)
    slow = ', '.join(f'{i} {t:.0f}s' for i, t in sorted(times, key=lambda x: -x[1])[:3])
    print(f"{fn.name}: {time.perf_counter() - t0:.0f}s (slowest cells: {slow})", flush=True)
    return True


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--flags', default='', help='flags to run anyway, e.g. "slow"')
    ap.add_argument('--only', help='comma-separated cell ids to run')
    a = ap.parse_args()
    ok = all([run(Path(f).resolve(), set(a.flags.split()), set(a.only.split(',')) if a.only else None) for f in a.notebooks])
    sys.exit(0 if ok else 1)

"""Execute notebooks as a reader's Run All would: write their outputs back, or (--check) only report.

    python tools/run_nb.py nbs/09_training.ipynb [more.ipynb ...] [--flags "slow"] [--only ID,ID]
    python tools/run_nb.py nbs/*.ipynb --check --all-cells        # every cell, gpu and slow too; nothing written
    python tools/run_nb.py nbs/*.ipynb --check --test             # the plain run nbdev-test does (IN_TEST=1), timed

Cells flagged `#| gpu`, `#| slow` or `#| notest` are skipped (their committed outputs are kept) unless named in
--flags, or --all-cells runs them all, as JupyterLab's Run All does; --only runs just the named cells (by cell id)
and whatever the notebook's setup needs is not re-run, so use it only for cells that stand alone. Unlike
`nbdev-test --save`, IN_TEST is not set (unless --test): the outputs are the full runs a reader sees. The notebook
is written back only when every executed cell succeeded, and never with --check. Each notebook ends with one line:
its wall time, CPU time (which a busy machine inflates less) and slowest cells, or the first failing cell.
"""
import argparse, os, subprocess, sys, time
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.test import _skip_cell
from IPython.core.displaypub import CapturingDisplayPublisher

FLAGS = ['gpu', 'slow', 'notest']


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


def run(fn:Path, flags:set, only:set|None=None, timeout:int=1800, check:bool=False, cell_min:float|None=None, log=print) -> bool:
    "Run `fn`'s cells (flagged ones only if in `flags`); write the outputs back unless `check`; log one summary line."
    nb = NBProcessor(fn, rm_directives=False, process=True).nb
    skip = _skip_cell(nb, FLAGS, list(flags))
    pre = (lambda c: skip(c) or c.id not in only) if only else skip
    cpu = lambda: sum(os.times()[:4])      # CPU seconds of this process and its waited-for children
    t0, cpu0, times, cur = time.perf_counter(), cpu(), [], [None, 0.]
    def pre_(c):
        s = pre(c)
        if not s: cur[:] = c, cpu()
        return s
    def post(c):
        times.append((c.id, c.metadata.get('execution', {}).get('total', 0)))
        if cell_min is not None and times[-1][1] >= cell_min:
            d = ' '.join(sorted(getattr(c, 'directives_', {}) or {}))
            log(f"  {fn.name}:{c.id} {times[-1][1]:.1f}s ({cpu() - cur[1]:.1f}s cpu) {d}", flush=True)
    sh = CaptureShell(fn)
    cwd = os.getcwd(); os.chdir(fn.parent)
    try: sh.run_all(nb, exc_stop=True, preproc=pre_, postproc=post, cell_timeout=timeout)
    except Exception as e:
        c = cur[0]
        first = ''.join(c.source).strip().splitlines()[:2] if c is not None else []
        sys.stderr.write((sh.prettytb(fname=fn) or '') + '\n')
        log(f"{fn.name}: FAILED after {time.perf_counter() - t0:.0f}s in cell {getattr(c, 'id', '?')} "
            f"({' / '.join(first)[:100]}): {type(e).__name__}: {(str(e).strip().splitlines() or [''])[-1]}", flush=True)
        return False
    finally: os.chdir(cwd)
    if not check:
        raw = read_nb(fn)                   # write back the outputs only, onto the unprocessed cells (directives kept)
        by_id = {c.id: c for c in nb.cells}
        for c in raw.cells:
            if c.cell_type == 'code' and c.id in by_id and not pre(by_id[c.id]):
                c.outputs, c.execution_count = by_id[c.id].outputs, by_id[c.id].get('execution_count')
        write_nb(raw, fn)
    slow = ', '.join(f'{i} {t:.0f}s' for i, t in sorted(times, key=lambda x: -x[1])[:3])
    log(f"{fn.name}: {time.perf_counter() - t0:.0f}s, {cpu() - cpu0:.0f}s cpu (slowest cells: {slow})", flush=True)
    return True


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--flags', default='', help='flags to run anyway, e.g. "slow"')
    ap.add_argument('--all-cells', action='store_true', help='run every cell, gpu/slow/notest too, as Run All does')
    ap.add_argument('--check', action='store_true', help='write nothing back; go on after a failing notebook')
    ap.add_argument('--test', action='store_true', help='set IN_TEST=1, as nbdev-test does (shrunk data)')
    ap.add_argument('--cell-times', type=float, help='print each cell that took at least this many seconds')
    ap.add_argument('--only', help='comma-separated cell ids to run')
    a = ap.parse_args()
    if a.test: os.environ['IN_TEST'] = '1'
    flags = set(FLAGS) if a.all_cells else set(a.flags.split())
    fns = [Path(f).resolve() for f in a.notebooks]
    if len(fns) > 1:        # each notebook in a fresh interpreter, as each gets a fresh kernel; a failure stops none of the others
        args = [x for x in sys.argv[1:] if x not in a.notebooks]
        sys.exit(max(subprocess.run([sys.executable, __file__, str(f), *args]).returncode for f in fns))
    only = set(a.only.split(',')) if a.only else None
    sys.exit(0 if run(fns[0], flags, only, check=a.check, cell_min=a.cell_times) else 1)

"""Run All on a laptop: every `#| gpu` cell skips itself, with a one-line message, where there is no CUDA device.

JupyterLab's Run All runs every cell, flags or not; one cell that fails stops the rest of the notebook. The full
check (`make runall`: every notebook, every cell, on this machine) takes long on a CPU; this test is its cheap
part. Each notebook's `#| gpu` cells are executed in a fresh interpreter with CUDA hidden
(`CUDA_VISIBLE_DEVICES=''`), after only the import statements of the cells above them: a cell that touches CUDA,
or the notebook's data, before its `cuda_or_skip()` guard fails here (with a NameError or a CUDA error), and a cell
that prints no `skipped:` line has no guard. What this does not prove: that the non-gpu cells after it pass (the
notebook's own tests do that).
"""
import ast, json, os, subprocess, sys
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'


def gpu_cells(fn:Path) -> tuple[list, list]:
    "(cells, ids of its `#| gpu` code cells) of the notebook, directives parsed as nbdev parses them."
    from nbdev.process import NBProcessor
    cells = NBProcessor(fn, rm_directives=False, process=True).nb.cells
    return cells, [c.id for c in cells if c.cell_type == 'code' and 'gpu' in (getattr(c, 'directives_', None) or {})]


def imports_of(src:str) -> list[str]:
    "The top-level import statements of a cell's source (IPython magics turned into Python first)."
    from IPython.core.inputtransformer2 import TransformerManager
    try: tree = ast.parse(TransformerManager().transform_cell(src))
    except SyntaxError: return []
    return [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, 'module', None) != '__future__']


def run_gpu_cells(fn:Path) -> dict:
    "In this interpreter: each gpu cell of `fn`, after the imports above it; {id: (error or None, stdout)}."
    from execnb.shell import CaptureShell
    cells, ids = gpu_cells(fn)
    sh, res, done = CaptureShell(fn), {}, 0
    os.chdir(fn.parent)
    for i, c in enumerate(cells):
        if c.id not in ids: continue
        for p in cells[done:i]:
            if p.cell_type == 'code':
                for imp in imports_of(''.join(p.source)): sh.run(imp)
        done = i
        outs = sh.run(''.join(c.source))
        err = next((f"{o['ename']}: {o['evalue']}" for o in outs if o.get('output_type') == 'error'), None)
        res[c.id] = (err, ''.join(''.join(o.get('text', '')) for o in outs if o.get('name') == 'stdout'))
    return res


NOTEBOOKS = sorted(p.name for p in NBS.glob('*.ipynb') if gpu_cells(p)[1])


def test_found():
    assert {'03a_flex.ipynb', '03b_flash.ipynb', '06b_compile.ipynb', '09_training.ipynb'} <= set(NOTEBOOKS), NOTEBOOKS


@pytest.mark.parametrize('name', NOTEBOOKS)
def test_gpu_cells_skip_without_cuda(name):
    env = {**os.environ, 'CUDA_VISIBLE_DEVICES': '', 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
    r = subprocess.run([sys.executable, __file__, str(NBS/name)], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    for cid, (err, out) in res.items():
        assert err is None, f'{name}, gpu cell {cid} fails without CUDA before its guard: {err}'
        said = [l for l in out.splitlines() if l.startswith('skipped:')]
        assert said, f'{name}, gpu cell {cid} ran without CUDA and said nothing: start it with `if cuda_or_skip():`'
        assert len(out.strip().splitlines()) == 1, f'{name}, gpu cell {cid}: more than the one skip line:\n{out}'


@pytest.mark.parametrize('name', sorted(p.name for p in NBS.glob('*.ipynb')))
def test_notebook_names_the_kernel(name):
    "JupyterLab starts `make lab`'s kernel without asking, and finds no metadata to change on opening (tools/nb_kernel.py)."
    meta = json.loads((NBS/name).read_text())['metadata']
    assert meta.get('kernelspec') == dict(display_name='modernbert_nb', language='python', name='modernbert_nb'), \
        f'{name} does not name the kernel modernbert_nb: run `.venv/bin/python tools/nb_kernel.py nbs/{name}`'
    assert (meta.get('language_info') or {}).get('name') == 'python', f'{name}: no language_info; run tools/nb_kernel.py'


if __name__ == '__main__':
    import torch
    assert not torch.cuda.is_available(), 'run with CUDA_VISIBLE_DEVICES=""'
    res = run_gpu_cells(Path(sys.argv[1]))
    print('\n' + json.dumps(res))

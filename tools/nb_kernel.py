"""Name the project's Jupyter kernel in every notebook's metadata, so that JupyterLab starts it without asking.

    .venv/bin/python tools/nb_kernel.py [nbs/*.ipynb]        # idempotent: a notebook already right is not rewritten

`make lab` registers `.venv` as the kernel `modernbert_nb`. The notebooks carry that kernelspec, and the
`language_info` this interpreter's ipykernel reports: JupyterLab writes both on opening a notebook and marks it
changed when they differ from what is stored (so a reader on another Python version still sees the version change).
nbdev-clean keeps both (`allowed_metadata_keys` in pyproject.toml); it sets `display_name` to the name, hence
the kernel's display name is the name too.
"""
import json, sys
from pathlib import Path

KERNEL = 'modernbert_nb'


def kernel_metadata() -> dict:
    "The notebook metadata JupyterLab writes for the `modernbert_nb` kernel running this interpreter."
    from ipykernel.ipkernel import IPythonKernel
    return dict(kernelspec=dict(display_name=KERNEL, language='python', name=KERNEL),
                language_info=dict(IPythonKernel.language_info))


def stamp(fn:Path, meta:dict) -> bool:
    "Set `meta` in the notebook at `fn` (a quick read-modify-write, as nbdev-clean writes it); True if it changed."
    nb = json.loads(fn.read_text())
    if all(nb['metadata'].get(k) == v for k, v in meta.items()): return False
    nb['metadata'].update(meta)
    fn.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n')
    return True


if __name__ == '__main__':
    fns = [Path(f) for f in sys.argv[1:]] or sorted(Path(__file__).resolve().parents[1].glob('nbs/*.ipynb'))
    meta = kernel_metadata()
    changed = [f.name for f in fns if stamp(f, meta)]
    print(f"kernel {KERNEL}: {len(changed)} of {len(fns)} notebooks updated" + (f" ({', '.join(changed)})" if changed else ''))

"""Every module imports on its own, as the first import of a fresh interpreter; so do the package's top-level names.
And no module writes another module's globals (its options): each module owns its own settings.

A module that only imports because some other module happened to be imported first (an import circle, or a name
another module patches in) fails here. Each check runs in a new `python -c` subprocess, since an interpreter that
has already imported anything would hide exactly that.
"""
import ast, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
import modernbert_nb

PKG = Path(modernbert_nb.__file__).parent
MODULES = sorted(p.stem for p in PKG.glob('*.py') if not p.stem.startswith('_'))


def fresh(code:str, timeout:int=180) -> subprocess.CompletedProcess:
    "Run `code` in a new interpreter."
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=timeout)


def test_modules_found():
    assert {'config', 'model', 'tokenizer', 'data', 'sampler', 'pretrain'} <= set(MODULES), MODULES


@pytest.fixture(scope='module')
def imported() -> dict:
    "Each module imported alone in its own fresh interpreter, as many at once as there are cores."
    with ThreadPoolExecutor(os.cpu_count() or 1) as ex:
        return dict(zip(MODULES, ex.map(lambda m: fresh(f'import modernbert_nb.{m}'), MODULES)))


@pytest.mark.parametrize('mod', MODULES)
def test_module_imports_first(mod, imported):
    r = imported[mod]
    assert r.returncode == 0, f'`import modernbert_nb.{mod}` fails in a fresh interpreter:\n{r.stderr[-3000:]}'


def test_top_level_names():
    r = fresh('import inspect, modernbert_nb as m\n'
              'for name in m.__all__:\n'
              '    obj = getattr(m, name)\n'
              '    assert not inspect.ismodule(obj), name\n'
              '    assert obj is getattr(__import__(obj.__module__, fromlist=[name]), name), name\n'
              'print(len(m.__all__))')
    assert r.returncode == 0, r.stderr[-3000:]
    assert int(r.stdout) == len(modernbert_nb.__all__) >= 15


def test_import_is_cheap():
    r = fresh("import sys, modernbert_nb; print(sorted(m for m in ('torch', 'datasets', 'tokenizers', 'transformers') "
              "if m in sys.modules))")
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == '[]', f'`import modernbert_nb` imports {r.stdout.strip()}'


# --- no module writes another module's globals ---

def _module_aliases(tree:ast.AST, here:str) -> set[str]:
    "Local names that refer to another module of the package (or to the package itself)."
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == 'modernbert_nb' or a.name.startswith('modernbert_nb.'):
                    names.add(a.asname or a.name.split('.')[0])
        elif isinstance(node, ast.ImportFrom):
            pkg_level = (node.level == 1 and not node.module) or node.module == 'modernbert_nb'
            if pkg_level:  # `from . import flex`, `from modernbert_nb import flex`: a module, if one of that name exists
                names |= {a.asname or a.name for a in node.names if a.name in MODULES and a.name != here}
    return names


def _imported_names(tree:ast.AST) -> set[str]:
    "Local names bound by `from .x import NAME` / `from modernbert_nb.x import NAME`: another module's objects."
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.level == 1 or node.module.startswith('modernbert_nb.')):
            names |= {a.asname or a.name for a in node.names}
    return names


def _root(node:ast.AST):
    while isinstance(node, (ast.Attribute, ast.Subscript)): node = node.value
    return node.id if isinstance(node, ast.Name) else None


def foreign_writes(src:str, here:str='') -> list[str]:
    "Lines of `src` (module `here`) that assign to, or `setattr`/`delattr` on, another module of the package."
    tree, found = ast.parse(src), []
    mods, objs = _module_aliases(tree, here), _imported_names(tree)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)): targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)): targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Attribute) and _root(t) in mods: found.append(f'{node.lineno}: {ast.unparse(t)}')
            elif isinstance(t, ast.Subscript) and _root(t) in mods | objs:
                found.append(f'{node.lineno}: {ast.unparse(t)}')
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ('setattr', 'delattr') \
           and node.args and _root(node.args[0]) in mods:
            found.append(f'{node.lineno}: {ast.unparse(node)}')
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and ast.unparse(node.value) == 'sys.modules':
            found.append(f'{node.lineno}: {ast.unparse(node)}')
    return sorted(found, key=lambda f: int(f.split(':')[0]))


def test_foreign_writes_detected():
    "The scan finds each kind of write it looks for, and leaves a module's own settings alone."
    bad = ('import modernbert_nb.flex as flex\nflex.BLOCK = 64\n'
           'from . import compile\ndef f(): setattr(compile, "LIMIT", 8)\n'
           'from .attention import ATTN_IMPLS\nATTN_IMPLS["x"] = None\n'
           'import modernbert_nb\nmodernbert_nb.flex.BLOCK += 1\n'
           'import sys\nsys.modules["modernbert_nb.flex"] = None\n')
    assert [l.split(':')[0] for l in foreign_writes(bad)] == ['2', '4', '6', '8', '10']
    ok = 'BLOCK = 64\ndef f():\n    global BLOCK\n    BLOCK = 128\nimport torch\ntorch.backends.cudnn.benchmark = True\n'
    assert foreign_writes(ok) == []


@pytest.mark.parametrize('mod', MODULES + ['__init__'])
def test_no_module_writes_another(mod):
    assert foreign_writes((PKG/f'{mod}.py').read_text(), mod) == []

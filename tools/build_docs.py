#!/usr/bin/env python3
"""Build the docs site into _docs/ (`make docs`): nbdev-docs needs Quarto, which these machines lack.

    python tools/build_docs.py [--out _docs] [--only 02_rope,05_mlp]

1. Each notebook goes through nbdev's own docs processing (`nbdev.processors.FilterDefaults`, what `nbdev-docs` runs
   before Quarto): hidden cells dropped, exported code replaced by `show_doc` signatures, the title and description
   turned into front matter, the page name from the notebook's (`02_rope.ipynb` -> `rope.html`, as nbdev names it).
   One change: `show_doc` is rendered from the installed module, where nbdev executes every notebook cell that
   imports something (slow, and it fails on cells that also use names from cells it skips). So the notebooks and
   the exported library must be in step (`make nbcheck`). Processed notebooks are cached in _proc/nbs/ and redone
   only when their notebook changed.
2. What Quarto would read from the cell options is applied here: `#| echo: false` hides a cell's code,
   `#| fig-cap` becomes a caption, directive lines are dropped; links to the project's docs URL become relative.
3. mkdocs with the Material theme and mkdocs-jupyter renders the pages (the committed outputs and pictures as they
   are, nothing is executed) with a search box; the navigation is the tracks of nbs/index.ipynb: every `##` heading
   of the index that links notebooks is a section, in the order it links them, and notebooks it does not link go last.
4. Beside each page, `<name>.html.md`: the page as markdown (nbdev's address for it, used in the module docstrings).

The Python packages come from the `docs` extra (`pip install -e ".[docs]"`).
"""
from __future__ import annotations
import argparse, copy, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC_URL = 'https://modernbert-nb.github.io/modernbert_nb/'
REPO_URL = 'https://github.com/modernbert-nb/modernbert_nb'
OTHERS = 'Other notebooks'


def page_name(nb:str|Path) -> str:
    "nbdev's page name for a notebook: its stem without the number prefix (`02_rope` -> `rope`, `index` -> `index`)."
    stem = Path(nb).stem
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', stem)


def default_exp(nb:dict) -> str|None:
    "The module a notebook exports to (`#| default_exp rope` -> `rope`)."
    for c in nb['cells']:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)
        if m: return m[1]


def fill_show_docs(nb, module:str|None) -> None:
    "Outputs of the `show_doc(...)` cells, rendered from the exported module: nothing of the notebook is executed."
    import importlib, inspect
    from nbdev.showdoc import show_doc
    from nbdev.doclinks import NbdevLookup
    ns = dict(vars(importlib.import_module(f"modernbert_nb.{module}")) if module else {}, show_doc=show_doc)
    lookup = NbdevLookup()
    for c in nb.cells:
        if c.cell_type != 'code': continue
        src = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip()
        if not re.fullmatch(r'show_doc\(.+\)', src, re.S): continue
        try: r = eval(src, ns)
        except Exception as e:
            if c.get('outputs'): continue                                    # a hand-written cell keeps its saved output
            raise RuntimeError(f"{src} in the docs of modernbert_nb.{module}: {type(e).__name__}: {e}") from e
        md = r._repr_markdown_()
        if '#LNone)' in md:                                                   # the source line, when nbdev's lookup has none
            try:
                import ast
                obj = eval(ast.unparse(ast.parse(src).body[0].value.args[0]), ns)
                md = md.replace('#LNone)', f"#L{inspect.getsourcelines(inspect.unwrap(obj))[1]})")
            except (TypeError, OSError, AttributeError, IndexError): md = md.replace('#LNone)', ')')
        c['outputs'] = [dict(output_type='execute_result', execution_count=None, metadata={},
                             data={'text/markdown': lookup.linkify(md), 'text/plain': src})]


def proc_notebook(src:Path, dst:Path) -> None:
    """nbdev's docs processing of one notebook (`FilterDefaults`, as `nbdev-docs` runs it), except that `show_doc`
    output comes from the installed module rather than from executing the notebook's cells that import something."""
    import warnings
    from fastcore.nbio import read_nb, write_nb
    from nbdev.processors import FilterDefaults, exec_show_docs
    class DocsProcs(FilterDefaults):
        def base_procs(self): return [p for p in super().base_procs() if p is not exec_show_docs]
    nb = read_nb(src)
    module = default_exp(nb)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try: DocsProcs()(nb); fill_show_docs(nb, module)
        except Exception as e: raise RuntimeError(f"nbdev could not process {src.name}: {type(e).__name__}: {e}") from e
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dst)


def proc_all(nbs:list[Path], cache:Path) -> list[Path]:
    "Processed copies of `nbs` in `cache`, redoing only those whose notebook (or this script) is newer."
    newest = Path(__file__).stat().st_mtime
    todo = [(s, cache/s.name) for s in nbs
            if not (cache/s.name).exists() or (cache/s.name).stat().st_mtime < max(s.stat().st_mtime, newest)]
    t0, errors = time.time(), []
    for p in todo:
        try: proc_notebook(*p)
        except RuntimeError as e: errors.append(str(e))
    if errors: raise RuntimeError('\n\n'.join(errors))
    if todo: print(f"nbdev processed {len(todo)} notebook(s) in {time.time() - t0:.0f} s; {len(nbs) - len(todo)} cached", file=sys.stderr)
    return [cache/s.name for s in nbs]


# ---- what Quarto would do with the processed notebook
_re_link_attrs = re.compile(r'\[([^\]]*)\]\(([^)\s]+)\)\{([^}]*)\}')       # pandoc's [text](url){attrs}
_re_nb_link = re.compile(r'\]\((?:\./)?(\d+[a-zA-Z0-9]*_[\w-]+|index)\.ipynb(#[^)]*)?\)')   # ](02_rope.ipynb#x)


def fix_markdown(md:str) -> str:
    "Pandoc link attributes to HTML, links to notebooks and to the project's docs URL to relative page links."
    md = _re_link_attrs.sub(lambda m: f'<a href="{m[2]}" {m[3]}>{m[1]}</a>', md)
    md = _re_nb_link.sub(lambda m: f"]({page_name(m[1])}.html{m[2] or ''})", md)
    md = md.replace('](' + DOC_URL, '](').replace(f'href="{DOC_URL}', 'href="').replace('](nbs/', '](')
    # no links inside headings: the page's table of contents would show only the words between them
    return re.sub(r'^#+ .*$', lambda m: re.sub(r'\[(`[^`]+`)\]\([^)]*\)', r'\1', m[0]), md, flags=re.M)


def _directives(src:str) -> tuple[dict, str]:
    "Quarto cell options (`#| key: value`) and the source without them."
    opts, keep = {}, []
    for line in src.splitlines():
        m = re.match(r'#\|\s*([\w-]+)\s*:?\s*(.*)$', line)
        if m: opts[m[1]] = m[2].strip()
        else: keep.append(line)
    return opts, '\n'.join(keep).strip('\n')


def _md_cell(src:str) -> dict:
    import uuid
    return dict(cell_type='markdown', id=uuid.uuid4().hex[:8], metadata={}, source=src)


def to_page(nb:dict) -> tuple[dict, str, str]:
    "A processed notebook as mkdocs-jupyter shows it: (notebook, title, description)."
    nb = copy.deepcopy(nb); cells, title, desc = [], None, ''
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'raw' and src.startswith('---'):                       # nbdev's front matter
            import yaml
            fm = yaml.safe_load(src.strip().strip('-')) or {}
            title, desc = fm.get('title'), fm.get('description', '')
            cells.append(_md_cell(f"# {title}\n\n> {desc}" if desc else f"# {title}")); continue
        if c['cell_type'] == 'markdown':
            if src.startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
            c['source'] = fix_markdown(src); cells.append(c); continue
        if c['cell_type'] != 'code': continue
        opts, c['source'] = _directives(src)
        tags = c.setdefault('metadata', {}).setdefault('tags', [])
        if opts.get('echo') == 'false' or opts.get('include') == 'false': tags.append('remove_input')
        if opts.get('include') == 'false' or opts.get('output') == 'false': tags.append('remove_output')
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown')
            if md is not None: o['data']['text/markdown'] = fix_markdown(''.join(md) if isinstance(md, list) else md)
        if not c['source'] and not c.get('outputs'): continue
        for k in set(c) - {'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}: del c[k]   # nbdev's has_sd
        cells.append(c)
        if 'fig-cap' in opts and c.get('outputs'): cells.append(_md_cell(f"*{opts['fig-cap']}*"))
    nb['cells'] = cells
    return nb, title, desc


def _page_texts(page:dict):
    "Each markdown text of a page (cells and markdown outputs) with a setter: (text, set_text)."
    for c in page['cells']:
        if c['cell_type'] == 'markdown': yield c['source'], lambda v, c=c: c.__setitem__('source', v)
        for o in c.get('outputs', []):
            if 'text/markdown' in o.get('data', {}):
                md = o['data']['text/markdown']
                yield (''.join(md) if isinstance(md, list) else md), lambda v, o=o: o['data'].__setitem__('text/markdown', v)


def fix_symbol_anchors(pages:dict[str, dict]) -> None:
    """nbdev links a name in backticks to `page.html#name` when its module exports it, though only names with a
    `show_doc` have an anchor there: a method without one links to its class, anything else to the page."""
    anchors = {f"{page_name(stem)}.html": {m[1].lower() for text, _ in _page_texts(pg) for m in re.finditer(r'^###\s+(\S+)\s*$', text, re.M)}
               for stem, pg in pages.items()}
    def fix(m):
        target, frag = m[2], m[3]
        if target not in anchors or frag in anchors[target]: return m[0]
        base = frag.split('.')[0]
        return f"]({target}#{base})" if base in anchors[target] else f"]({target})"
    for pg in pages.values():
        for text, put in list(_page_texts(pg)):
            new = re.sub(r'(\]\()([\w-]+\.html)#([\w.]+)\)', lambda m: fix(m), text)
            if new != text: put(new)


def index_sections(index_nb:dict) -> list[tuple[str, list[str]]]:
    "The index's `##` sections that link notebooks: (heading, [notebook stems in link order])."
    secs, head = [], None
    for c in index_nb['cells']:
        if c['cell_type'] != 'markdown': continue
        for line in ''.join(c['source']).splitlines():
            if line.startswith('## '): head = line[3:].strip(); continue
            for m in re.finditer(r'\]\((?:\./)?([\w-]+)\.ipynb', line):
                if head is None: continue
                if not secs or secs[-1][0] != head: secs.append((head, []))
                if m[1] not in secs[-1][1]: secs[-1][1].append(m[1])
    return secs


def nav(index_nb:dict, stems:list[str], titles:dict) -> list:
    "mkdocs `nav`: Home, then the index's notebook sections, then notebooks none of them links."
    seen, out = set(), [{'Home': 'index.ipynb'}]
    for head, nbs in index_sections(index_nb):
        items = [{f"{s}: {titles[s]}": f"{page_name(s)}.ipynb"} for s in nbs if s in titles and s not in seen]
        seen.update(nbs)
        if items: out.append({head: items})
    rest = [{f"{s}: {titles[s]}": f"{page_name(s)}.ipynb"} for s in stems if s != 'index' and s not in seen]
    if rest: out.append({OTHERS: rest})
    return out


# mkdocs-jupyter takes a page's table of contents from its own markdown conversion of the notebook, which drops code
# spans: a heading such as "## `run_bench` and `modernbert-bench`" becomes an entry "and" linking to #and, while
# the page's heading is #run_bench-and-modernbert-bench. This hook makes the table from the notebook's markdown
# (cells, and show_doc's markdown output) with the backticks dropped from headings, as the page's ids are made.
TOC_HOOK = '''import json, re, markdown
from markdown.extensions.toc import TocExtension
import mkdocs_jupyter.plugin as _p

def _nb_toc_tokens(fpath, toc_depth):
    parts = []
    for c in json.load(open(fpath))['cells']:
        if c['cell_type'] == 'markdown': parts.append(''.join(c['source']))
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown')
            if md: parts.append(''.join(md))
    src = re.sub(r'^(#+ .*)$', lambda m: m[1].replace('`', ''), '\\n\\n'.join(parts), flags=re.M)
    md = markdown.Markdown(extensions=['fenced_code', TocExtension(toc_depth=toc_depth)]); md.convert(src)
    seen = set()
    def dedup(ts):   # a name shown twice: the page gives both headings one id, so the table keeps the first
        out = []
        for t in ts:
            if t['id'] in seen or re.sub(r'_\\d+$', '', t['id']) in seen: continue
            seen.add(t['id']); t['children'] = dedup(t['children']); out.append(t)
        return out
    tokens = dedup(md.toc_tokens)
    title = next((t['name'] for t in tokens if t['level'] == 1), None)
    return tokens, title

if hasattr(_p, '_get_nb_toc_tokens'): _p._get_nb_toc_tokens = _nb_toc_tokens
'''


def mkdocs_yml(navs:list, site_dir:Path) -> dict:
    return {'hooks': ['toc_hook.py'],
        'site_name': 'modernbert_nb', 'site_url': DOC_URL, 'repo_url': REPO_URL, 'edit_uri': 'blob/main/nbs/',
        'site_description': 'ModernBERT from scratch as literate nbdev notebooks',
        'use_directory_urls': False, 'site_dir': str(site_dir), 'docs_dir': 'docs', 'nav': navs,
        'theme': {'name': 'material', 'features': ['navigation.sections', 'navigation.top', 'search.highlight', 'content.code.copy'],
                  'palette': {'primary': 'indigo'}},
        'plugins': ['search', {'mkdocs-jupyter': {'include': ['*.ipynb'], 'execute': False, 'include_source': False, 'no_prompt': True,
                                                  'remove_tag_config': {'remove_input_tags': ['remove_input'],
                                                                        'remove_all_outputs_tags': ['remove_output']},
                                                  'toc_depth': 3, 'cache': False}}],
        'markdown_extensions': ['admonition', 'tables', 'toc'],
    }


def write_markdown_twin(nb:dict, dest:Path) -> None:
    "`<name>.html.md`: the page as markdown, its pictures in `<name>_files/` (nbdev's address for the page)."
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    ex = MarkdownExporter()
    ex.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}, remove_all_outputs_tags={'remove_output'}), enabled=True)
    stem = dest.name[:-len('.html.md')]
    body, res = ex.from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4), resources={'output_files_dir': f'{stem}_files'})
    for name, data in res.get('outputs', {}).items():
        p = dest.parent/name; p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes(data)
    dest.write_text(body)


def build(out:Path=ROOT/'_docs', only:list[str]|None=None, cache:Path=ROOT/'_proc'/'nbs',
          stage:Path|None=None, quiet:bool=False) -> Path:
    "Build the site from nbs/ into `out`; `only`: notebook stems to include (the index always is)."
    nbs_dir = ROOT/'nbs'
    nbs = sorted(nbs_dir.glob('*.ipynb'))
    if only:
        want = set(only) | {'index'}
        missing = want - {p.stem for p in nbs}
        if missing: raise ValueError(f"--only: no notebook named {sorted(missing)} in nbs/; there are {[p.stem for p in nbs]}")
        nbs = [p for p in nbs if p.stem in want]
    names = {}
    for p in nbs:
        if (n := page_name(p)) in names: raise ValueError(f"{p.name} and {names[n]} would both be {n}.html")
        names[n] = p.name
    procd = proc_all(nbs, cache)
    stage = stage or ROOT/'_proc'/'site'
    if stage.exists(): shutil.rmtree(stage)
    (stage/'docs').mkdir(parents=True)
    titles, pages = {}, {}
    for src, p in zip(nbs, procd):
        page, title, _ = to_page(json.loads(p.read_text()))
        titles[src.stem] = title or src.stem
        pages[src.stem] = page
    fix_symbol_anchors(pages)
    for stem, page in pages.items(): (stage/'docs'/f"{page_name(stem)}.ipynb").write_text(json.dumps(page))
    index = json.loads((nbs_dir/'index.ipynb').read_text())
    import yaml
    (stage/'toc_hook.py').write_text(TOC_HOOK)
    (stage/'mkdocs.yml').write_text(yaml.safe_dump(mkdocs_yml(nav(index, [p.stem for p in nbs], titles), out.resolve()), sort_keys=False))
    if out.exists(): shutil.rmtree(out)
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--clean'] + (['-q'] if quiet else []), cwd=stage,
                       env=dict(os.environ, MPLBACKEND='Agg'), capture_output=True, text=True)
    logs = r.stdout + r.stderr
    if r.returncode: raise RuntimeError(f"mkdocs build failed:\n{logs[-4000:]}")
    for stem, page in pages.items(): write_markdown_twin(page, out/f"{page_name(stem)}.html.md")
    (out/'pages.json').write_text(json.dumps(dict(partial=bool(only), pages={s: f"{page_name(s)}.html" for s in pages}), indent=1))
    if not quiet: print(f"docs: {len(pages)} pages in {out}", file=sys.stderr)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_docs'), help='folder for the site (replaced)')
    ap.add_argument('--only', default=None, help='comma-separated notebook stems (e.g. 02_rope,05_mlp); the index is always built')
    a = ap.parse_args(argv)
    try: build(Path(a.out), [s.strip() for s in a.only.split(',')] if a.only else None)
    except (ValueError, RuntimeError) as e: print(f"build_docs: error: {e}", file=sys.stderr); sys.exit(1)


if __name__ == '__main__': main()

"""The docs site builder (tools/build_docs.py): its pure parts always; a real two-notebook build when the `docs` extra
is installed (skipped otherwise). No browser: tools/check_docs.py (`make docs-check`) is the browser check."""
import json, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
import build_docs as bd


def test_page_names_are_nbdevs():
    assert [bd.page_name(n) for n in ('02_rope.ipynb', '03a_flex', '11d_finetune_command', 'index')] == \
           ['rope', 'flex', 'finetune_command', 'index']


def test_fix_markdown():
    md = ('[source](https://github.com/x/y.py#L3){target="_blank" style="float:right"}\n'
          'see [02_rope](02_rope.ipynb#a-cache) and [`RotaryEmbedding`](https://modernbert-nb.github.io/modernbert_nb/rope.html#rotaryembedding)\n'
          '## [`run_bench`](https://modernbert-nb.github.io/modernbert_nb/benchmarks.html#run_bench) and more')
    assert bd.fix_markdown(md).splitlines() == [
        '<a href="https://github.com/x/y.py#L3" target="_blank" style="float:right">source</a>',
        'see [02_rope](rope.html#a-cache) and [`RotaryEmbedding`](rope.html#rotaryembedding)',
        '## `run_bench` and more']


def test_symbol_anchors_fall_back_to_what_the_page_has():
    page = lambda *texts: dict(cells=[dict(cell_type='markdown', source=t) for t in texts])
    pages = {'02_rope': page('### RotaryEmbedding\n\ntext'),
             '05_mlp': page('[`RotaryEmbedding.forward`](rope.html#rotaryembedding.forward), [`_hidden`](rope.html#_hidden), '
                            '[`RotaryEmbedding`](rope.html#rotaryembedding), [x](rope.html#a-heading)')}
    bd.fix_symbol_anchors(pages)
    assert pages['05_mlp']['cells'][0]['source'] == ('[`RotaryEmbedding.forward`](rope.html#rotaryembedding), [`_hidden`](rope.html), '
                                                      '[`RotaryEmbedding`](rope.html#rotaryembedding), [x](rope.html#a-heading)')   # a heading's link is left


def test_index_sections_are_the_tracks():
    secs = dict(bd.index_sections(json.loads((ROOT/'nbs'/'index.ipynb').read_text())))
    assert {'The core track', 'The systems track'} <= set(secs), list(secs)
    core, systems = secs['The core track'], secs['The systems track']
    assert core[:3] == ['00_config', '01_tokenizer', '02_rope'] and core[-1] == '12_ablation'
    assert {'03a_flex', '03b_flash', '06b_compile', '09a_trainstate', '13_benchmarks'} <= set(systems)
    assert not set(core) & set(systems)
    every = {p.stem for p in (ROOT/'nbs').glob('*.ipynb')} - {'index'}
    linked = {s for _, nbs in secs.items() for s in nbs}
    assert linked <= every, f"the index links notebooks that do not exist: {sorted(linked - every)}"
    assert every <= linked, f"notebooks the index does not list: {sorted(every - linked)}"


def test_only_refuses_an_unknown_notebook(tmp_path):
    with pytest.raises(ValueError, match=r"no notebook named \['99_nope'\]"): bd.build(tmp_path/'site', only=['99_nope'])


def test_build_two_notebooks(tmp_path):
    pytest.importorskip('mkdocs_jupyter', reason='the docs extra is not installed: pip install -e ".[docs]"')
    pytest.importorskip('nbdev')
    out = bd.build(tmp_path/'site', only=['02_rope', '05_mlp'], cache=tmp_path/'proc', stage=tmp_path/'stage', quiet=True)
    for name in ('index', 'rope', 'mlp'):
        assert (out/f'{name}.html').is_file() and (out/f'{name}.html.md').is_file(), name
    rope = (out/'rope.html').read_text()
    assert rope.count('src="data:image/png;base64,') >= 1                      # the committed figure
    assert 'id="rotaryembedding"' in rope and re.search(r"def</span>.{0,80}RotaryEmbedding", rope) and "rope.py#L" in rope   # show_doc, from the module
    assert '#| ' not in rope and 'show_doc(' not in rope                        # directives and show_doc calls hidden
    assert list((out/'rope_files').glob('*.png')), 'the markdown twin has its figure as a file'
    assert (out/'search'/'search_index.json').is_file()
    # the sidebar: the core track holds both pages, rope before mlp
    html = (out/'index.html').read_text()
    nav = html[html.index('md-nav--primary'):html.index('md-content')]
    assert 0 < nav.index('The core track') < nav.index('href="rope.html"') < nav.index('href="mlp.html"')
    # every internal link of the built pages resolves to a file (links to pages left out of this build aside)
    absent = {bd.page_name(p) + '.html' for p in (ROOT/'nbs').glob('*.ipynb')} - {'index.html', 'rope.html', 'mlp.html'}
    bad = []
    for page in ('index.html', 'rope.html', 'mlp.html'):
        for href in re.findall(r'href="([^"]+)"', (out/page).read_text()):
            if re.match(r'[a-z]+:|#|/', href): continue
            target = href.split('#')[0]
            if target and target not in absent and not (out/target).exists(): bad.append(f"{page} -> {href}")
    assert not bad, bad

"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which these machines lack).

Markdown cells are copied; code cells become ```python blocks followed by their text output;
cells whose first line is a `#|` directive with `hide` are left out. Links to notebooks (`](02_rope.ipynb)`, relative
to nbs/) are made relative to the repository root (`](nbs/02_rope.ipynb)`).
"""
import json, pathlib, re, sys

root = pathlib.Path(__file__).resolve().parent.parent
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
out = []
for c in nb['cells']:
    src = ''.join(c['source']).strip('\n')
    lines = src.splitlines()
    directives = [l for l in lines if l.startswith('#|')]
    if any('hide' in d for d in directives): continue
    if c['cell_type'] == 'markdown': out.append(re.sub(r'\]\((?![a-z]+:|#|/)([^)\s]+\.ipynb)', r'](nbs/\1', src))
    elif c['cell_type'] == 'code':
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
        if code: out.append(f'```python\n{code}\n```')
        for o in c.get('outputs', []):
            text = ''.join(o.get('text', '') or o.get('data', {}).get('text/plain', ''))
            if text.strip(): out.append(f'```\n{text.rstrip()}\n```')
text = '<!-- Made from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n' + '\n\n'.join(out) + '\n'
dest = root/'README.md'
if not dest.exists() or dest.read_text() != text:
    dest.write_text(text)
    print('README.md written', file=sys.stderr)

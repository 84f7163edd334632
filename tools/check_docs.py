#!/usr/bin/env python3
"""Check the built docs site in a real headless browser (`make docs-check`, after `make docs`).

    python tools/check_docs.py [--site _docs] [--shots runs/docs-check] [--browser /usr/bin/chromium]

Serves the site over http://localhost and loads every page in headless Chromium (Playwright driving the system's
Chromium, or Playwright's own if none is installed). It fails when a page does not load (an HTTP error or a
JavaScript error), an image does not render (naturalWidth 0 after loading), an internal link or its #anchor does
not resolve, a notebook page is missing from the navigation, the search box finds nothing for a name the site
documents, or a module docstring's `Docs:` address (`<name>.html.md`) has no page. Screenshots of the index, of the
rope page and of a search go to --shots (git-ignored).
"""
from __future__ import annotations
import argparse, functools, http.server, json, os, re, shutil, sys, threading, urllib.error, urllib.parse, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC_URL = 'https://modernbert-nb.github.io/modernbert_nb/'

JS_IMAGES = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => i.loading = 'eager');
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => ({src: i.src.slice(0, 80), w: i.naturalWidth, alt: i.alt}));
}"""
JS_LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
JS_NAV = "() => [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link[href]')].map(a => a.href)"
JS_NAV_SECTIONS = "() => [...document.querySelectorAll('nav.md-nav--primary label.md-nav__link, nav.md-nav--primary .md-nav__item--section > .md-nav__link')].map(e => e.textContent.trim()).filter(Boolean)"


def find_browser(given:str|None) -> str|None:
    "The Chromium to drive: --browser, $CHROMIUM, or one on PATH; None lets Playwright use its own download."
    if given: return shutil.which(given) or given                  # as asked; a wrong path fails at launch, named
    for c in (os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if c and (p := shutil.which(c) or (c if Path(c).is_file() else None)): return p
    return None


def serve(site:Path, prefix:str='/modernbert_nb/'):
    "An HTTP server for `site` under `prefix` (as GitHub Pages serves it) on a free localhost port, in a thread: (server, base URL)."
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
        def translate_path(self, path):
            if not path.startswith(prefix): return str(site/'__outside_the_site__')
            return super().translate_path('/' + path[len(prefix):])
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}{prefix}"


@functools.lru_cache(maxsize=None)
def fetch(url:str) -> tuple[int, str]:
    "HTTP status and (for HTML) text of a URL on the local server."
    try:
        with urllib.request.urlopen(url) as r:
            body = r.read()
            return r.status, body.decode('utf-8', 'replace') if url.endswith(('.html', '/')) else ''
    except urllib.error.HTTPError as e: return e.code, ''


def has_anchor(html:str, frag:str) -> bool:
    frag = urllib.parse.unquote(frag)
    return re.search(r'\b(?:id|name)="' + re.escape(frag) + '"', html) is not None


def search_term(site:Path) -> str:
    "A name the site documents: RotaryEmbedding, or (in a partial build) the first `show_doc` heading in the search index."
    idx = json.loads((site/'search'/'search_index.json').read_text())['docs']
    names = [d['title'].rstrip('¶') for d in idx if '#' in d['location'] and not d['location'].startswith('index.html') and re.fullmatch(r'[A-Za-z]\w+¶?', d['title'])]
    return 'RotaryEmbedding' if 'RotaryEmbedding' in names else (names[0] if names else 'ModernBERT')


def docstring_pages() -> dict[str, str]:
    "Each module's `Docs:` address on the project's site, relative to it: {module file: 'rope.html.md'}."
    out = {}
    for p in sorted((ROOT/'modernbert_nb').glob('*.py')):
        m = re.search(re.escape(DOC_URL) + r'(\S+?)"*$', p.read_text()[:2000], re.M)
        if m: out[p.name] = m[1]
    return out


def check(site:Path, shots:Path|None, browser:str|None=None, log=print) -> list[str]:
    "Every problem found, as one line each (empty: the site is fine)."
    from playwright.sync_api import sync_playwright
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html')
                   if not p.relative_to(site).parts[0] in ('assets', 'search'))
    if 'index.html' not in pages: return [f"{site}: no index.html (run `make docs` first)"]
    # a partial build (build_docs.py --only) leaves out pages: links to them, and their docstring addresses, are not checked
    built = json.loads((site/'pages.json').read_text()) if (site/'pages.json').exists() else dict(partial=False)
    absent = set()
    if built['partial']:
        absent = {re.sub(r'^\d+[a-zA-Z0-9]*_', '', p.stem) + '.html' for p in (ROOT/'nbs').glob('*.ipynb')} - set(built['pages'].values())
    problems, srv = [], None
    srv, base = serve(site)
    try:
        with sync_playwright() as pw:
            exe = find_browser(browser)
            try: b = pw.chromium.launch(**(dict(executable_path=exe) if exe else {}), args=['--no-sandbox'])
            except Exception as e:
                return [f"no Chromium to run ({str(e).splitlines()[0][:200]}): install one (Debian: apt-get install chromium; "
                        f"or {Path(sys.executable).parent}/playwright install chromium), or pass --browser PATH"]
            log(f"browser: {exe or 'playwright chromium'} {b.version}; {len(pages)} pages from {base}")
            ctx = b.new_context(viewport={'width': 1280, 'height': 900})
            page = ctx.new_page()
            js_errors = []
            page.on('pageerror', lambda e: js_errors.append(str(e)))
            links = set()
            n_img = 0
            for name in pages:
                js_errors.clear()
                resp = page.goto(base + name, wait_until='load')
                if resp is None or resp.status != 200:
                    problems.append(f"{name}: did not load (HTTP {resp.status if resp else 'none'})"); continue
                if name != '404.html' and not page.title(): problems.append(f"{name}: no title")
                for img in page.evaluate(JS_IMAGES):
                    n_img += 1
                    if not img['w']: problems.append(f"{name}: image does not render: {img['src']}")
                links |= {(name, h) for h in page.evaluate(JS_LINKS)}
                problems += [f"{name}: JavaScript error: {e}" for e in js_errors]
            # internal links and their anchors
            n_int = 0
            for src, href in sorted(links):
                if not href.startswith(base): continue
                n_int += 1
                url, _, frag = href.partition('#')
                if url[len(base):] in absent: continue
                status, html = fetch(url)
                if status != 200: problems.append(f"{src}: link to {href[len(base):]} does not resolve (HTTP {status})")
                elif frag and html and not has_anchor(html, frag): problems.append(f"{src}: link to {href[len(base):]}: no #{frag} on that page")
            # navigation: every page reachable from the index's sidebar, with the index's sections
            page.goto(base + 'index.html', wait_until='load')
            nav = {h[len(base):].partition('#')[0] for h in page.evaluate(JS_NAV) if h.startswith(base)}
            missing = [p for p in pages if p not in nav and p not in ('404.html', 'index.html')]
            if missing: problems.append(f"navigation: pages not in the sidebar: {missing}")
            sections = page.evaluate(JS_NAV_SECTIONS)
            if shots: shots.mkdir(parents=True, exist_ok=True); page.screenshot(path=str(shots/'index.png'))
            # the search box: a documented name must be found
            term = search_term(site)
            box = page.locator('input.md-search__input')
            box.click(); box.press_sequentially(term, delay=30)
            try:
                page.wait_for_selector('.md-search-result__item', timeout=15_000)
                hits = page.locator('.md-search-result__item').count()
            except Exception: hits = 0
            if not hits: problems.append(f"search: no result for {term!r}")
            if shots: page.screenshot(path=str(shots/'search.png'))
            # a notebook page: its top, and its first figure
            if 'rope.html' in pages and shots:
                page.goto(base + 'rope.html', wait_until='load')
                page.screenshot(path=str(shots/'rope.png'))
                img = page.locator('article img').first
                if img.count(): img.scroll_into_view_if_needed(); page.screenshot(path=str(shots/'rope-figure.png'))
            b.close()
    finally:
        srv.shutdown()
    # module docstrings point at <name>.html.md
    docs = docstring_pages()
    problems += [f"modernbert_nb/{mod}: its Docs: address {DOC_URL}{rel} has no page in the site"
                 for mod, rel in docs.items() if not (site/rel).is_file() and rel[:-len('.md')] not in absent]
    log(f"{len(pages)} pages, {n_img} images, {n_int} internal links, sidebar sections {sections}, "
        f"search hits for {term!r}: {hits}, {len(docs)} docstring addresses")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=str(ROOT/'_docs'), help='the built site (`make docs`)')
    ap.add_argument('--shots', default=str(ROOT/'runs'/'docs-check'), help='folder for screenshots (git-ignored)')
    ap.add_argument('--browser', default=None, help='Chromium executable (default: $CHROMIUM or chromium on PATH)')
    a = ap.parse_args(argv)
    site = Path(a.site)
    if not site.is_dir(): print(f"check_docs: error: no site at {site}: run `make docs` first", file=sys.stderr); sys.exit(2)
    problems = check(site, Path(a.shots) if a.shots else None, a.browser)
    for p in problems: print('FAIL', p)
    if problems: print(f"check_docs: {len(problems)} problem(s)"); sys.exit(1)
    print(f"check_docs: the site is fine; screenshots in {a.shots}")


if __name__ == '__main__': main()

"What a reader sees speaks of the project, its sources and its own measurements, never of the workshop that made it."
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = re.compile(r"\b(this|the) issue\b|issue's|closing note|\bsession\b|ANCHORS\.md|ROADMAP|project's roadmap|GPU-QUEUE|Paste place",
                      re.IGNORECASE)

def reader_files():
    return [*ROOT.glob('nbs/**/*.ipynb'), ROOT/'README.md', *(p for p in ROOT.glob('modernbert_nb/*.py') if p.name != '_modidx.py')]

def hits(text: str) -> list[str]:
    return [m.group(0) for m in WORKSHOP.finditer(text)]

def test_the_pattern_can_fail():
    assert hits("This issue brings two; `ANCHORS.md` says so; Paste place:") == ['This issue', 'ANCHORS.md', 'Paste place']
    assert hits("the paper's issue of scale") == []

def test_no_workshop_words():
    found = [f"{p.relative_to(ROOT)}: {h}" for p in reader_files() for h in hits(p.read_text(encoding='utf-8'))]
    assert not found, "words from the workshop in what readers see:\n" + "\n".join(found)

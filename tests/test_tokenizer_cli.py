"The `modernbert-tokenizer` console script: train on a small local corpus, save, load with AutoTokenizer."
import json, os, subprocess, sys
from pathlib import Path
import pytest

def _cli():
    script = Path(sys.executable).parent / 'modernbert-tokenizer'
    if script.exists(): return [str(script)]
    return [sys.executable, '-c', 'from modernbert_nb.tokenizer import main; main()']

def _run(*args):
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'RAYON_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1'}
    return subprocess.run([*_cli(), *args], capture_output=True, text=True, env=env, timeout=300)

def test_cli_trains_and_saves(tmp_path):
    texts = ['def f(x):\n    return x + 1\n', 'The quick brown fox jumps over the lazy dog.', 'class A:\n\tpass\n'] * 20
    corpus = tmp_path / 'corpus.jsonl'
    corpus.write_text('\n'.join(json.dumps({'text': t}) for t in texts))
    out = tmp_path / 'tok'
    r = _run('--corpus', str(corpus), '--vocab-size', '300', '--out', str(out))
    assert r.returncode == 0, r.stderr
    assert (out / 'tokenizer.json').exists() and (out / 'tokenizer_config.json').exists()
    transformers = pytest.importorskip('transformers')
    hf = transformers.AutoTokenizer.from_pretrained(out)
    assert len(hf) % 64 == 0 and len(hf) >= 300
    x = 'def g(y):\n        return "héllo 😀"\n'  # not in the corpus
    ids = hf(x)['input_ids']
    assert ids[0] == hf.cls_token_id and ids[-1] == hf.sep_token_id
    assert hf.decode(ids, skip_special_tokens=True) == x

def test_cli_rejects_small_vocab(tmp_path):
    corpus = tmp_path / 'c.txt'
    corpus.write_text('hello world\n' * 10)
    r = _run('--corpus', str(corpus), '--vocab-size', '100', '--out', str(tmp_path / 'tok'))
    assert r.returncode != 0 and 'at least 261' in r.stderr

def test_cli_rejects_unknown_corpus(tmp_path):
    r = _run('--corpus', 'no_such_corpus_xyz', '--vocab-size', '300', '--out', str(tmp_path / 'tok'))
    assert r.returncode != 0 and "unknown corpus 'no_such_corpus_xyz'" in r.stderr

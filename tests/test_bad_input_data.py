"""Bad input to the tokenizer, the corpus loader, checkpoints and the benchmark: each refused with the culprit named.

One test per class of defect; the ones about a run go through the real command line in a real process.
"""
import errno, json, os, random, shutil, subprocess, sys, time, warnings
from pathlib import Path
import pytest

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}

def _script(name, module):
    s = Path(sys.executable).parent/name
    return [str(s)] if s.exists() else [sys.executable, '-m', module]

def _run(cmd, timeout=240):
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)

def _corpus(path, n=80, seed=0):
    "A small JSON-lines corpus of code-like word soup."
    r = random.Random(seed)
    words = 'def class return self import for while if else the a of to in value list dict print yield lambda'.split()
    path.write_text(''.join(json.dumps({'text': ' '.join(r.choice(words) for _ in range(r.randint(20, 80)))}) + '\n' for _ in range(n)))
    return path

# --- tokenizer --------------------------------------------------------------------------------------------------

def test_tokenizer_refuses_an_empty_corpus(tmp_path):
    from modernbert_nb.tokenizer import train_tokenizer
    with pytest.raises(ValueError, match=r'the training texts are empty \(0 documents, 0 characters\)'): train_tokenizer([], 300)
    with pytest.raises(ValueError, match=r'the training texts are empty \(3 documents'): train_tokenizer(['', ' ', '\n'], 300)
    r = _run([*_script('modernbert-tokenizer', 'modernbert_nb.tokenizer'), '--corpus', str(_corpus(tmp_path/'c.jsonl')),
              '--max-docs', '0', '--vocab-size', '300', '--out', str(tmp_path/'tok')])
    assert r.returncode != 0 and '--max-docs 0: give at least 1' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'tok').exists()

def test_tokenizer_cli_keeps_an_existing_tokenizer(tmp_path):
    out = tmp_path/'tok'; out.mkdir(); (out/'tokenizer.json').write_text('{"mine": true}')
    r = _run([*_script('modernbert-tokenizer', 'modernbert_nb.tokenizer'), '--corpus', str(_corpus(tmp_path/'c.jsonl')),
              '--vocab-size', '300', '--out', str(out)])
    assert r.returncode != 0 and 'already holds a tokenizer.json: pass --overwrite' in r.stderr, r.stderr[-2000:]
    assert (out/'tokenizer.json').read_text() == '{"mine": true}'

def test_local_looking_names_fail_at_once(tmp_path, monkeypatch):
    from modernbert_nb.tokenizer import load_tokenizer
    from modernbert_nb.data import load_corpus
    monkeypatch.chdir(tmp_path); (tmp_path/'runs').mkdir()
    monkeypatch.delenv('HF_HUB_OFFLINE', raising=False)                # the hub would retry for ~20 s without a network
    t0 = time.perf_counter()
    for name in ['runs/tok', './tok', '~/no-such-tok-xyz', 'a/b/c', str(tmp_path/'tok')]:
        with pytest.raises(ValueError, match='no such file or folder') as e: load_tokenizer(name)
        assert repr(name) in str(e.value)
    with pytest.raises(ValueError, match="did you mean 'stdlib'"): load_corpus('stdlb')
    with pytest.raises(ValueError, match=r"no such file\(s\): 'runs/corpus/'"): load_corpus('runs/corpus/')
    assert time.perf_counter() - t0 < 5

def test_a_torn_tokenizer_json_is_named(tmp_path):
    from modernbert_nb.tokenizer import load_tokenizer, save_tokenizer, train_tokenizer
    tok = train_tokenizer([json.loads(l)['text'] for l in _corpus(tmp_path/'c.jsonl').read_text().splitlines()], 300)
    save_tokenizer(tok, tmp_path/'tok')
    assert sorted(p.name for p in (tmp_path/'tok').iterdir()) == ['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json']
    f = tmp_path/'tok'/'tokenizer.json'
    f.write_text(f.read_text()[:1000])
    with pytest.raises(ValueError, match='is not a readable tokenizer.json') as e: load_tokenizer(tmp_path/'tok')
    assert str(f) in str(e.value) and 're-save it' in str(e.value) and 'retrain' in str(e.value)

# --- corpus files -----------------------------------------------------------------------------------------------

def test_bad_corpus_files_are_named_with_the_offset(tmp_path):
    from modernbert_nb.data import load_corpus
    (tmp_path/'latin1.txt').write_bytes('line one\nna\u00efve\n'.encode('latin-1'))
    with pytest.raises(ValueError, match='byte 0xef, not UTF-8 at byte offset 11') as e: load_corpus(str(tmp_path/'latin1.txt'))
    assert str(tmp_path/'latin1.txt') in str(e.value)
    (tmp_path/'bin.jsonl').write_bytes(b'{"text": "a"}\n\x00\x01\x02')
    with pytest.raises(ValueError, match='a NUL byte .* at byte offset 14'): load_corpus(str(tmp_path/'bin.jsonl'))
    (tmp_path/'bad.jsonl').write_bytes(b'{"text": "caf\xe9"}\n')            # the JSON reader would let this through
    with pytest.raises(ValueError, match='byte 0xe9, not UTF-8 at byte offset 13'): load_corpus(str(tmp_path/'bad.jsonl'))
    (tmp_path/'empty.txt').write_text('')
    with pytest.raises(ValueError, match=r'every file is empty \(0 bytes\)') as e: load_corpus(str(tmp_path/'empty.txt'))
    assert 'empty.txt' in str(e.value)
    d = tmp_path/'d'; d.mkdir(); (d/'a.txt').write_text('text\n'); (d/'b.txt').write_text('')
    with pytest.warns(UserWarning, match=r"skipped 1 empty file\(s\): \[.*b\.txt"): assert list(load_corpus(str(d))['text']) == ['text']
    (tmp_path/'torn.jsonl').write_text('{"text": "a"}\n{"text": "b"}\n{"te')
    with pytest.raises(ValueError, match=r'torn\.jsonl, line 3'): load_corpus(str(tmp_path/'torn.jsonl'))
    with pytest.raises(ValueError, match='max_files=0: give at least 1'): load_corpus('stdlib', max_files=0)
    with pytest.raises(ValueError, match='max_files=-1'): load_corpus('stdlib', max_files=-1)

# --- the benchmark's command line -------------------------------------------------------------------------------

@pytest.mark.parametrize('args,said', [(['--models', 'tiny,nope'], "unknown preset(s) ['nope']"),
                                       (['--slots', '0'], '--slots 0: give a whole number >= 1'),
                                       (['--attn-impl', 'fast'], "--attn-impl 'fast': allowed are"),
                                       (['--slots', 'many'], "invalid int value: 'many'")])
def test_bench_refuses_bad_arguments(tmp_path, args, said):
    t0 = time.perf_counter()
    r = _run([*_script('modernbert-bench', 'modernbert_nb.bench'), *args, '--out', str(tmp_path/'b.json')], timeout=120)
    assert r.returncode == 2 and said in r.stderr, (r.returncode, r.stderr[-2000:])
    assert not (tmp_path/'b.json').exists() and time.perf_counter() - t0 < 60

# --- checkpoints and metrics through the real pretraining command line ------------------------------------------

def _pretrain(out, corpus, *extra):
    return _run([*_script('modernbert-pretrain', 'modernbert_nb.pretrain'), '--preset', 'tiny', '--corpus', str(corpus),
                 '--max-steps', '4', '--save-every', '2', '--valid-every', '2', '--vocab-size', '300', '--budget', '512',
                 '--seq-len', '128', '--threads', '1', '--out', str(out), *extra])

def _metrics(out): return [json.loads(l) for l in (Path(out)/'metrics.jsonl').read_text().splitlines()]

def test_resume_skips_a_broken_checkpoint_and_a_torn_metrics_line(tmp_path):
    corpus, out = _corpus(tmp_path/'corpus.jsonl'), tmp_path/'run'
    r = _pretrain(out, corpus); assert r.returncode == 0, r.stderr[-3000:]
    straight = _metrics(out)
    ck = out/'checkpoints'
    assert sorted(p.name for p in ck.iterdir()) == ['step_0000002', 'step_0000004']
    assert oct(ck.joinpath('step_0000004').stat().st_mode & 0o077) == oct(0o777 & ~_umask() & 0o077)   # readable as a mkdir'd folder is
    w = ck/'step_0000004'/'model.safetensors'; w.write_bytes(w.read_bytes()[:w.stat().st_size // 2])    # a copy cut short
    m = out/'metrics.jsonl'; m.write_text(m.read_text()[:-30])                                            # a kill mid-line
    r = _pretrain(out, corpus, '--resume'); assert r.returncode == 0, r.stderr[-3000:]
    assert f"skipping 1 broken checkpoint(s) newer than step_0000002: {w} is unreadable" in r.stderr, r.stderr[-3000:]
    assert 'resumed from' in r.stdout and 'step_0000002' in r.stdout, r.stdout[-2000:]
    resumed = _metrics(out)
    assert [x['step'] for x in resumed] == [x['step'] for x in straight]                     # the torn line dropped, none doubled
    assert [x.get('loss') for x in resumed if 'loss' in x] == [x.get('loss') for x in straight if 'loss' in x]   # the same run
    assert sorted(p.name for p in ck.iterdir()) == ['step_0000002', 'step_0000004']                     # step 4 rewritten whole
    from modernbert_nb.trainstate import checkpoint_problem
    assert checkpoint_problem(ck/'step_0000004') is None
    (ck/'step_0000002'/'rng.pt').unlink(); (ck/'step_0000004'/'state.json').write_text('{"step": 4,')
    r = _pretrain(out, corpus, '--resume')
    assert r.returncode != 0 and f"no intact checkpoint in {ck}" in r.stderr and str(ck/'step_0000002'/'rng.pt') in r.stderr, r.stderr[-3000:]

def _umask():
    u = os.umask(0); os.umask(u); return u

# --- checkpoints in-process: a full disk, a kill while deleting, a corrupt middle metrics line ------------------

def test_full_disk_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    import torch
    from types import SimpleNamespace
    from modernbert_nb import trainstate
    from modernbert_nb.config import ModernBertConfig
    from modernbert_nb.model import ModernBertModel
    model = ModernBertModel(ModernBertConfig.from_preset('tiny', vocab_size=64, num_hidden_layers=1, hidden_size=32,
                                                         intermediate_size=48, num_attention_heads=2, pad_token_id=0))
    learn = SimpleNamespace(step=2, model=model, opt=torch.optim.SGD(model.parameters(), lr=0.1), train=None, rank=0,
                            world_size=1, tokens_seen=0, schedule=None)
    trainstate.save_checkpoint(learn, tmp_path)
    def full(*a, **k): raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(trainstate.torch, 'save', full)
    learn.step = 4
    with pytest.raises(OSError, match='no space left on the device while saving step_0000004') as e: trainstate.save_checkpoint(learn, tmp_path)
    assert e.value.errno == errno.ENOSPC and str(tmp_path/'checkpoints') in str(e.value) and '(step_0000002) is kept' in str(e.value)
    assert sorted(p.name for p in (tmp_path/'checkpoints').iterdir()) == ['step_0000002']          # no half save left behind
    monkeypatch.undo()
    assert trainstate.latest_checkpoint(tmp_path).name == 'step_0000002'

def test_metrics_torn_last_line_vs_corrupt_middle(tmp_path):
    from modernbert_nb.learner import read_metrics
    from modernbert_nb.trainstate import truncate_metrics
    m = tmp_path/'metrics.jsonl'
    m.write_text(''.join(json.dumps({'step': i, 'loss': 1.0 / i}) + '\n' for i in range(1, 6)) + '{"step": 6, "lo')
    with pytest.warns(UserWarning, match='torn last line 6'): assert [x['step'] for x in read_metrics(m)] == [1, 2, 3, 4, 5]
    with pytest.warns(UserWarning): truncate_metrics(m, 4)
    assert m.read_text() == ''.join(json.dumps({'step': i, 'loss': 1.0 / i}) + '\n' for i in range(1, 5))
    m.write_text('{"step": 1}\n{"step": 2, "lo\n{"step": 3}\n')
    with pytest.raises(ValueError, match=r'metrics\.jsonl, line 2 is not JSON'): read_metrics(m)
    with pytest.raises(ValueError, match=r'metrics\.jsonl, line 2 is not JSON'): truncate_metrics(m, 3)

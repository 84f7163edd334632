"`modernbert-finetune` as a user runs it: a real process, its exit status, and what it leaves in --out."
import json, os, random, subprocess, sys
from pathlib import Path

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'RAYON_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
CLI = str(Path(sys.executable).with_name('modernbert-finetune'))

def tiny_model(path: Path) -> list[str]:
    from modernbert_nb.tokenizer import train_tokenizer, save_tokenizer, special_ids
    from modernbert_nb.config import ModernBertConfig
    from modernbert_nb.model import ModernBertForMaskedLM
    words = 'def return self value items index name data key open read write file line path error class import for range len'.split()
    rng = random.Random(0)
    texts = [' '.join(rng.choice(words) for _ in range(12)) for _ in range(300)]
    tok = train_tokenizer(texts, 320); sid = special_ids(tok)
    cfg = ModernBertConfig.from_preset('tiny', vocab_size=tok.get_vocab_size(), pad_token_id=sid.pad, cls_token_id=sid.cls,
                                       sep_token_id=sid.sep, bos_token_id=sid.cls, eos_token_id=sid.sep, mask_token_id=sid.mask,
                                       hidden_size=64, intermediate_size=96, num_attention_heads=2, num_hidden_layers=2)
    ModernBertForMaskedLM(cfg).save_pretrained(path); save_tokenizer(tok, path, 512)
    return texts

def test_cli_exit_status_and_output(tmp_path):
    texts = tiny_model(tmp_path/'model')
    (tmp_path/'cls.jsonl').write_text(''.join(json.dumps(dict(text=t, label=int('return' in t))) + '\n' for t in texts[:60]))
    args = [CLI, '--task', 'classify', '--model', str(tmp_path/'model'), '--train', str(tmp_path/'cls.jsonl'),
            '--steps', '2', '--batch-size', '8', '--max-len', '32', '--quiet']
    r = subprocess.run(args + ['--out', str(tmp_path/'out')], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((tmp_path/'out'/'metrics.json').read_text())['steps'] == 2
    r = subprocess.run(args + ['--out', str(tmp_path/'out')], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'already holds files' in r.stderr, r.stderr[-2000:]      # a finished run is never overwritten

def test_cli_token_classify_writes_a_transformers_token_classifier(tmp_path):
    import torch, transformers
    texts = tiny_model(tmp_path/'model')
    key = {'def', 'return', 'class', 'import', 'for'}
    rows = [dict(tokens=t.split(), ner_tags=['KEY' if w in key else 'O' for w in t.split()]) for t in texts[:60]]
    (tmp_path/'ner.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    args = [CLI, '--task', 'token-classify', '--model', str(tmp_path/'model'), '--steps', '2', '--batch-size', '8', '--max-len', '32', '--quiet']
    bad = tmp_path/'bad.jsonl'
    bad.write_text(''.join(json.dumps(dict(r, ner_tags=r['ner_tags'][:-1] if i == 7 else r['ner_tags'])) + '\n' for i, r in enumerate(rows)))
    r = subprocess.run(args + ['--train', str(bad), '--out', str(tmp_path/'out')], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and '--train row 7: 12 tokens but 11 ner_tags' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'out').exists() and not [p for p in tmp_path.iterdir() if '.tmp-' in p.name]      # refused before anything is written
    r = subprocess.run(args + ['--train', str(tmp_path/'ner.jsonl'), '--out', str(tmp_path/'out')], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path/'out'
    assert {'config.json', 'model.safetensors', 'tokenizer.json', 'metrics.json', 'metrics.jsonl', 'training.png'} <= {p.name for p in out.iterdir()}
    m = json.loads((out/'metrics.json').read_text())
    assert m['steps'] == 2 and m['label_names'] == ['KEY', 'O'] and m['n_train'] + m['n_valid'] == 60, m
    # transformers' own classes read the folder and give our model's logits at every real token
    from modernbert_nb.heads import ModernBertForTokenClassification
    hf = transformers.AutoModelForTokenClassification.from_pretrained(out, attn_implementation='eager').eval()
    tok = transformers.AutoTokenizer.from_pretrained(out)
    assert hf.config.id2label == {0: 'KEY', 1: 'O'}
    enc = tok([' '.join(r['tokens']) for r in rows[:4]], padding=True, truncation=True, max_length=32, return_tensors='pt')
    real = enc['attention_mask'].bool()
    with torch.no_grad():
        ours = ModernBertForTokenClassification.from_pretrained(out).eval()(**enc).logits
        torch.testing.assert_close(ours[real], hf(**enc).logits[real], atol=1e-4, rtol=1e-4)

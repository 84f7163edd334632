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

"""What can't live in a notebook: the installed package's own promises.

The notebooks import transformers for their parity checks, so they can't show that the library itself doesn't
need it. These tests run the package in a fresh interpreter where `import transformers` fails.
"""
import subprocess, sys, textwrap

def run_without_transformers(code: str) -> str:
    prog = "import sys; sys.modules['transformers'] = None\n" + textwrap.dedent(code)
    r = subprocess.run([sys.executable, '-c', prog], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout

def test_model_imports_and_runs_without_transformers():
    out = run_without_transformers("""
        import tempfile, torch
        from modernbert_nb.config import ModernBertConfig
        from modernbert_nb.model import ModernBertForMaskedLM, ModernBertForSequenceClassification
        cfg = ModernBertConfig.from_preset('tiny', vocab_size=128, pad_token_id=0, num_hidden_layers=2)
        m = ModernBertForMaskedLM(cfg).eval()
        ids = torch.randint(1, 128, (2, 9)); am = torch.ones_like(ids); am[1, 4:] = 0
        with tempfile.TemporaryDirectory() as d:
            m.save_pretrained(d)
            back = ModernBertForMaskedLM.from_pretrained(d)
            clf = ModernBertForSequenceClassification.from_pretrained(d, num_labels=3)
        with torch.no_grad():
            a, b = m(ids, am).logits, back(ids, am).logits
        assert torch.equal(a, b)
        print(tuple(a.shape), tuple(clf(ids, am).logits.shape))
    """)
    assert out.split() == ['(2,', '9,', '128)', '(2,', '3)']

def test_transformers_really_is_blocked():
    r = subprocess.run([sys.executable, '-c', "import sys; sys.modules['transformers'] = None; import transformers"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and 'transformers' in r.stderr

"""Bad input to the config, the model, checkpoints and flex attention: refused with the culprit named, or handled
so that the result is what transformers (or the eager backend) gives. Inline tests in 00, 03a, 06 and 06a teach
each case; these hold the ones that cross modules: a saved folder that transformers must load, and CUDA-style
failures (out-of-range ids) that must surface as a ValueError on the CPU first.
"""
import json, warnings
from pathlib import Path
import pytest, torch
from modernbert_nb.config import ModernBertConfig, GLOBAL, LOCAL, SPECIAL_IDS
from modernbert_nb.model import ModernBertModel, ModernBertForMaskedLM, ModernBertForSequenceClassification
from modernbert_nb.checkpoint import WEIGHTS_NAME

SMALL = dict(vocab_size=120, hidden_size=32, intermediate_size=48, num_hidden_layers=3, num_attention_heads=2,
             max_position_embeddings=64, local_attention=8)

def test_a_config_with_only_the_vocabulary_changed_saves_a_folder_transformers_loads(tmp_path):
    transformers = pytest.importorskip('transformers')
    cfg = ModernBertConfig.from_preset('tiny', vocab_size=300, num_hidden_layers=2)
    assert [getattr(cfg, k) for k in SPECIAL_IDS] == [None] * 6          # ModernBERT's ids do not fit: none, not 50283
    ModernBertForMaskedLM(cfg).save_pretrained(tmp_path)
    hf = transformers.AutoModelForMaskedLM.from_pretrained(tmp_path)
    assert hf.config.vocab_size == 300 and hf.config.pad_token_id is None
    with pytest.raises(ValueError, match=r'eos_token_id=300 is outside the vocabulary \[0, 300\)'):
        ModernBertConfig.from_preset('tiny', vocab_size=300, eos_token_id=300)
    (tmp_path/'config.json').write_text(json.dumps({**json.loads((tmp_path/'config.json').read_text()), 'cls_token_id': 999}))
    with pytest.raises(ValueError, match=rf"{tmp_path/'config.json'}: cls_token_id=999 is outside"):
        ModernBertForMaskedLM.from_pretrained(tmp_path)

def test_an_irregular_layer_layout_is_not_written_as_a_4x_period(tmp_path):
    transformers = pytest.importorskip('transformers')
    cfg = ModernBertConfig(**{**SMALL, 'num_hidden_layers': 4}, layer_types=[GLOBAL, GLOBAL, LOCAL, LOCAL])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); ModernBertModel(cfg).save_pretrained(tmp_path)
    assert any('transformers 4.x cannot read this config' in str(x.message) for x in w)
    saved = json.loads((tmp_path/'config.json').read_text())
    assert 'global_attn_every_n_layers' not in saved
    assert transformers.AutoConfig.from_pretrained(tmp_path).layer_types == cfg.layer_types
    assert ModernBertConfig.from_json(tmp_path).layer_types == cfg.layer_types

@pytest.mark.parametrize('kw, said', [
    (dict(global_rope_theta='160000'), "global_rope_theta must be float, got '160000' (str)"),
    (dict(norm_eps=None), 'norm_eps must be float, got None'),
    (dict(layer_types={'0': GLOBAL}), 'layer_types must be list or None'),
    (dict(num_attention_heads=2.0), 'num_attention_heads must be int, got 2.0'),
    (dict(initializer_range=-0.02), 'initializer_range must be a positive number, got -0.02'),
    (dict(initializer_range=float('inf')), 'initializer_range must be a finite number, got inf'),
    (dict(local_rope_theta=float('nan')), 'local_rope_theta must be a finite number, got nan'),
    (dict(mask_token_id=120), 'mask_token_id=120 is outside the vocabulary [0, 120)'),
    (dict(classifier_dropout=1.0), 'classifier_dropout is a probability in [0, 1), got 1.0'),
])
def test_config_fields_of_the_wrong_type_or_range_are_named(kw, said):
    with pytest.raises(ValueError) as e: ModernBertConfig(**{**SMALL, **kw})
    assert said in str(e.value), str(e.value)

def test_model_inputs_that_would_be_device_side_asserts_on_cuda_are_value_errors():
    torch.manual_seed(0)
    m = ModernBertForMaskedLM(ModernBertConfig(**SMALL, pad_token_id=0)).eval()
    ids = torch.randint(1, 120, (2, 10)); cu = torch.tensor([0, 4, 20])
    bad = [(lambda: m(ids, labels=torch.full((2, 10), 120)), 'labels (token ids) hold 120: allowed are 0..119, or -100'),
           (lambda: m(ids, labels=torch.zeros(2, 10)), 'labels must be integer token ids'),
           (lambda: m(ids.flatten(), cu_seqlens=cu, max_seqlen=16, position_ids=torch.arange(20) * 10), 'position 190 is outside the position table'),
           (lambda: m(ids.flatten(), torch.ones(20), cu_seqlens=cu, max_seqlen=16), 'attention_mask and cu_seqlens were both given'),
           (lambda: m(ids, attention_mask=[[1] * 10] * 2), 'attention_mask must be a torch.Tensor')]
    for f, said in bad:
        with pytest.raises(ValueError) as e: f()
        assert said in str(e.value), str(e.value)
    clf = ModernBertForSequenceClassification(ModernBertConfig(**SMALL, num_labels=1)).eval()
    with pytest.raises(ValueError, match=r'labels has shape \(3,\): with num_labels=1 and 2 sequences it must be \(2,\)'):
        clf(ids, labels=torch.zeros(3))

def test_checkpoint_files_that_are_broken_are_named(tmp_path):
    m = ModernBertModel(ModernBertConfig(**SMALL))
    m.save_pretrained(tmp_path)
    w = tmp_path/WEIGHTS_NAME
    w.write_bytes(w.read_bytes()[:100])
    with pytest.raises(ValueError, match=rf'{w} does not load'): ModernBertModel.from_pretrained(tmp_path)
    w.write_bytes(b'')
    with pytest.raises(ValueError, match=rf'{w} is empty'): ModernBertModel.from_pretrained(tmp_path)
    m.save_pretrained(tmp_path)
    with pytest.raises(ValueError, match=r"dtype='half': allowed are \['float32', 'float16', 'bfloat16'\]"):
        ModernBertModel.from_pretrained(tmp_path, dtype='half')
    assert ModernBertModel.from_pretrained(tmp_path, dtype='float16').layers[0].attn.Wqkv.weight.dtype == torch.float16

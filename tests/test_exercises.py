"""The exercises at the end of every core notebook: each one stated has a check and a worked solution
(`nbs/solutions/<notebook>.py`); every solution passes its check, every check rejects the common mistake filed
with it, and an answer left as `None` is reported as open, not as a failure."""
import importlib.util, json, re
from pathlib import Path
import pytest
from modernbert_nb import exercises, exercises_train
from modernbert_nb.exercises import ExerciseFailed

ROOT = Path(__file__).resolve().parents[1]
CORE = ['01_tokenizer', '02_rope', '03_attention', '04_unpadding', '05_mlp', '06_model', '07_data', '07a_packing',
        '07b_masking', '08_optim', '09_training', '10_pretraining', '11_finetuning', '11a_retrieval', '12_ablation']
CHECKS = {n: getattr(m, n) for m in (exercises, exercises_train) for n in m.__all__ if n.startswith('check_')}

def exercise_cells(cells:list) -> tuple[list, list, list]:
    "(exercise statements, the checks the code cells call, the recap's bullets) of a notebook's Exercises section."
    src = [(c['cell_type'], ''.join(c['source'])) for c in cells]
    start = next((i for i, (t, s) in enumerate(src) if t == 'markdown' and s.startswith('## Exercises')), None)
    if start is None: return [], [], []
    stated, called, recap = [], [], []
    for t, s in src[start + 1:]:
        if t == 'markdown' and s.startswith('## Recap'):
            recap = [l for l in s.splitlines() if l.startswith('- ')]; break
        if t == 'markdown': stated += re.findall(r'\*\*Exercise (\d+)\*\* \((implement|predict|modify and measure)\)', s)
        else: called += re.findall(r'^(check_\w+)\(', s, re.MULTILINE)
    return stated, called, recap

def notebook(nb:str) -> list: return json.loads((ROOT/'nbs'/f'{nb}.ipynb').read_text(encoding='utf-8'))['cells']

def solutions(nb:str):
    spec = importlib.util.spec_from_file_location(f'solutions_{nb}', ROOT/'nbs'/'solutions'/f'{nb}.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

def test_the_parser_can_fail():
    md = lambda s: dict(cell_type='markdown', source=[s])
    code = lambda s: dict(cell_type='code', source=[s])
    cells = [md('# T'), md('## Exercises\n\nintro'), md('**Exercise 1** (predict). x'), code('a = None\ncheck_a(a)'),
             md('**Exercise 2** (guess). y'), code('check_b(b)  # a comment'), md('## Recap\n\n- one\n- two'), code('x')]
    test = exercise_cells(cells)
    assert test == ([('1', 'predict')], ['check_a', 'check_b'], ['- one', '- two'])
    assert exercise_cells(cells[:1]) == ([], [], [])

@pytest.mark.parametrize('nb', CORE)
def test_stated_exercises_have_checks_and_recap(nb):
    stated, called, recap = exercise_cells(notebook(nb))
    assert 2 <= len(called) <= 4, f'{nb}: {len(called)} exercise cells'
    assert [int(i) for i, _ in stated] == list(range(1, len(called) + 1)), f'{nb}: exercises stated {stated}, cells call {called}'
    assert len(set(called)) == len(called), f'{nb}: a check is called twice: {called}'
    missing = [c for c in called if c not in CHECKS]
    assert not missing, f'{nb}: no check named {missing} in modernbert_nb.exercises(_train)'
    assert 3 <= len(recap) <= 5, f'{nb}: the recap has {len(recap)} bullets'

@pytest.mark.parametrize('nb', CORE)
def test_solutions_pass_and_mistakes_fail(nb):
    _, called, _ = exercise_cells(notebook(nb))
    sol = solutions(nb)
    assert set(sol.ANSWERS) == set(called), f'{nb}: solutions for {sorted(sol.ANSWERS)}, exercises {called}'
    assert set(sol.MISTAKES) == set(called), f'{nb}: mistakes for {sorted(sol.MISTAKES)}, exercises {called}'
    for name in called:
        assert CHECKS[name](None) is None, f'{name}: an open exercise (None) must not fail'
        assert CHECKS[name](sol.ANSWERS[name]) is True, name
        with pytest.raises(ExerciseFailed): CHECKS[name](sol.MISTAKES[name])

def test_every_check_belongs_to_an_exercise():
    used = {c for nb in CORE for c in exercise_cells(notebook(nb))[1]}
    assert set(CHECKS) == used, f'checks without an exercise: {sorted(set(CHECKS) - used)}'

def test_exercise_cells_only_stub():
    "The cells in the notebooks leave the answer open (None): a notebook never carries its own solution."
    for nb in CORE:
        cells = notebook(nb)
        start = next(i for i, c in enumerate(cells) if ''.join(c['source']).startswith('## Exercises'))
        for c in cells[start:]:
            s = ''.join(c['source'])
            if c['cell_type'] == 'code' and 'check_' in s:
                assert re.search(r'^my_\w+ = None\b', s, re.MULTILINE), f'{nb}: an exercise cell without a `my_... = None` stub:\n{s}'

def test_solutions_are_not_part_of_the_package():
    "nbdev reads notebooks only; the solutions are .py files outside the package, and the package index never names them."
    assert not list((ROOT/'nbs'/'solutions').glob('*.ipynb'))
    modidx = (ROOT/'modernbert_nb'/'_modidx.py').read_text()
    assert 'solutions' not in modidx
    assert sorted(p.stem for p in (ROOT/'nbs'/'solutions').glob('*.py')) == sorted(CORE)

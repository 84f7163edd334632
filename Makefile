# The README's commands. `make test` sets itself up on a fresh machine.
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# On CPU machines torch==2.13.0 is a local CPU build; a plain `torch` would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0
# Two nbdev-test workers on two cores: one thread each, so they don't fight.
NB_THREADS ?= 1

.PHONY: setup test nbcheck nbtest pytest lab export readme gpu-check gpu-sweep bench clean finetune

setup: $(VENV)/.ok

$(VENV)/.ok: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# nbdev-clean and nbdev-export must leave git as it was: notebooks are clean, the library is what they export.
nbcheck: setup
	@before=$$(git status --porcelain; git diff); \
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && $(PY) tools/readme.py; \
	after=$$(git status --porcelain; git diff); \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev-clean / nbdev-export / tools/readme.py changed the tree: commit the cleaned notebooks and exported library"; \
	  git status --short; exit 1; fi
	@echo "nbcheck: notebooks clean, library and README in step"

nbtest: setup
	OMP_NUM_THREADS=$(NB_THREADS) $(BIN)/nbdev-test --n-workers 2 --timing

pytest: setup
	OMP_NUM_THREADS=2 $(PY) -m pytest -q tests

test: nbcheck nbtest pytest

export: setup
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && $(PY) tools/readme.py

readme: setup
	$(PY) tools/readme.py

# Pretrain `tiny` on the Python standard library (2 CPU cores, < 15 min); a new folder under runs/ each time.
PRETRAIN_OUT ?= runs/tiny-$(shell date +%Y%m%d-%H%M%S)
.PHONY: pretrain
pretrain: setup
	OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(BIN)/modernbert-pretrain --preset tiny --corpus stdlib --out $(PRETRAIN_OUT) --time-limit 12

# BERT -> ModernBERT one change at a time (nbs/12_ablation.ipynb): the grid of 16 small runs (~15 min on 2 CPU cores),
# its JSON in nbs/ablation_results/cpu.json and the notebook's outputs refreshed. On a GPU: python tools/gpu_ablation.py --out FILE
.PHONY: ablation
ablation: setup
	OMP_NUM_THREADS=1 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(PY) tools/run_nb.py nbs/12_ablation.ipynb --flags slow

# Fine-tune the newest `make pretrain` model on the built-in code-search task (2 CPU cores, a few minutes).
FINETUNE_MODEL ?= $(lastword $(sort $(wildcard runs/tiny-*/model)))
FINETUNE_OUT ?= runs/finetune-$(shell date +%Y%m%d-%H%M%S)
finetune: setup
	@test -n "$(FINETUNE_MODEL)" || { echo "no pretrained model in runs/tiny-*/model: run 'make pretrain' first, or pass FINETUNE_MODEL=DIR"; exit 1; }
	OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(BIN)/modernbert-finetune --task code-search --model $(FINETUNE_MODEL) --out $(FINETUNE_OUT) --lr 1e-3   # a short-pretrained model needs 1e-3 (11b_encoders)

lab: setup
	$(BIN)/jupyter lab nbs

clean:
	rm -rf $(VENV) build *.egg-info

# The GPU check: on a CUDA machine, the `gpu`/`slow` notebook cells and the full benchmark (under 8 minutes on one H100);
# on a CPU, the `slow` cells and a small benchmark. Needs no venv: wheels from .whl/ (`bash tools/gpu_check.sh --fetch-wheels`).
gpu-check:
	bash tools/gpu_check.sh

# Which flex settings make the forward fastest, and a profile of where its time goes (one H100 call, ~5 minutes).
gpu-sweep:
	bash tools/gpu_check.sh --sweep

bench: setup
	$(BIN)/modernbert-bench

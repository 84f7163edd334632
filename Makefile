# The README's commands. `make test` sets itself up on a fresh machine.
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# On CPU machines torch==2.13.0 is a local CPU build; a plain `torch` would pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0
# Two nbdev-test workers on two cores: one thread each, so they don't fight.
NB_THREADS ?= 1

.PHONY: setup test nbcheck nbtest pytest lab runall export readme gpu-check gpu-sweep bench clean finetune docs docs-check pylate

setup: $(VENV)/.ok $(VENV)/pylate/.ok

$(VENV)/.ok: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# PyLate, the ColBERT library that reads 11b_encoders' ColBERT folders, pins sentence-transformers 5.3 and (through its
# index, fast-plaid) a CUDA torch: `pip install pylate` would replace the venv's torch and sentence-transformers 6.
# Its ColBERT class needs neither the index nor CUDA, so PyLate and the sentence-transformers it pins go, without
# dependencies, into $(VENV)/pylate (6 MB, seconds): a second interpreter puts it first on PYTHONPATH
# (`PYTHONPATH=$(VENV)/pylate $(PY)`); the venv is left as it is. The notebook's PyLate test skips without it.
PYLATE_PKGS ?= pylate==1.6.0 sentence-transformers==5.3.0
pylate: $(VENV)/pylate/.ok

$(VENV)/pylate/.ok: Makefile | $(VENV)/.ok
	$(PY) -m pip install -q --upgrade --no-deps --target $(VENV)/pylate $(PYLATE_PKGS)
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
# More modernbert-pretrain options. By default the model is compiled where a C++ compiler is found (inductor builds its CPU
# kernels with it; compiling costs about a minute of the 12 and pays for bf16 on a CPU: tools/cpu_compile_bench.py).
# `make pretrain PRETRAIN_ARGS=` runs it uncompiled.
PRETRAIN_ARGS ?= $(if $(shell command -v g++ || command -v clang++),--compile,)
.PHONY: pretrain
pretrain: setup
	OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(BIN)/modernbert-pretrain --preset tiny --corpus stdlib --out $(PRETRAIN_OUT) --time-limit 12 $(PRETRAIN_ARGS)

# BERT -> ModernBERT one change at a time (nbs/12_ablation.ipynb): the grid of 16 small runs and their token-type fine-tunes (~18 min of CPU; 30 on a busy machine),
# its JSON in nbs/ablation_results/cpu.json and the notebook's outputs refreshed. On a GPU: python tools/gpu_ablation.py --out FILE
.PHONY: ablation
ablation: setup
	OMP_NUM_THREADS=1 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(PY) tools/run_nb.py nbs/12_ablation.ipynb --flags slow

# Fine-tune the newest `make pretrain` model on the built-in code-search task (2 CPU cores, a few minutes).
# FINETUNE_MODEL: the newest finished make pretrain run (by the time its weights were written), unless given
FINETUNE_MODEL ?= $(patsubst %/model.safetensors,%,$(firstword $(shell ls -t runs/tiny-*/model/model.safetensors 2>/dev/null)))
FINETUNE_OUT ?= runs/finetune-$(shell date +%Y%m%d-%H%M%S)
finetune: setup
	@test -n "$(FINETUNE_MODEL)" || { echo "no pretrained model in runs/tiny-*/model: run 'make pretrain' first, or pass FINETUNE_MODEL=DIR"; exit 1; }
	OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 HF_HUB_OFFLINE=1 $(BIN)/modernbert-finetune --task code-search --model $(FINETUNE_MODEL) --out $(FINETUNE_OUT) --lr 5e-4   # the make pretrain model after one pass: nDCG@10 0.370 at lr 5e-4, 0.352 at 1e-3 (11b_encoders, 350 steps)

# JupyterLab on the notebooks, with .venv registered as the kernel `modernbert_nb` they name (in ~/.local/share/jupyter).
lab: setup
	$(PY) -m ipykernel install --user --name modernbert_nb --display-name modernbert_nb
	$(BIN)/jupyter lab nbs

# Run All as a reader does in JupyterLab: every notebook in a fresh interpreter, every cell (gpu and slow ones too:
# gpu cells skip themselves without CUDA), nothing written back. One line per notebook: its time and slowest cells,
# or the first failing cell. Long on a CPU (the slow cells train models): NBS=nbs/09_training.ipynb for one.
NBS ?= $(sort $(wildcard nbs/*.ipynb))
runall: setup
	$(PY) tools/run_nb.py $(NBS) --check --all-cells --cell-times 30

# The docs site in _docs/ (nbdev-docs needs Quarto): nbdev's processing of each notebook, then mkdocs (Material,
# mkdocs-jupyter) with a search box; pages named as nbdev names them (02_rope -> rope.html), the index's tracks as the
# sidebar. Nothing is executed: the pages show the committed outputs. Installs the `docs` extra on first use.
docs: setup
	@$(PY) -c "import mkdocs_jupyter, material, playwright" 2>/dev/null || $(PY) -m pip install -q -e ".[dev,docs]"
	OMP_NUM_THREADS=1 $(PY) tools/build_docs.py --out _docs

# Every page of _docs/ in headless Chromium over http://localhost: pages load, images render, internal links and
# anchors resolve, the search finds a documented name; screenshots in runs/docs-check/. Needs a Chromium
# (Debian: apt-get install chromium; or `$(BIN)/playwright install chromium`).
docs-check: docs
	$(PY) tools/check_docs.py --site _docs --shots runs/docs-check

clean:
	rm -rf $(VENV) build *.egg-info

# The GPU check: on a CUDA machine, the `gpu`/`slow` notebook cells and the full benchmark (under 8 minutes on one H100);
# on a CPU, the `slow` cells and a small benchmark. Needs no venv: wheels from .whl/ (`bash tools/gpu_check.sh --fetch-wheels`).
gpu-check:
	bash tools/gpu_check.sh

# Which flex settings make the forward fastest, and a profile of where its time goes (one H100 call, ~5 minutes).
gpu-sweep:
	bash tools/gpu_check.sh --sweep

# Fine-tuning speed: ours (Learner, packed, compiled) against transformers' Trainer, same weights and data (one H100 call, ~3-5 minutes).
.PHONY: gpu-finetune-bench
gpu-finetune-bench:
	PYTHONPATH=. $(if $(wildcard $(PY)),$(PY),python3) tools/gpu_finetune_bench.py --out runs/gpu_finetune_bench

bench: setup
	$(BIN)/modernbert-bench

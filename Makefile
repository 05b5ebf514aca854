# tranqsim — one-command set-up: each target builds .venv from nothing when needed.
# Mesa 3.5 needs Python >= 3.12; `python3` may be older (here 3.11), so look on PATH first,
# then through pyenv.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

PYTHON_FOUND := $(shell \
  for c in python3.13 python3.12 python3 python; do \
    p=$$(command -v $$c 2>/dev/null) || continue; \
    $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; exit 0; }; \
  done; \
  if command -v pyenv >/dev/null 2>&1; then \
    root=$$(pyenv root); \
    for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.|$$)' | sort -rV); do \
      p=$$root/versions/$$v/bin/python3; \
      [ -x $$p ] && { echo $$p; exit 0; }; \
    done; \
  fi)

.PHONY: run test test-all regression-update bench docs validate calibrate ensemble clean venv ui warmup

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON_FOUND)" ]; then echo "error: no Python >= 3.12 found on PATH or via pyenv" >&2; exit 1; fi
	@echo "setting up .venv with Python $$($(PYTHON_FOUND) -c 'import platform; print(platform.python_version())') ($(PYTHON_FOUND)): a few minutes, longer on a busy machine"
	$(PYTHON_FOUND) -m venv $(VENV)
	@echo "[1/2] upgrading pip"
	$(PY) -m pip install --quiet --upgrade pip
	@echo "[2/2] installing tranqsim and its dependencies (numpy, numba, pandas, Mesa, Solara...): pip names each package as it goes"
	$(PY) -m pip install --progress-bar on -e '.[test]'
	@touch $(STAMP)
	@echo ".venv ready"

# the model's kernels (src/tranqsim/jit.py) compiled once into numba's on-disk cache, again
# whenever a file holding kernels changes, so no command waits for compilation; no C compiler
# is needed (numba's JIT is the only path)
WARM := $(VENV)/.kernels-warm
KERNEL_SOURCES := $(shell grep -rl '^@njit' src/tranqsim --include='*.py') src/tranqsim/jit.py src/tranqsim/warmup.py
$(WARM): $(STAMP) $(KERNEL_SOURCES)
	@echo "compiling the model's kernels into numba's cache (once, and again after a kernel changes): a minute or two, longer on a busy machine; one line per simulation follows"
	$(VENV)/bin/tranqsim warmup
	@touch $(WARM)
warmup: $(WARM)

# the main job: the seven strategies in the priority estate (6 replicates x 4 years, resumable),
# then the strategists' report (HTML + Markdown + figures); prints the report's path
run: $(WARM)
	@echo "running the seven strategies (a progress bar follows; resumable: rerun make run after an interruption)"
	$(VENV)/bin/tranqsim sweep experiments/strategy_spectrum_quick.yaml --out runs/main/sweep
	@echo "writing the report (one line per stage, a bar for the re-simulations)"
	$(VENV)/bin/tranqsim report runs/main/sweep --out runs/main/report.html

# the quick suite (every module; the checks marked slow -- full validation, full sweeps, long
# end-to-end runs -- are left to test-all, which CI runs). Both spread the test files over one
# process per core (pytest-xdist, a file's tests in one process so its fixtures are built once):
# 263 s instead of 441 s of waiting on 2 cores
TEST_PROCS := $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
test: $(WARM)
	@echo "running the quick suite on $(TEST_PROCS) processes (about 5 min on 2 cores)"
	$(PY) -m pytest -q -m "not slow" -n $(TEST_PROCS) --dist loadfile

test-all: $(WARM)
	@echo "running every test, the long checks too, on $(TEST_PROCS) processes"
	$(PY) -m pytest -q -n $(TEST_PROCS) --dist loadfile

# rewrites the regression guard (tests/regression/summaries.json) from the current code, on
# purpose, and prints which outputs moved and by how much; say why in CHANGELOG.md
regression-update: $(WARM)
	$(PY) scripts/regression.py --update

# The trainers' web page on http://127.0.0.1:8765 (UI_HOST/UI_PORT to change; UI_ARGS for
# e.g. "--max-sessions 30 --idle-minutes 15"). The first run fetches Solara's front-end
# packages into .venv (from Solara's offline bundle, with pip); afterwards it works offline and serves them read-only.
UI_HOST ?= 127.0.0.1
UI_PORT ?= 8765
UI_ARGS ?=
ui: $(WARM)
	$(PY) scripts/setup_ui.py
	$(VENV)/bin/tranqsim ui --host $(UI_HOST) --port $(UI_PORT) $(UI_ARGS)

bench: $(WARM)
	$(PY) benchmarks/bench_model.py

docs: $(STAMP)
	$(VENV)/bin/tranqsim params --markdown > docs/parameters.md

# the full pattern suite (20 replicates, <= 15 min here); regenerates docs/validation.md
validate: $(WARM)
	$(VENV)/bin/tranqsim validate --replicates 20 --out runs/validation --markdown docs/validation.md

# recomputes the calibrated defaults from scratch and checks them against the shipped ones
calibrate: $(WARM)
	$(VENV)/bin/tranqsim calibrate --out runs/calibration --check

# the calibrated ensemble: parameter sets no check C1-C10, E1-E12 rules out (history matching).
# The shipped one is wave 1 (experiments/ensemble/). This rebuilds wave 3 (experiments/
# ensemble_wave3/: wave 2's box plus the police decay assumptions, 4 replicates a candidate)
# with the 3 sets an emulator of the checks proposed, the first of which passed every check on
# 20 confirmation replicates; every run and try is logged there, so it takes seconds and writes
# ensemble.json and ensemble.md beside them. It does not replace the shipped ensemble (add
# --install to do so: docs/calibration.md says why it is not yet); a changed box (another model
# table) asks for an empty folder
ensemble: $(WARM)
	$(VENV)/bin/tranqsim ensemble --out experiments/ensemble_wave3 --wave-of experiments/ensemble_wave2 \
		--replicates 4 --target 60 --max-candidates 200 --propose 3 --confirm 10

clean:
	rm -rf $(VENV) runs build *.egg-info src/*.egg-info
	rm -f src/tranqsim/__pycache__/*.nbi src/tranqsim/__pycache__/*.nbc  # numba's cache

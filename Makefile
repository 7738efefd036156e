# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv and install first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: demo test lint evaluate clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

# Live feeds when the machine is online, the sample corpus when not (it says which). Exit 1 from `run`
# means done with some records rejected (each reported): the demo goes on.
demo: $(STAMP)
	$(PY) -m pipeline run $$($(PY) scripts/demo_inputs.py data/feeds.txt data/sample) || test $$? -eq 1
	@echo "Dashboard: http://localhost:8501 (Ctrl-C to stop)"
	$(PY) -m streamlit run app.py --server.headless true --server.port 8501

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

evaluate: $(STAMP)
	$(PY) -m pipeline evaluate ../shared/data/gold/dev.jsonl

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

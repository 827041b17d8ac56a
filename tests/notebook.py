#!/usr/bin/env python3
"""Executes examples/analysis.ipynb over the datasets in OUT and writes its
plots into PLOTS (nbclient, the same kernel Jupyter uses): a cell that raises
or fails one of the notebook's own asserts fails the run.

    python3 tests/notebook.py OUT PLOTS

Run by tests/notebook.rs after an ingest of data/. Needs the packages of
tests/requirements.txt.
"""

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE.parent / "examples" / "analysis.ipynb"


def main():
    out, plots = (Path(a).resolve() for a in sys.argv[1:3])
    os.environ["XXGK_OUT"] = str(out)
    os.environ["XXGK_PLOTS"] = str(plots)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    for png in ("requests_per_year.png", "disclosure_rate_by_year.png"):
        data = (plots / png).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000, png
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"{NOTEBOOK.name}: {cells} code cells ran; plots in {plots}")


if __name__ == "__main__":
    main()

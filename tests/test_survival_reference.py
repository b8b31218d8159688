"""Parse R's printed output in ../shared/reference/survival/*.out (survival_ref.R etc.)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

COX_TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def section(text: str, label: str) -> str:
    start = text.index(f"===== {label} =====")
    nxt = text.find("=====", start + len(label) + 12)
    return text[start: nxt if nxt >= 0 else len(text)]


def coef_table(text: str, label: str) -> dict[str, list[float]]:
    """Rows of the summary(fit)$coefficients table printed under a section header."""
    rows = {}
    for line in section(text, label).splitlines()[2:]:
        if line.startswith("loglik") or not line.strip():
            break
        parts = line.split()
        rows[parts[0]] = [float(x) for x in parts[1:]]
    return rows


def quoted_numbers(block: str) -> np.ndarray:
    """Numbers inside the quoted strings R prints with print(sprintf(...))."""
    values = []
    for item in re.findall(r'"([^"]*)"', block):
        values.append(float(item.split()[-1]))
    return np.array(values)


def after(text: str, marker: str, until: str | None = None) -> str:
    start = text.index(marker) + len(marker)
    end = text.index(until, start) if until else len(text)
    return text[start:end]


def read(ref: Path, name: str) -> str:
    return (ref / "survival" / name).read_text()


def test_reference_parser_reads_r_output(reference_dir):
    text = read(reference_dir, "survival_ref.out")
    table = coef_table(text, "Rossi coxph Efron")
    assert list(table) == COX_TERMS
    assert table["fin"][0] == pytest.approx(-0.379422166485886669, abs=1e-15)
    full = quoted_numbers(after(text, "robust se full precision:", "====="))
    assert full.shape == (7,) and full[0] == pytest.approx(0.22074803411727414, abs=1e-15)

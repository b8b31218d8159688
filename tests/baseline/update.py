"""Regenerate the committed baselines from the bundled synthetic data."""

import shutil
import tempfile
from pathlib import Path

from fipeval.cli import main

REPO = Path(__file__).resolve().parents[2]

for scenario in ("brabantse_wal", "three_municipalities"):
    folder = REPO / "data" / "synthetic" / scenario
    with tempfile.TemporaryDirectory() as out:
        code = main(["report", str(folder), "--config", str(folder / "study.toml"),
                     "--key", str(folder / "pseudonym.key"), "--out", out, "--quiet"])
        if code:
            raise SystemExit(code)
        shutil.copy(Path(out) / "estimates.json", Path(__file__).parent / f"{scenario}.json")
        print(f"updated {scenario}.json")

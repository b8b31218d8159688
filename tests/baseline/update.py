"""Regenerate the committed baselines from the bundled synthetic data.

Run on purpose only, after an intended change of the estimates:

    python tests/baseline/update.py

pytest never imports this file (``collect_ignore`` in tests/conftest.py), and the work is
behind the ``__main__`` guard so that importing it writes nothing.
"""

import json
import sys
import tempfile
from pathlib import Path

BASELINES = Path(__file__).resolve().parent
REPO = BASELINES.parents[1]
SCENARIOS = ("brabantse_wal", "three_municipalities")


def update(scenarios=SCENARIOS) -> int:
    from fipeval.cli import main

    for scenario in scenarios:
        folder = REPO / "data" / "synthetic" / scenario
        with tempfile.TemporaryDirectory() as out:
            code = main(["report", str(folder), "--config", str(folder / "study.toml"),
                         "--key", str(folder / "pseudonym.key"), "--out", out, "--quiet"])
            if code:
                return code
            data = json.loads((Path(out) / "estimates.json").read_text(encoding="utf-8"))
            data["settings"].pop("timings", None)  # run times differ per run and machine
            text = json.dumps(data, indent=2, default=str) + "\n"
            (BASELINES / f"{scenario}.json").write_text(text, encoding="utf-8")
        print(f"updated {scenario}.json")
    return 0


if __name__ == "__main__":
    sys.exit(update(sys.argv[1:] or SCENARIOS))

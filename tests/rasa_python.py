"""Runs a script in Rasa's own environment (Python 3.10, .venv-rasa), for the parts of the
project that live inside the Rasa process."""

import json
import subprocess
from typing import Any

from bot.settings import PROJECT_ROOT


def run_in_rasa(script: str, *args: str) -> Any:
    """The JSON the script prints last, from the project's root."""
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-c", script, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])

"""The edge layer stands alone: importing it loads neither pulumi nor a provider."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
NO_PULUMI = (
    "import inputs, inputs.catalog, inputs.catalog_reader, inputs.catalog_checks, "
    "inputs.stack_settings, inputs.stackfile, inputs.problems, inputs.validators; "
    "import sys; "
    "loaded = sorted(m for m in sys.modules "
    "if m == 'pulumi' or m.startswith(('pulumi.', 'pulumi_')) "
    "or m.split('.')[0] in ('design', 'components')); "
    "assert not loaded, loaded"
)


def test_inputs_import_no_pulumi_design_or_components():
    # A fresh interpreter: this test process has pulumi loaded already (tests/conftest.py).
    result = subprocess.run(
        [sys.executable, "-c", NO_PULUMI],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr

"""app-secrets: declares every secret of the catalog for one stack, who may read it, and exports."""

from pathlib import Path

import pulumi

from components import declare_stack, program_inputs

PROJECT_DIR = Path(__file__).parent

for name, value in declare_stack(program_inputs(PROJECT_DIR), project_dir=PROJECT_DIR).items():
    pulumi.export(name, value)

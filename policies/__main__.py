"""The app-secrets-guardrails CrossGuard pack: every registry rule, served to the Pulumi CLI."""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_policy import PolicyPack

# The CLI runs a Python pack with runpy.run_path(<pack directory>), from inside it: only the pack
# directory is on sys.path, and __main__ has no package for the rule modules' relative imports.
# The rules are the project's `policies` package and read IAM's action catalog from aws_model/
# beside it, so the project directory goes on sys.path, last, so that it shadows nothing installed.
_PROJECT_DIR = str(Path(__file__).resolve().parent.parent)
if _PROJECT_DIR not in sys.path:
    sys.path.append(_PROJECT_DIR)

from policies.crossguard import PACK_NAME, policies  # noqa: E402  (needs the entry above)

# Starts the analyzer's gRPC server and serves until the Pulumi CLI stops it.
PolicyPack(name=PACK_NAME, policies=policies())

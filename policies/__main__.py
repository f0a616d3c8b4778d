"""The app-secrets-guardrails CrossGuard pack: every registry rule, served to the Pulumi CLI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _import_as_policies_package() -> None:
    """Import this directory as the `policies` package, whatever the directory is called.

    The CLI runs a Python pack with runpy.run_path(<pack directory>): the directory itself goes
    first on sys.path, where resource.py would shadow the standard library's `resource`, and
    __main__ has no package for the rule modules' relative imports.
    """
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    loaded = sys.modules.get("policies")
    if loaded is not None and Path(loaded.__file__ or "").resolve().parent == here:
        return  # run as `python -m policies` from the project root
    spec = importlib.util.spec_from_file_location(
        "policies", here / "__init__.py", submodule_search_locations=[str(here)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the guardrail rules from {here}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["policies"] = package
    spec.loader.exec_module(package)


_import_as_policies_package()

from pulumi_policy import PolicyPack  # noqa: E402  (needs the package imported above)

from policies.crossguard import PACK_NAME, policies  # noqa: E402

# Starts the analyzer's gRPC server and serves until the Pulumi CLI stops it.
PolicyPack(name=PACK_NAME, policies=policies())

"""Times `secretsctl plan` on a generated catalog (target: 1,000 secrets + 100 services < 20 s).

Run: .venv/bin/python -m bench.plan_speed [--secrets 1000] [--services 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.catalogs import generated_catalog, write_stack
from secretsctl.plan import build_plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secrets", type=int, default=1000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--widest", type=int, default=300, help="secrets the first service uses")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        catalog = generated_catalog(
            secrets=args.secrets, services=args.services, widest_service=args.widest
        )
        catalog_path, stack_path = write_stack(Path(directory), catalog)
        started = time.perf_counter()
        plan = build_plan(
            stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
        )
        elapsed = time.perf_counter() - started
    resources = len(plan["resources"])
    print(f"secrets={args.secrets} services={args.services} resources={resources}")
    print(f"plan: {elapsed:.2f} s, {1000 * elapsed / resources:.2f} ms per declared resource")
    return 0 if elapsed < 20 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Where the time of one in-process plan goes, on a generated catalog.

The default catalog is the side-by-side benchmark's largest (1,000 secrets, 100 services, the first
reading 300, every second generated secret rotating). The whole plan is timed once; the access
report, a pure function of the plan, is then timed again on its own `--repeat` times (min and
median), since `bench.side_by_side` only sees the plan from outside. A benchmark, not a test: it
prints figures and exits 0 whatever they are.

Run: .venv/bin/python -m bench.plan_speed [--secrets 1000] [--services 100] [--widest 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.catalogs import generated_catalog, write_stack
from secretsctl.access import access_report
from secretsctl.plan import build_plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secrets", type=int, default=1000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--widest", type=int, default=300, help="secrets the first service uses")
    parser.add_argument("--rotate-every", type=int, default=2, help="every Nth generated rotates")
    parser.add_argument("--repeat", type=int, default=5, help="access-report runs")
    args = parser.parse_args()
    catalog = generated_catalog(
        secrets=args.secrets,
        services=args.services,
        widest_service=args.widest,
        rotate_every=args.rotate_every,
    )
    with tempfile.TemporaryDirectory() as directory:
        catalog_path, stack_path = write_stack(Path(directory), catalog)
        started = time.perf_counter()
        plan = build_plan(
            stack="dev", catalog_path=catalog_path, stack_path=stack_path, placeholders=True
        )
        elapsed = time.perf_counter() - started
    access_times = []
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        report = access_report(plan)
        access_times.append(time.perf_counter() - started)
    resources = len(plan["resources"])
    print(f"secrets={args.secrets} services={args.services} resources={resources}")
    print(f"plan (in process): {elapsed:.2f} s, {1000 * elapsed / resources:.2f} ms per resource")
    print(
        f"access report ({len(report)} rows, {len(access_times)} runs): "
        f"min {min(access_times):.3f} s, median {statistics.median(access_times):.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

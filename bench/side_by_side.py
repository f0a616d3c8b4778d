"""Wall time of `secretsctl plan` against AWS CDK v2 synth of the same generated catalog.

Run: .venv/bin/python -m bench.side_by_side [--sizes 10,100,1000] [--growth 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.catalogs import generated_catalog, write_stack

ROOT = Path(__file__).resolve().parent.parent
CDK_DIR = ROOT / "bench" / "cdk"
CDK_APP = CDK_DIR / "app.js"
POLICY_TYPES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
EXIT_GUARDRAIL = 1


class BenchError(Exception):
    """A tool failed to run: the benchmark has no result."""


@dataclass(frozen=True)
class Case:
    """One generated catalog, as the plan's YAML files and as the CDK app's JSON."""

    size: int
    directory: Path
    catalog_yaml: Path
    stack_file: Path
    catalog_json: Path


@dataclass
class Result:
    """Wall times (s) of every run and what each tool declared."""

    size: int
    cdk_times: list[float] = field(default_factory=list)
    plan_times: list[float] = field(default_factory=list)
    cdk_resources: int = 0
    cdk_policy: int = 0
    plan_resources: int = 0
    plan_policy: int = 0


def parse_sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip() and int(part) > 0]


def make_case(directory: Path, size: int) -> Case:
    catalog = generated_catalog(
        secrets=size,
        services=max(1, size // 10),
        widest_service=min(300, size * 3 // 10),
        rotate_every=2,
    )
    case_dir = directory / f"size-{size}"
    case_dir.mkdir()
    catalog_yaml, stack_file = write_stack(case_dir, catalog)
    catalog_json = case_dir / "catalog.json"
    catalog_json.write_text(json.dumps(catalog), encoding="utf-8")
    return Case(size, case_dir, catalog_yaml, stack_file, catalog_json)


def ensure_node_modules() -> None:
    """`npm ci` when node_modules is missing or older than package-lock.json."""
    installed = CDK_DIR / "node_modules" / ".package-lock.json"
    lock = CDK_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("bench/cdk: npm ci ...", file=sys.stderr)
    command = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(command, cwd=CDK_DIR, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BenchError("npm not found: install Node.js 20+ and npm") from error
    if done.returncode != 0:
        raise BenchError(f"npm ci in {CDK_DIR} failed ({done.returncode}):\n{done.stderr}")


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BenchError(f"{command[0]} not found") from error
    return time.perf_counter() - started, done


def run_cdk(case: Case, run: int) -> tuple[float, dict]:
    outdir = case.directory / f"cdk.out-{run}"
    seconds, done = timed(["node", str(CDK_APP), str(case.catalog_json), str(outdir)])
    if done.returncode != 0:
        raise BenchError(f"CDK synth of {case.size} secrets: exit {done.returncode}\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise BenchError(f"CDK synth of {case.size} secrets printed no summary:\n{done.stderr}")
    return seconds, json.loads(lines[-1])


def run_plan(case: Case, run: int) -> tuple[float, dict]:
    out = case.directory / f"plan-{run}.json"
    command = [sys.executable, "-m", "secretsctl", "plan", "--stack", "dev"]
    command += ["--catalog", str(case.catalog_yaml), "--stack-file", str(case.stack_file)]
    seconds, done = timed([*command, "--placeholders", "--out", str(out)])
    if done.returncode == EXIT_GUARDRAIL:
        raise BenchError(f"plan of {case.size} secrets: a guardrail failed:\n{done.stderr}")
    if done.returncode != 0:
        raise BenchError(f"plan of {case.size} secrets: exit {done.returncode}\n{done.stderr}")
    return seconds, json.loads(out.read_text(encoding="utf-8"))


def is_custom_resource(resource_type: str) -> bool:
    """`aws:iam/role:Role` counts; components (`app-secrets:roles:WorkloadRole`) do not."""
    tokens = resource_type.split(":")
    return len(tokens) == 3 and "/" in tokens[1]


def policy_documents(resource: dict) -> list[str]:
    inputs = resource.get("inputs") or {}
    if resource["type"] in POLICY_TYPES:
        return [inputs["policy"]] if inputs.get("policy") else []
    if resource["type"] == "aws:iam/role:Role":
        return [inline["policy"] for inline in inputs.get("inlinePolicies") or [] if inline]
    return []


def compact_length(document: str | dict) -> int:
    parsed = json.loads(document) if isinstance(document, str) else document
    return len(json.dumps(parsed, separators=(",", ":")))


def plan_stats(plan: dict) -> tuple[int, int]:
    """Custom resources in the plan, and its largest IAM policy in compact JSON characters."""
    resources = [r for r in plan["resources"] if is_custom_resource(r["type"])]
    sizes = [compact_length(doc) for r in resources for doc in policy_documents(r)]
    return len(resources), max(sizes, default=0)


def measure(case: Case, *, runs: int, with_cdk: bool) -> Result:
    """Alternates CDK synth and plan runs, `runs` of each."""
    result = Result(case.size)
    for run in range(runs):
        if with_cdk:
            seconds, summary = run_cdk(case, run)
            result.cdk_times.append(seconds)
            result.cdk_resources = summary["resources"]
            result.cdk_policy = summary["largest_iam_policy"]
            progress(case.size, "cdk", run, seconds)
        seconds, plan = run_plan(case, run)
        result.plan_times.append(seconds)
        result.plan_resources, result.plan_policy = plan_stats(plan)
        progress(case.size, "plan", run, seconds)
    return result


def progress(size: int, tool: str, run: int, seconds: float) -> None:
    print(f"  {size} secrets: {tool} run {run + 1}: {seconds:.2f} s", file=sys.stderr)


def comparison_table(results: list[Result]) -> list[str]:
    header = (
        f"{'secrets':>7} | {'CDK min':>8} {'CDK med':>8} | {'plan min':>8} {'plan med':>8} | "
        f"{'ratio':>5} | {'CDK res':>7} {'plan res':>8} | {'ms/res':>6} | "
        f"{'CDK IAM':>7} {'plan IAM':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        cdk_med, plan_med = statistics.median(r.cdk_times), statistics.median(r.plan_times)
        lines.append(
            f"{r.size:>7} | {min(r.cdk_times):>8.2f} {cdk_med:>8.2f} | "
            f"{min(r.plan_times):>8.2f} {plan_med:>8.2f} | {plan_med / cdk_med:>5.2f} | "
            f"{r.cdk_resources:>7} {r.plan_resources:>8} | "
            f"{1000 * plan_med / r.plan_resources:>6.2f} | {r.cdk_policy:>7} {r.plan_policy:>8}"
        )
    return lines


def growth_table(results: list[Result]) -> list[str]:
    header = f"{'secrets':>7} | {'resources':>9} | {'plan med':>8} | {'ms/res':>6}"
    lines = [header, "-" * len(header)]
    for r in sorted(results, key=lambda result: result.size):
        median = statistics.median(r.plan_times)
        lines.append(
            f"{r.size:>7} | {r.plan_resources:>9} | {median:>8.2f} | "
            f"{1000 * median / r.plan_resources:>6.2f}"
        )
    return lines


def cdk_version() -> str:
    package = CDK_DIR / "node_modules" / "aws-cdk-lib" / "package.json"
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def run_all(sizes: list[int], growth: list[int], runs: int) -> list[str]:
    ensure_node_modules()
    compared: list[Result] = []
    plan_only: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as directory:
        for size in sizes:
            compared.append(measure(make_case(Path(directory), size), runs=runs, with_cdk=True))
        for size in (size for size in growth if size not in sizes):
            plan_only.append(measure(make_case(Path(directory), size), runs=runs, with_cdk=False))
    lines = [f"aws-cdk-lib {cdk_version()} synth vs secretsctl plan, {runs} runs each, wall s"]
    lines += comparison_table(compared) if compared else []
    lines += ["", "plan growth (plan only beyond the compared sizes)"]
    return lines + growth_table(compared + plan_only)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=parse_sizes, default=[10, 100, 1000], help="CDK vs plan")
    parser.add_argument("--growth", type=parse_sizes, default=[3000], help="plan-only sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool per size")
    args = parser.parse_args()
    try:
        lines = run_all(args.sizes, args.growth, max(1, args.runs))
    except BenchError as error:
        print(f"side_by_side: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Times one rotation per strategy, end to end (target: under 2 s each).

Against moto's server on 127.0.0.1 and a throwaway PostgreSQL, as the tests run them: the four
steps through `rotation.steps.run_step`, plus the guard's DescribeSecret before each. Needs the
PostgreSQL server binaries (`initdb`, `pg_ctl`); as root, runs the server as `postgres`.

Run: .venv/bin/python -m bench.rotation_speed [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rotations per strategy")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    from tests.rotation.postgres_server import find_bin_dir, remove_directory, start_server
    from tests.rotation.rotation_cases import STRATEGY_NAMES, postgres_case, token_case
    from tests.rotation.rotation_service import (
        RotationService,
        aws_client,
        use_lambda_without_docker,
    )

    _dummy_aws_environment()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL server binaries not found", file=sys.stderr)
        return 2
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    server = start_server(bin_dir)
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        use_lambda_without_docker(endpoint)
        service = RotationService(aws_client("secretsmanager", endpoint), endpoint_url=endpoint)
        failed = False
        print(f"{'strategy':28} {'min':>8} {'median':>8} {'max':>8}")
        for name in STRATEGY_NAMES:
            case = token_case(service) if name == "token" else postgres_case(name, server, service)
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                case.service.rotate(case.strategy, case.secret_arn)
                times.append(time.perf_counter() - started)
                case.assert_healthy()
            failed |= max(times) >= TARGET_SECONDS
            print(
                f"{name:28} {min(times):7.3f}s {statistics.median(times):7.3f}s {max(times):7.3f}s"
            )
    finally:
        server.stop()
        remove_directory(server)
        moto.stop()
    return 1 if failed else 0


def _dummy_aws_environment() -> None:
    empty = Path(tempfile.mkdtemp()) / "empty"
    empty.write_text("")
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
    )


if __name__ == "__main__":
    sys.exit(main())

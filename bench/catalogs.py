"""Generated catalogs and stack files of a given size, for benchmarks and scale tests."""

from __future__ import annotations

from pathlib import Path

import yaml

KINDS = ("generate", "config", "external", "fields")


def generated_catalog(
    *, secrets: int, services: int, widest_service: int = 0, rotate_every: int = 0
) -> dict:
    """`secrets` secrets of every kind, `services` services; the first uses `widest_service`.

    With `rotate_every` N, every Nth generated secret rotates (token strategy, every 30 days).
    """
    entries: dict[str, dict] = {}
    for index in range(secrets):
        name = f"svc-secret-{index:04d}"
        kind = KINDS[index % len(KINDS)]
        entry: dict = {"description": f"Generated secret {index}"}
        if kind == "generate":
            entry["generate"] = {"length": 32}
            if rotate_every and (index // len(KINDS)) % rotate_every == 0:
                entry["rotation"] = {"every_days": 30, "strategy": "token"}
        elif kind == "config":
            entry["config"] = f"value{index:04d}"
        elif kind == "external":
            entry["external"] = True
        else:
            entry["fields"] = {
                "USERNAME": {"value": f"user{index}"},
                "PASSWORD": {"generate": {"length": 24}},
            }
        entries[name] = entry
    names = list(entries)
    service_entries: dict[str, dict] = {}
    for index in range(services):
        count = widest_service if index == 0 and widest_service else 5
        start = (index * 7) % max(1, len(names) - count)
        chosen = names[start : start + count]
        env = {}
        runtime = []
        for offset, name in enumerate(chosen):
            if offset % 2:
                runtime.append(name)
            elif "fields" in entries[name]:
                env[f"VAR_{offset}_PASSWORD"] = f"{name}:PASSWORD"
            else:
                env[f"VAR_{offset}"] = name
        service_entries[f"service-{index:03d}"] = {"env": env, "runtime_read": runtime}
    return {"environments": ["dev", "prod"], "secrets": entries, "services": service_entries}


def write_stack(directory: Path, catalog: dict, *, stack: str = "dev") -> tuple[Path, Path]:
    """Writes catalog.yaml and Pulumi.<stack>.yaml with `secure:` entries for every config key."""
    catalog_path = directory / "catalog.yaml"
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    config: dict = {
        "aws:region": "eu-west-1",
        "app-secrets:prefix": "bench",
        "app-secrets:githubRepository": "acme/bench",
    }
    for entry in catalog["secrets"].values():
        if "config" in entry:
            config[f"app-secrets:{entry['config']}"] = {"secure": "v1:placeholder"}
    stack_path = directory / f"Pulumi.{stack}.yaml"
    stack_path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return catalog_path, stack_path

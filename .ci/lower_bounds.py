"""Print a pip constraints file pinning every declared lower bound (``name>=v`` → ``name==v``).

CI installs the project once with these pins, so the ranges in pyproject.toml stay honest:
the oldest versions they admit must pass the tests too. Usage: ``python lower_bounds.py EXTRA...``
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
LOWER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][A-Za-z0-9.]*)")


def lower_bounds(extras: list[str]) -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    for extra in extras:
        specs += project.get("optional-dependencies", {}).get(extra, [])
    pins: dict[str, str] = {}
    for spec in specs:
        match = LOWER.match(spec.split(";")[0])
        if match is None:
            sys.exit(f"lower_bounds: {spec!r} declares no lower bound (write name>=version)")
        name, version = match.group(1).lower(), match.group(3)
        pins[name] = max(pins.get(name, version), version, key=_key)
    return pins


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


if __name__ == "__main__":
    for name, version in sorted(lower_bounds(sys.argv[1:]).items()):
        print(f"{name}=={version}")

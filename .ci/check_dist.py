"""Check the built wheel and sdist hold what a user and the sdist's own tests need.

Usage: ``python check_dist.py DIST_DIR`` (the folder ``python -m build`` wrote).
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

WHEEL_NEEDS = ["chainrule/py.typed", "chainrule/parsing/", ".lark", "chainrule/web/static/",
               "chainrule/__init__.py", "/LICENSE", "entry_points.txt"]
SDIST_NEEDS = ["/README.md", "/LICENSE", "/CHANGELOG.md", "/pyproject.toml", "/tests/conftest.py",
               "/docs/", "/bench/", "/src/chainrule/py.typed"]


def check(names: list[str], needs: list[str], what: str) -> list[str]:
    return [f"{what} lacks {need!r}" for need in needs if not any(need in n for n in names)]


def main(dist: Path) -> int:
    wheels = sorted(dist.glob("chainrule-*.whl"))
    sdists = sorted(dist.glob("chainrule-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"check_dist: expected one wheel and one sdist in {dist}, found {wheels + sdists}")
        return 1
    problems = check(zipfile.ZipFile(wheels[0]).namelist(), WHEEL_NEEDS, wheels[0].name)
    with tarfile.open(sdists[0]) as tar:
        problems += check(tar.getnames(), SDIST_NEEDS, sdists[0].name)
    for problem in problems:
        print("check_dist:", problem)
    if not problems:
        print(f"check_dist: {wheels[0].name} and {sdists[0].name} hold what they need")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))

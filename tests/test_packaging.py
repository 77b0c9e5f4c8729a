"""What the code reads at run time ships in the wheel (pip install . leaves out what package-data misses)."""

import tomllib
from fnmatch import fnmatch

from .conftest import ROOT


def test_every_data_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]
    for package in ("archive", "web"):
        base = ROOT / package
        for path in base.rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                relative = path.relative_to(base).as_posix()
                assert any(fnmatch(relative, g) for g in globs[package]), f"{package}/{relative} is not package-data"

"""The packages are found, not listed, so that a model or study is named in one place only (its
entry point in pyproject.toml): models/ and studies/ install as emergesim.models and
emergesim.studies. Everything else about the build is in pyproject.toml."""

from setuptools import find_namespace_packages, find_packages, setup

FOLDERS = {"emergesim.models": "models", "emergesim.studies": "studies"}

packages = find_packages(include=["emergesim", "emergesim.*"])
for package, folder in FOLDERS.items():
    found = find_namespace_packages(folder, exclude=["*__pycache__*"])  # data folders too
    packages += [package, *(f"{package}.{name}" for name in found)]

setup(packages=packages, package_dir=FOLDERS)

"""Packaging glue that pyproject.toml cannot express: ship `specs/` as the package `asset_meter_specs`."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["mockserver*", "conformance*"]), "asset_meter_specs"],
    package_dir={"asset_meter_specs": "specs"},
)

"""Adds ``client.resources`` (mapped from the top-level resources/ folder) to the packages
that pyproject's ``packages.find`` discovers; everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["client", "client.*"]) + ["client.resources"])

"""Package discovery: map the top-level actors/, ui/ and configs/ folders into ``openalpha``."""

from setuptools import find_packages, setup

MAPPED = {"actors": "openalpha.actors", "ui": "openalpha.ui", "configs": "openalpha.configs"}

packages = find_packages(include=["openalpha", "openalpha.*"])
package_dir = {"openalpha": "openalpha"}
for folder, name in MAPPED.items():
    package_dir[name] = folder
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(where=folder)]

DATA = [
    "py.typed",
    "*.toml",
    "*/*.toml",
    "*.parquet",
    "*/*.parquet",
    "*/*/*.parquet",
    "*/*/*/*.parquet",
    "*/*/*/*/*.parquet",
    "*.md",
    "*/*.md",
    "*.json",
    "*.css",
    "*.js",
    "*.html",
    "*.svg",
    "*.png",
    "*.ini",
    "*.mako",
    "static/*",
]

setup(packages=packages, package_dir=package_dir, package_data={name: DATA for name in packages})

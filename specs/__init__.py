"""The contracts: one OpenAPI 3.0 file per vendor API, plus the mock's admin API.

Shipped inside the distribution (as ``asset_meter_specs``) so both commands find them after a plain install.
"""

from importlib import resources
from pathlib import Path

ADMIN_SPEC = "mock-admin.yaml"


def spec_path(file_name: str) -> Path:
    """Path of a spec file shipped with the package."""
    return Path(str(resources.files(__name__).joinpath(file_name)))


def vendor_spec_files() -> list[str]:
    """Every vendor spec file name, sorted; the admin spec excluded."""
    return sorted(
        entry.name
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(".yaml") and entry.name != ADMIN_SPEC
    )

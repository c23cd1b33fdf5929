"""A stateful mock of four vendor meter and asset APIs, driven by their OpenAPI contracts."""

import importlib.metadata
import warnings

__version__ = importlib.metadata.version("asset-meter-contracts")

# connexion imports starlette's test client at start-up, which warns about httpx on every launch.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

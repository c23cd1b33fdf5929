"""A stateful mock of four vendor meter and asset APIs, driven by their OpenAPI contracts."""

import warnings

# connexion imports starlette's test client at start-up, which warns about httpx on every launch.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

"""No image can be built here, so the deployment files are checked against the code they run: the
entrypoint is the console script, every option parses, ports, the health path and the topology agree."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

import asset_meter_specs
from mockserver.app import base_path_of
from mockserver.cli import parse_args
from mockserver.store.engines import open_engine

ROOT = Path(__file__).resolve().parents[2]


def instructions(dockerfile: str) -> dict[str, str]:
    """Each instruction's arguments (continuation lines joined), the last one winning."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    found = {}
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found[keyword.upper()] = rest.strip()
    return found


@pytest.fixture(scope="module")
def docker() -> dict[str, str]:
    return instructions((ROOT / "Dockerfile").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def test_the_entrypoint_is_the_console_script_and_its_options_parse(docker):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint, command = json.loads(docker["ENTRYPOINT"]), json.loads(docker["CMD"])
    assert scripts[entrypoint[0]] == "mockserver.cli:main"
    args = parse_args(entrypoint[1:] + command)
    assert (args.host, str(args.port)) == ("0.0.0.0", docker["EXPOSE"])


def test_the_image_is_slim_and_runs_as_a_user(docker):
    assert re.fullmatch(r"python:3\.1[1-9]-slim", docker["FROM"])
    assert docker["USER"] not in ("", "root", "0")
    assert f"--uid {10001}" in docker["RUN"] and docker["USER"] in docker["RUN"]


def test_the_healthcheck_asks_the_admin_health_path_on_the_served_port(docker):
    admin = yaml.safe_load(asset_meter_specs.spec_path(asset_meter_specs.ADMIN_SPEC).read_text())
    health = base_path_of(admin) + "/health"
    assert "/health" in admin["paths"] and health == "/__admin/health"
    url = re.search(r"https?://[^'\" ]+", docker["HEALTHCHECK"]).group(0)
    assert url == f"http://127.0.0.1:{docker['EXPOSE']}{health}"


def test_the_replicas_share_the_postgresql_service_of_the_compose_file(docker, compose):
    services = compose["services"]
    mock = services["mock"]
    assert mock["build"] == "." and mock["deploy"]["replicas"] == 2
    args = parse_args(json.loads(docker["ENTRYPOINT"])[1:] + mock["command"])
    assert args.workers >= 1
    assert open_engine(args.store).shared  # a store the replicas and their workers can share
    url = re.fullmatch(r"postgresql\+psycopg://(\w+):(\w+)@(\w+):(\d+)/(\w+)", args.store)
    assert url, args.store
    user, password, host, port, database = url.groups()
    postgres = services["postgres"]["environment"]
    assert (user, password, database) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    assert host == "postgres" and port == "5432"
    assert "--locale=C" in postgres["POSTGRES_INITDB_ARGS"]  # text order as on SQLite
    assert mock["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert str(args.port) in mock["expose"]


def test_the_balancer_sends_the_published_port_to_every_mock_replica(docker, compose):
    balancer = compose["services"]["balancer"]
    source, _, target = balancer["volumes"][0].partition(":")
    config = (ROOT / source).read_text()
    assert target.startswith("/etc/nginx/nginx.conf")
    published, _, inside = balancer["ports"][0].partition(":")
    assert re.search(rf"\blisten {inside};", config)
    port = docker["EXPOSE"]
    assert re.search(rf"\bserver mock:{port};", config)  # the compose service name: every replica
    assert "proxy_pass http://mock;" in config
    assert balancer["depends_on"]["mock"]["condition"] == "service_healthy"  # the image's HEALTHCHECK
    assert published == "8080"


def test_the_build_context_keeps_what_pip_install_needs():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    copied = {source for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")
              for source in shlex.split(line)[1:-1]}  # fmt: skip
    packaging = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {"pyproject.toml", "setup.py", packaging["readme"], "specs", "mockserver", "conformance"} <= copied
    assert not copied & ignored

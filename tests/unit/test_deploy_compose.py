"""``deploy/compose.yaml`` and ``docs/DEPLOY.md`` describe the same deployment, and that
deployment is wired together: every worker variable is a real Etude setting, every URL points
at a service of the file on the port that service listens on, and the image runs as non-root.

Docker is not needed (nor run): the compose file is read as YAML, the way Compose reads it
(anchors and ``<<`` merges included).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from etude.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
WORKER_SERVICES = ("etude", "kb-init", "model-files")
"""The services built from Etude's own image, which share the workers' definition."""


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def doc_table(heading: str) -> list[list[str]]:
    """The rows of the first table under ``heading`` in DEPLOY.md, cells stripped of their
    code quotes where a cell is one quoted value."""
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]
    cells = [[cell.strip() for cell in row.strip().strip("|").split(" | ")] for row in rows]
    return [[_unquote(cell) for cell in row] for row in cells]


def _unquote(cell: str) -> str:
    match = re.fullmatch(r"`([^`]*)`(?: \(.*\))?", cell)
    return match.group(1) if match else cell


def test_doc_lists_exactly_the_services_and_their_images(
    services: dict[str, dict[str, Any]],
) -> None:
    documented = {row[0]: row[1] for row in doc_table("The services of `deploy/compose.yaml`")}
    assert documented == {name: spec["image"] for name, spec in services.items()}


def test_doc_lists_exactly_the_workers_variables_and_values(
    services: dict[str, dict[str, Any]],
) -> None:
    documented = {row[0]: row[1] for row in doc_table("The workers' variables")}
    for name in WORKER_SERVICES:
        assert services[name]["environment"] == documented, name


def test_every_worker_variable_is_an_etude_setting(services: dict[str, dict[str, Any]]) -> None:
    aliases = {field.validation_alias for field in Settings.model_fields.values()}
    assert set(services["etude"]["environment"]) <= aliases


def test_every_variable_the_compose_file_reads_is_documented() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    read = set(re.findall(r"\$\{([A-Z_]+)", text))
    paragraph = DOC.split("Variables read by the compose file itself:", 1)[1].split("\n\n", 1)[0]
    assert read == set(re.findall(r"`([A-Z_]+)`", paragraph))


def interpolate(value: str, env: dict[str, str]) -> str:
    """``value`` as Compose fills it in from ``env``: ``${VAR}``, ``${VAR:-default}`` and
    ``${VAR:?error}`` (a missing required variable fails, as Compose refuses to start).

    >>> interpolate("a${X:-b}c${Y}", {"Y": "y"})
    'abcy'
    """

    def fill(match: re.Match[str]) -> str:
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if kind == ":?":
            raise AssertionError(f"{name} is required: {rest}")
        return rest or ""

    return re.sub(r"\$\{([A-Z_]+)(?:(:[-?])([^}]*))?\}", fill, value)


def _command_option(service: dict[str, Any], option: str) -> str:
    command = service["command"]
    return str(command[command.index(option) + 1])


def test_worker_urls_point_at_the_services_on_their_ports(
    services: dict[str, dict[str, Any]],
) -> None:
    env = services["etude"]["environment"]
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD is required"):
        interpolate(env["ETUDE_DATABASE_URL"], {})
    given = {"POSTGRES_PASSWORD": "pw"}
    database = urlsplit(interpolate(env["ETUDE_DATABASE_URL"], given))
    postgres = {k: interpolate(v, given) for k, v in services["postgres"]["environment"].items()}
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path == "/" + postgres["POSTGRES_DB"]

    chroma = urlsplit(env["ETUDE_CHROMA_URL"])
    assert (chroma.hostname, chroma.port) == ("chroma", 8000)  # the Chroma image's port

    model = urlsplit(env["ETUDE_OPENAI_BASE_URL"])
    assert model.hostname == "model"
    assert str(model.port) == _command_option(services["model"], "--port")
    assert env["ETUDE_OPENAI_MODEL"] == _command_option(services["model"], "--alias")
    # The model server reads the file that model-files writes, from the volume both mount.
    target = services["model-files"]["command"][-1].rsplit("'", 2)[-2]
    assert _command_option(services["model"], "-m") == target
    assert "model-files:/models:ro" in services["model"]["volumes"]
    assert "model-files:/models" in services["model-files"]["volumes"]


def test_the_proxy_sends_one_port_to_every_worker(services: dict[str, dict[str, Any]]) -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    worker_port = _command_option(services["etude"], "--port")
    assert re.search(rf"server etude:{worker_port};", nginx)
    listen = re.search(r"listen (\d+);", nginx)
    assert listen is not None
    assert services["proxy"]["ports"] == [f"${{ETUDE_PORT:-8080}}:{listen.group(1)}"]
    assert "proxy_buffering off;" in nginx  # SSE turns arrive as they are written
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]
    assert int(services["etude"]["deploy"]["replicas"].split(":-")[1].rstrip("}")) >= 2


def test_workers_wait_for_their_backends_and_report_readiness(
    services: dict[str, dict[str, Any]],
) -> None:
    worker = services["etude"]
    assert set(worker["depends_on"]) == {"postgres", "chroma", "model", "kb-init"}
    assert worker["depends_on"]["kb-init"]["condition"] == "service_completed_successfully"
    assert "/ready" in " ".join(worker["healthcheck"]["test"])
    # The health check connects as 127.0.0.1:8000, which the host allow-list must admit.
    assert "127.0.0.1:8000" in worker["environment"]["ETUDE_ALLOWED_HOSTS"].split(",")


def test_the_image_is_slim_cpu_and_runs_as_a_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages and all(image.endswith("-slim") or " AS " in image for image in stages)
    assert stages[-1].endswith("-slim")
    assert "download.pytorch.org/whl/cpu" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "etude kb build" in dockerfile  # the knowledge index is baked in
    assert "embedded_model_dir" in dockerfile  # so is the embedded model's converted copy
    assert re.search(r'^CMD \["etude", "serve", "--host", "0.0.0.0"', dockerfile, re.MULTILINE)

"""The deployment files as far as this machine can check them (issue 24): no container can be built or run here, so
``deploy/compose.yaml`` is validated against the Compose Specification's schema (vendored by check-jsonschema, no
network), ``deploy/Dockerfile`` is read as Docker reads it (dockerfile-parse) against the rules a linter such as
hadolint applies, and the template ``deploy/env.example`` is held to what the service and compose need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from nhacviec.config import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _validate(compose: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(compose)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    found = _validate(DEPLOY / "compose.yaml")
    assert found.returncode == 0, found.stdout + found.stderr
    broken = tmp_path / "compose.yaml"  # the check can fail: a misspelt key and a wrong type
    broken.write_text("services:\n  app:\n    image: x\n    restrat: always\n    ports: 8080\n", encoding="utf-8")
    refused = _validate(broken)
    assert refused.returncode != 0 and "restrat" in refused.stdout + refused.stderr


def _template() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines())
    return {k.strip(): v.strip() for k, *rest in pairs if not k.startswith("#") and rest for v in rest}


def test_every_variable_compose_and_a_production_service_need_is_in_the_template() -> None:
    template = _template()
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", compose))
    assert interpolated and interpolated <= set(template), interpolated - set(template)
    needed = {
        "ENV",
        "WEB_BASE_URL",
        "WEB_SECRET_KEY",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_BOT_USERNAME",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "ZALO_BOT_TOKEN",
        "ZALO_WEBHOOK_URL",
        "ZALO_WEBHOOK_SECRET",
        "ADMIN_AGENCY",
        "DATA_CONTROLLER",
        "MESSAGE_TEXT_RETENTION_DAYS",
        "AUDIT_RETENTION_YEARS",
    }
    assert needed <= set(template), needed - set(template)
    known = {name.upper() for name in Settings.model_fields} | {"DOMAIN", "POSTGRES_PASSWORD"}
    assert set(template) <= known, set(template) - known  # no misspelt variable the service would ignore


def test_the_template_filled_in_is_a_valid_production_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an operator does: copy the template, fill in the empty secrets; compose adds DATABASE_URL and the
    Dockerfile HTTP_HOST and HTTP_PORT. The settings load as production with the dashboard and both webhooks."""
    filled = {
        "WEB_SECRET_KEY": "x" * 48,
        "POSTGRES_PASSWORD": "p" * 24,
        "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35,
        "TELEGRAM_BOT_USERNAME": "nhacviec_tuyenquang_bot",
        "TELEGRAM_WEBHOOK_SECRET": "t" * 32,
        "ZALO_BOT_TOKEN": "1234567890:" + "z" * 40,
        "ZALO_WEBHOOK_SECRET": "w" * 32,
    }
    empty = {k for k, v in _template().items() if not v}
    assert empty <= set(filled), empty - set(filled)  # the template leaves empty only what is secret
    env = {**_template(), **filled}
    env.pop("DOMAIN"), env.pop("POSTGRES_PASSWORD")
    env |= {"DATABASE_URL": "postgresql+asyncpg://nhacviec:p@postgres:5432/nhacviec", "HTTP_HOST": "0.0.0.0"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.env == "production" and settings.web_base_url == "https://nhacviec.example.gov.vn"
    assert settings.telegram_webhook_url and settings.zalo_webhook_url and settings.data_controller


def test_dockerfile_follows_the_rules_a_linter_would_check() -> None:
    parsed = DockerfileParser(path=str(DEPLOY / "Dockerfile"))
    stages = [i for i in parsed.structure if i["instruction"] == "FROM"]
    assert stages and all(re.fullmatch(r"FROM python:3\.1[1-9]-slim( AS \w+)?", s["content"].strip()) for s in stages)
    instructions = [i["instruction"] for i in parsed.structure]
    last_from = max(i for i, name in enumerate(instructions) if name == "FROM")
    final = parsed.structure[last_from:]
    users = [i["value"] for i in final if i["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0")  # runs as its own user (hadolint DL3002)
    assert "ADD" not in instructions  # COPY only: nothing fetched at build time (DL3020)
    for run in (i["value"] for i in parsed.structure if i["instruction"] == "RUN"):
        if "pip install" in run:
            assert "--no-cache-dir" in run, run  # DL3042
    assert any(i["instruction"] == "HEALTHCHECK" and "/healthz" in i["value"] for i in final)
    assert [i["value"] for i in final if i["instruction"] == "CMD"] == ['["nhacviec", "run"]']
    assert parsed.envs["HTTP_HOST"] == "0.0.0.0" and parsed.envs["HTTP_PORT"] == "8080"

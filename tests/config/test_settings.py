"""Configuration comes only from the environment, and refuses bad values loudly."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ConfigurationError, env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.prod"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_base_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.base"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_manage(
        "check", env={"DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "1"}
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_no_issues_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "backer.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_debug_on():
    result = run_manage(
        "check",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "1",
        },
    )
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_a_malformed_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_USE_TLS", "perhaps")
    with pytest.raises(ConfigurationError, match="EMAIL_USE_TLS"):
        env_bool("EMAIL_USE_TLS")


def test_a_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ConfigurationError, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.org, b.example.org ,,")
    assert env_list("ALLOWED_HOSTS") == ["a.example.org", "b.example.org"]


def test_database_url_selects_the_database(monkeypatch):
    import dj_database_url

    config = dj_database_url.parse("postgres://u:p@127.0.0.1:5432/backer")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "backer"

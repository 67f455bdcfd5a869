"""The layer rules of DESIGN §3 are enforced by import-linter, and they bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(BACKEND / "app", tree / "app", ignore=ignore)
    shutil.copytree(BACKEND / "emulators", tree / "emulators", ignore=ignore)
    shutil.copy(BACKEND / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_route_importing_a_store_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "routes" / "shortcut.py").write_text("from app.db.user_store import UserStore\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Routes and tasks never reach clients or stores BROKEN" in result.stdout


def test_a_service_importing_a_task_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "services" / "shortcut.py").write_text("import app.celery_app.tasks.maintenance\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Services never import tasks or routes BROKEN" in result.stdout


LAYERS_BROKEN = "Each layer imports only the layers below it BROKEN"


def test_core_importing_a_service_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "core" / "shortcut.py").write_text("import app.services.auth_service\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert LAYERS_BROKEN in result.stdout
    assert "app.core is not allowed to import app.services" in result.stdout


def test_a_service_importing_a_route_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "services" / "shortcut.py").write_text("import app.routes.health\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert LAYERS_BROKEN in result.stdout
    assert "app.services is not allowed to import app.routes" in result.stdout


def test_a_client_importing_the_local_profile_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "clients" / "shortcut.py").write_text("import app.local.embedded\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert LAYERS_BROKEN in result.stdout
    assert "app.clients is not allowed to import app.local" in result.stdout


def test_a_module_outside_the_layers_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "app" / "helpers.py").write_text('"""A module no layer names."""\n')
    result = _lint(tree)
    assert result.returncode != 0
    assert LAYERS_BROKEN in result.stdout
    assert "The following modules are not listed as layers:\n\n- app.helpers" in result.stdout

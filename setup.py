"""How the repository's folders become one ``nhacviec`` package in a wheel.

The repository keeps ``core/ models/ scheduler/ bot/ web/ reader/ locales/`` at the top (and the development venv's
editable install imports them so). A wheel must not install such generic names into site-packages, so
``pip install .`` and ``pip wheel .`` map each folder under ``nhacviec`` (``nhacviec.core``,
``nhacviec.models``…), rewrite our own absolute imports to those names on the syntax tree (``rewrite``; the build
fails if one is left), and ship the compiled catalogs as package data. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import ast
import io
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
FOLDERS = ("core", "models", "scheduler", "bot", "web", "reader", "compiler")  # mapped to nhacviec.<folder> in a wheel
WEB_FILES = ["templates/*.html", "static/*"]  # the dashboard's templates, stylesheet and htmx
REGISTRY_FILES = ["*.json", "*.toml", "LICENSE-*"]  # the official registry's data and the dataset's licence
WHEEL = "bdist_wheel" in sys.argv  # pip's build_wheel; editable installs and sdists keep the folders


def packages(folder: str, prefix: str) -> dict[str, str]:
    """Every directory below ``folder`` holding Python files (the migrations too), named under ``prefix``."""
    found = {}
    for directory in sorted({p.parent for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts}):
        rel = directory.relative_to(ROOT)
        found[".".join((prefix, *rel.parts[1:])) if prefix else ".".join(rel.parts)] = rel.as_posix()
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in FOLDERS


def _import(node: ast.Import) -> str | None:
    """``import core.x`` as the wheel must say it, binding the same names; None when it names nothing of ours."""
    if not any(_ours(a.name) for a in node.names):
        return None
    said = []
    for a in node.names:
        if not _ours(a.name):
            said.append(f"import {a.name}" + (f" as {a.asname}" if a.asname else ""))
        elif a.asname:  # "import core.x as y": y is the submodule itself
            said.append(f"import nhacviec.{a.name} as {a.asname}")
        elif "." in a.name:  # "import core.x" binds "core" (with x loaded): load it, then bind the package
            said.append(f"import nhacviec.{a.name}; from nhacviec import {a.name.split('.')[0]}")
        else:  # "import core"
            said.append(f"from nhacviec import {a.name}")
    return "; ".join(said)


def _import_from(node: ast.ImportFrom) -> str | None:
    if node.level != 0 or not node.module or not _ours(node.module):
        return None
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
    return f"from nhacviec.{node.module} import ({names})"


def rewrite(source: str) -> str:
    """Our own absolute imports under the one ``nhacviec`` package, read from the syntax tree (not line by line):
    ``from core.x import y`` → ``from nhacviec.core.x import (y)``, ``import core.x`` → ``import nhacviec.core.x;
    from nhacviec import core`` (so ``core.x`` still works), ``import core.x as y`` → ``import nhacviec.core.x as
    y``. Each statement keeps its place and its lines, so tracebacks point where the source does."""
    lines = source.encode("utf-8").splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(source)):
        said = _import(node) if isinstance(node, ast.Import) else None
        said = _import_from(node) if isinstance(node, ast.ImportFrom) else said
        if said is not None:
            assert node.end_lineno is not None and node.end_col_offset is not None
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, said))
    for first, start, last, end, said in sorted(edits, reverse=True):  # byte offsets, from the end backwards
        head, tail = lines[first - 1][:start], lines[last - 1][end:]
        padding = b"\n" * (last - first)  # a statement over several lines is said on one: the lines after keep theirs
        lines[first - 1 : last] = [head + said.encode("utf-8") + padding + tail]
    return b"".join(lines).decode("utf-8")


def leftover(source: str) -> list[str]:
    """Our packages still imported by their bare names (the build stops if there is one)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return [n for n in names if _ours(n)]


class BuildPy(build_py):
    """Rewrites imports under ``nhacviec/`` in the build tree and compiles the gettext catalogs."""

    def run(self) -> None:
        target = Path(self.build_lib) / "nhacviec"
        if WHEEL:  # setuptools reuses build/: a module deleted since the last build must not ship again
            shutil.rmtree(target, ignore_errors=True)
        super().run()
        if not WHEEL:
            return
        for path in target.rglob("*.py"):
            text = rewrite(path.read_text(encoding="utf-8"))
            wrong = leftover(text)
            if wrong:
                raise SystemExit(f"{path}: imports left unmapped: {wrong}")
            path.write_text(text, encoding="utf-8")
        self._compile_catalogs(target / "locales")

    @staticmethod
    def _compile_catalogs(locales: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/nhacviec.po")):
            lang = po.parent.parent.name
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            out = locales / lang / "LC_MESSAGES" / "nhacviec.mo"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(buf.getvalue())


if WHEEL:
    mapping = {"nhacviec": "nhacviec"}
    for folder in FOLDERS:
        mapping |= packages(folder, f"nhacviec.{folder}")
    options = {
        "packages": sorted(mapping),
        "package_dir": mapping,
        "package_data": {
            "nhacviec.models.migrations": ["*.mako"],
            "nhacviec.web": WEB_FILES,
            "nhacviec.core.registry": REGISTRY_FILES,
        },
    }
else:
    found = {"nhacviec": "nhacviec"}
    for folder in FOLDERS:
        found |= packages(folder, "")
    options = {
        "packages": sorted(found),
        "package_data": {"models.migrations": ["*.mako"], "web": WEB_FILES, "core.registry": REGISTRY_FILES},
    }

if __name__ == "__main__":  # setuptools runs this file as __main__; a test imports it for ``rewrite``
    setup(cmdclass={"build_py": BuildPy}, **options)

"""How the repository's folders become one ``nhacviec`` package in a wheel.

The repository keeps ``core/ models/ scheduler/ bot/ locales/`` at the top (and the development venv's
editable install imports them so). A wheel must not install such generic names into site-packages, so
``pip install .`` and ``pip wheel .`` map each folder under ``nhacviec`` (``nhacviec.core``,
``nhacviec.models``…), rewrite our own absolute imports to those names (checked with ``ast``: the build
fails if one is left), and ship the compiled catalogs as package data. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
FOLDERS = ("core", "models", "scheduler", "bot", "web")  # mapped to nhacviec.<folder> in a wheel
OURS = re.compile(r"^(\s*)(from|import)(\s+)(core|models|scheduler|bot|web)(?=[.\s])", re.MULTILINE)
WEB_FILES = ["templates/*.html", "static/*"]  # the dashboard's templates, stylesheet and htmx
WHEEL = "bdist_wheel" in sys.argv  # pip's build_wheel; editable installs and sdists keep the folders


def packages(folder: str, prefix: str) -> dict[str, str]:
    """Every directory below ``folder`` holding Python files (the migrations too), named under ``prefix``."""
    found = {}
    for directory in sorted({p.parent for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts}):
        rel = directory.relative_to(ROOT)
        found[".".join((prefix, *rel.parts[1:])) if prefix else ".".join(rel.parts)] = rel.as_posix()
    return found


def rewrite(source: str) -> str:
    """``from core.x import y`` → ``from nhacviec.core.x import y`` for our own top-level packages."""
    return OURS.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}nhacviec.{m.group(4)}", source)


def leftover(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return [n for n in names if n.split(".")[0] in FOLDERS]


class BuildPy(build_py):
    """Rewrites imports under ``nhacviec/`` in the build tree and compiles the gettext catalogs."""

    def run(self) -> None:
        super().run()
        if not WHEEL:
            return
        target = Path(self.build_lib) / "nhacviec"
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
        "package_data": {"nhacviec.models.migrations": ["*.mako"], "nhacviec.web": WEB_FILES},
    }
else:
    found = {"nhacviec": "nhacviec"}
    for folder in FOLDERS:
        found |= packages(folder, "")
    options = {
        "packages": sorted(found),
        "package_data": {"models.migrations": ["*.mako"], "web": WEB_FILES},
    }

setup(cmdclass={"build_py": BuildPy}, **options)

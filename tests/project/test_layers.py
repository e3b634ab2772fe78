"""The layering contracts of docs/ARCHITECTURE.md, checked on the source (``make lint`` runs this file).

- ``songpan/`` and the access mechanism (``accounts/scoping.py``, ``permissions.py``, ``audit.py``) import no
  domain app but ``divisions``: a new feature plugs into them by registration, never by being imported there;
- ``divisions`` imports no other app of the project (it is the base everything hangs on);
- models, services, selectors, workflow and scoping modules never import a views, API or admin module (the domain
  does not know how it is served).

Every ``import`` statement counts, also one inside a function.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = {"households", "cadres", "ledgers", "grievances", "teams", "reports", "demo"}
PROJECT_APPS = DOMAIN_APPS | {"accounts", "divisions", "songpan"}
MECHANISM = ["accounts/scoping.py", "accounts/permissions.py", "accounts/audit.py"]
SERVING = {"views", "api", "admin", "forms", "urls"}
DOMAIN_LAYERS = ("models", "services", "selectors", "workflow", "scoping")


def _sources(*patterns: str) -> list[Path]:
    files: set[Path] = set()
    for pattern in patterns:
        files |= {p for p in ROOT.glob(pattern) if "migrations" not in p.parts}
    return sorted(files)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every absolute import in ``path``; relative imports resolved to the package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _violations(files: list[Path], forbidden) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if forbidden(module)
    ]


def test_the_mechanism_and_songpan_import_no_domain_app():
    files = _sources("songpan/**/*.py") + [ROOT / name for name in MECHANISM]

    assert _violations(files, lambda module: module.split(".")[0] in DOMAIN_APPS) == []


def test_divisions_imports_no_other_app():
    files = _sources("divisions/**/*.py")

    assert _violations(files, lambda module: module.split(".")[0] in PROJECT_APPS - {"divisions", "songpan"}) == []


@pytest.mark.parametrize("layer", DOMAIN_LAYERS)
def test_the_domain_never_imports_how_it_is_served(layer):
    files = _sources(f"*/{layer}.py", f"*/{layer}/*.py")
    files = [path for path in files if path.relative_to(ROOT).parts[0] in PROJECT_APPS]

    def serving(module: str) -> bool:
        parts = module.split(".")
        return parts[0] in PROJECT_APPS and len(parts) > 1 and parts[1] in SERVING

    assert files, layer
    assert _violations(files, serving) == []


def test_the_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    # given a module that imports a domain app from inside a function
    module = tmp_path / "songpan" / "planted.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from households.models import Household\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert _violations([module], lambda name: name.split(".")[0] in DOMAIN_APPS) == [
        "songpan/planted.py:2 imports households.models",
        "songpan/planted.py:2 imports households.models.Household",
    ]

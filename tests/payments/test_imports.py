"""Payments never imports the shop: not directly, not through another module, not inside a
function. The shop imports payments and reaches it through its registration
(`app/payments/payables.py`), never the other way round."""

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def module_file(root: Path, name: str) -> Path | None:
    """The file of module `name` under `root` (the folder that holds the top package)."""
    path = root.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_by(root: Path, name: str) -> set[str]:
    """The modules under `root` that module `name` imports anywhere in its file: `import a.b`
    and `from a import b` name `a.b` when that is a module, else the package `a`."""
    path = module_file(root, name)
    assert path is not None, name
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            for alias in node.names:
                module = f"{base}.{alias.name}"
                named.add(module if module_file(root, module) else base)
    found = set()
    for module in named:
        parts = module.split(".")
        while parts and module_file(root, ".".join(parts)) is None:
            parts.pop()
        if parts:
            found.add(".".join(parts))
    return found


def chains_into(root: Path, start: str, forbidden: str) -> list[list[str]]:
    """Every shortest import chain from a module of package `start` into package
    `forbidden`, following imports through any module under `root`."""
    starts = sorted(
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in (root / Path(*start.split("."))).rglob("*.py")
    )
    chains = []
    for first in starts:
        came_from: dict[str, str | None] = {first: None}
        queue = [first]
        while queue:
            current = queue.pop(0)
            if current == forbidden or current.startswith(f"{forbidden}."):
                chain = [current]
                while (importer := came_from[chain[-1]]) is not None:
                    chain.append(importer)
                chains.append(chain[::-1])
                break
            for module in sorted(imported_by(root, current) - came_from.keys()):
                came_from[module] = current
                queue.append(module)
    return chains


def test_payments_never_reaches_the_shop():
    assert chains_into(PROJECT_ROOT, "app.payments", "app.shop") == []


def test_the_check_finds_an_import_hidden_in_a_function_two_modules_away(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/payments/__init__.py": "",
        "app/payments/service.py": "def later():\n    from .. import helper\n",
        "app/helper.py": "import os\n\nfrom app.shop.models import Order\n",
        "app/shop/__init__.py": "",
        "app/shop/models.py": "Order = object\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert chains_into(tmp_path, "app.payments", "app.shop") == [
        ["app.payments.service", "app.helper", "app.shop.models"]
    ]

"""costlib.lite: one main.py carrying costlib, its catalogues, genai-prices and the Excel functions.

What the bundle holds and how it is written; that it computes every function in a clean
interpreter with only requirements.txt's packages is tests/test_addin_lite.py (slow).

Building the bundle compresses every module and genai-prices' data (about a second): the
tests that read it are slow; writing it is tested on a stand-in text in the core tier.
"""

import ast
import base64
import json
import os
import stat
import zlib
from pathlib import Path

import pytest

import costlib
from costlib import lite
from costlib.errors import InputError

PACKAGE = Path(costlib.__file__).parent


@pytest.fixture(scope="module")
def text():
    return lite.main_py()


@pytest.fixture(scope="module")
def packed(text):
    """The files main.py unpacks, read back from its _PACKED literal."""
    tree = ast.parse(text)
    literal = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                   and node.targets[0].id == "_PACKED")
    return json.loads(zlib.decompress(base64.b64decode(literal)))


@pytest.mark.slow
def test_main_py_is_python(text):
    compile(text, "main.py", "exec")


@pytest.mark.slow
def test_every_module_and_catalogue_of_costlib_is_carried_as_it_is(packed):
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if path.suffix not in (".py", ".csv") or "__pycache__" in relative.parts:
            continue
        name = f"costlib/{relative.as_posix()}"
        if relative.parts[0] == "workbook":
            assert name not in packed  # the workbook generator is not needed for the functions
        else:
            assert packed[name] == path.read_text(encoding="utf-8"), name


@pytest.mark.slow
def test_genai_prices_comes_with_its_licence_and_version(packed, text):
    assert any(n.startswith("genai_prices/") and n.endswith(".py") for n in packed)
    assert any(".dist-info/" in n and n.endswith("LICENSE") for n in packed)  # MIT: its licence travels with it
    assert "genai-prices" in text.splitlines()[5]  # the header's last line names the bundled data


@pytest.mark.slow
def test_the_header_names_the_version_and_the_catalogues(text):
    assert f"costlib {costlib.__version__};" in text
    for csv_file in sorted(p.name for p in (PACKAGE / "data").glob("*.csv")):
        assert csv_file in text


@pytest.mark.slow
def test_the_functions_are_imported_from_the_adapter_the_entry_point_names(text, packed):
    star = next(line for line in text.splitlines() if line.startswith("from ") and "import *" in line)
    module = star.split()[1]
    assert f"{module.replace('.', '/')}.py" in packed or f"{module.replace('.', '/')}/__init__.py" in packed


def test_requirements_are_what_pyodide_provides():
    assert lite.REQUIREMENTS.splitlines() == ["numpy", "pandas", "pydantic"]


def test_write_puts_both_files_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "main_py", lambda: "print('bundle')\n")  # the bundle itself is tested above
    main, requirements = lite.write(tmp_path / "out")
    assert main.read_text() == "print('bundle')\n" and requirements.read_text() == lite.REQUIREMENTS
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["main.py", "requirements.txt"]


def test_an_existing_main_py_is_kept_without_force(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "main_py", lambda: "new\n")
    (tmp_path / "main.py").write_text("my own code\n")
    with pytest.raises(costlib.CostlibError, match="main.py exists; replacing it needs --force"):
        lite.write(tmp_path)
    assert (tmp_path / "main.py").read_text() == "my own code\n"
    assert not (tmp_path / "requirements.txt").exists()  # nothing written


def test_force_replaces_and_keeps_the_files_mode(tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "main_py", lambda: "new\n")
    (tmp_path / "main.py").write_text("old\n")
    os.chmod(tmp_path / "main.py", 0o600)
    lite.write(tmp_path, force=True)
    assert (tmp_path / "main.py").read_text() == "new\n"
    assert stat.S_IMODE(os.stat(tmp_path / "main.py").st_mode) == 0o600


def test_an_empty_folder_name_is_refused():
    with pytest.raises(InputError, match="output must be a folder to write main.py into, got an empty name"):
        lite.write("  ")

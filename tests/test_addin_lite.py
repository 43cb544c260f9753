"""`costlib lite`: the bundle computes every function with only what requirements.txt lists.

The clean environment is a folder holding only the distributions requirements.txt names
(numpy, pandas, pydantic, which Pyodide provides) and their own dependencies, plus xlwings,
which xlwings Lite itself provides; the interpreter runs isolated (``-I -S``: no
PYTHONPATH, no site-packages), so costlib, genai-prices and httpx2 can only come from the
bundle or not at all.
"""

import importlib.metadata
import importlib.util
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import costlib
import costlib.excel
from costlib import lite

ROOT = Path(__file__).resolve().parents[1]
#: Lite provides xlwings itself (its own requirements.txt line); the test drives the functions with it.
LITE_PROVIDES = ["xlwings"]


def clean_site(folder: Path, names: list[str]) -> Path:
    """A folder holding the distributions ``names`` and their dependencies, and nothing else."""
    folder.mkdir()
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        dist = importlib.metadata.distribution(name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
        for entry in dist.files or ():
            top = entry.parts[0]
            if top in ("..", "__pycache__") or top.endswith((".pth", ".dist-info")):
                continue
            source = Path(dist.locate_file(top))
            target = folder / top
            if source.exists() and not target.exists():
                target.symlink_to(source)
    return folder


RUN = r"""
import asyncio, importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
absent = {}
for name in ("costlib", "costlib_udfs", "genai_prices", "httpx2"):
    absent[name] = importlib.util.find_spec(name) is None
out = {"absent": absent, "runs": []}
for main_path in sys.argv[2].split(","):
    spec = importlib.util.spec_from_file_location("main", main_path)
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    import xlwings as xw
    from xlwings import server
    names = [f["name"] for f in server.custom_functions_meta(main)["functions"]]
    results = {}
    for name, args in json.loads(sys.argv[3]).items():
        data = {"func_name": name, "args": [[[a]] if a is not None else None for a in args],
                "version": xw.__version__, "client": "Office.js", "runtime": "1.4", "caller_address": None}
        try:
            results[name] = asyncio.run(server.custom_functions_call(data, main))
        except Exception as exc:
            results[name] = "error: " + str(exc)
    out["runs"].append({"names": names, "results": results, "version": sys.modules["costlib"].__version__,
                        "costlib": sys.modules["costlib"].__file__, "udfs": sys.modules["costlib_udfs"].__file__})
print(json.dumps(out))
"""


def samples() -> dict[str, list]:
    spec = importlib.util.spec_from_file_location("addin_tests", ROOT / "tests" / "test_addin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = {name: list(args) for name, args in module.SAMPLE_ARGS.items()}
    table["API_PRICE"] = ["gpt-4o", "output", None, "2026-11-01"]
    return table


def run_bundle(tmp_path: Path, mains: list[Path], calls: dict) -> dict:
    requirements = (mains[0].parent / "requirements.txt").read_text().split()
    site = clean_site(tmp_path / "site", requirements + LITE_PROVIDES)
    env = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial", "PATH": os.environ["PATH"]}
    done = subprocess.run([sys.executable, "-I", "-S", "-c", RUN, str(site), ",".join(map(str, mains)),
                           json.dumps(calls)], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.slow  # spawns an interpreter
def test_the_bundle_computes_every_function_with_only_its_requirements(tmp_path):
    main, requirements = lite.write(tmp_path / "lite")
    assert requirements.read_text().split() == ["numpy", "pandas", "pydantic"]  # Pyodide provides all three
    calls = samples()
    got = run_bundle(tmp_path, [main], calls)
    assert all(got["absent"].values()), f"importable without the bundle: {got['absent']}"
    run = got["runs"][0]
    assert set(run["names"]) == {f.name for f in costlib.excel.FUNCTIONS} | {"COSTLIB_MESSAGE"}
    assert not run["costlib"].startswith(str(ROOT))  # costlib from main.py
    for name, args in calls.items():
        want = costlib.excel.evaluate(costlib.excel.BY_NAME[name], tuple(args))
        assert run["results"][name] == [[pytest.approx(want, rel=1e-12) if isinstance(want, float) else want]], name


@pytest.mark.slow  # spawns an interpreter
def test_an_upgraded_main_replaces_the_old_modules(tmp_path, monkeypatch):
    """Lite keeps imported modules between runs of main.py (xlwings issue #1838): a pasted
    upgrade must not run the old costlib."""
    lite.write(tmp_path / "new")
    files = lite._files
    monkeypatch.setattr(lite, "_files", lambda: _older(files()))
    old = lite.write(tmp_path / "old")[0]
    got = run_bundle(tmp_path, [old, tmp_path / "new" / "main.py"], {"TOKEN_COST": [2.5, 2000, 0.2]})
    before, after = got["runs"]
    assert before["version"] == "0.0.old" and after["version"] == costlib.__version__
    assert Path(after["costlib"]).parent.parent != Path(before["costlib"]).parent.parent  # the new folder
    assert after["results"]["TOKEN_COST"] == [[pytest.approx(costlib.token_cost(2.5, 2000, 0.2))]]


def _older(found):
    files, prices_text, star_import = found
    init = files["costlib/__init__.py"]
    files["costlib/__init__.py"] = init.replace(f'__version__ = "{costlib.__version__}"', '__version__ = "0.0.old"')
    assert files["costlib/__init__.py"] != init
    return files, prices_text, star_import


# --- writing the files -----------------------------------------------------------------------------

def test_an_existing_main_py_is_kept_without_force(tmp_path):
    folder = tmp_path / "lite"
    folder.mkdir()
    (folder / "main.py").write_text("# my own code\n")
    with pytest.raises(costlib.CostlibError, match="main.py exists; replacing it needs --force"):
        lite.write(folder)
    assert (folder / "main.py").read_text() == "# my own code\n"
    assert not (folder / "requirements.txt").exists()
    lite.write(folder, force=True)
    assert "costlib inside" in (folder / "main.py").read_text()


@pytest.mark.parametrize("output", ["", "  "])
def test_an_empty_output_is_refused_never_the_current_folder(tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(costlib.InputError, match="output must be a folder"):
        lite.write(output)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_requirements_txt_is_kept_without_force(tmp_path):
    folder = tmp_path / "lite"
    folder.mkdir()
    (folder / "requirements.txt").write_text("my-package\n")
    with pytest.raises(costlib.CostlibError, match="requirements.txt exists; replacing it needs --force"):
        lite.write(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["requirements.txt"]  # no main.py, no temporary file
    assert (folder / "requirements.txt").read_text() == "my-package\n"


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    folder = tmp_path / "lite"
    folder.mkdir()
    (folder / "requirements.txt").write_text("old\n")
    os.chmod(folder / "requirements.txt", 0o600)
    previous = os.umask(0o027)
    try:
        main, requirements = lite.write(folder, force=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(requirements.stat().st_mode) == 0o600  # kept
    assert stat.S_IMODE(main.stat().st_mode) == 0o640  # 0o666 & ~0o027
    assert sorted(p.name for p in folder.iterdir()) == ["main.py", "requirements.txt"]  # no temporary left
    os.chmod(main, 0o700)
    lite.write(folder, force=True)
    assert stat.S_IMODE(main.stat().st_mode) == 0o700  # an existing main.py keeps its mode too


def test_a_failed_write_leaves_the_old_files_whole_and_names_the_users_path(tmp_path, monkeypatch):
    """The system refuses the move into place (a full disk, say): the old main.py and
    requirements.txt are as they were, no temporary file is left, the message names the file."""
    import costlib._atomic

    folder = tmp_path / "lite"
    folder.mkdir()
    (folder / "main.py").write_text("# my own code\n")
    (folder / "requirements.txt").write_text("mine\n")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    text = lite.main_py()
    monkeypatch.setattr(lite, "main_py", lambda: text)
    with monkeypatch.context() as m:
        m.setattr(costlib._atomic.os, "replace", disk_full)
        with pytest.raises(costlib.errors.OutputError, match=f"^cannot write {folder}/requirements.txt: "
                                                                "No space left on device$"):
            lite.write(folder, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["main.py", "requirements.txt"]
    assert (folder / "main.py").read_text() == "# my own code\n"
    assert (folder / "requirements.txt").read_text() == "mine\n"


def test_lite_writes_through_the_one_atomic_writer():
    """One writer for every file costlib puts on disk: lite has no writer of its own."""
    source = (ROOT / "costlib" / "lite.py").read_text()
    assert "replacing(main)" in source and "os.replace" not in source and "mkstemp" not in source


def test_the_command_refuses_and_says_how(tmp_path, capsys):
    from costlib.cli import main

    (tmp_path / "main.py").write_text("x = 1\n")
    assert main(["lite", "-o", str(tmp_path)]) == 2
    assert "needs --force" in capsys.readouterr().err
    assert main(["lite", "-o", ""]) == 2
    assert main(["lite", "-o", str(tmp_path), "--force"]) == 0


def test_costlib_finds_the_adapter_through_its_entry_point():
    """costlib never imports the add-in: `costlib lite` reads the costlib.lite entry point."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["costlib.lite"]
    assert declared == {"costlib_udfs": "costlib_udfs:lite_bundle"}
    source = (ROOT / "costlib" / "lite.py").read_text()
    assert "import costlib_udfs" not in source and "from costlib_udfs" not in source.replace("from {star_import}", "")

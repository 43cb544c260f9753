"""The add-in as users get it: a non-editable install, xlwings Lite's files, the demo workbook."""

import importlib.util
import os
import re
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlwings import server

import costlib_udfs

ROOT = Path(__file__).resolve().parents[1]
NAMES = {f.name for f in costlib_udfs.FUNCTIONS}


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                   check=True, capture_output=True)
    return next(out.glob("costlib-*.whl"))


def test_wheel_is_pure_python_with_data_and_addin(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")  # Pyodide (xlwings Lite) installs only pure wheels
    names = zipfile.ZipFile(wheel).namelist()
    assert "costlib_udfs/__init__.py" in names
    assert any(re.fullmatch(r"costlib/data/accelerators_\d{4}-\d{2}\.csv", n) for n in names)
    assert "costlib/templates/budget.toml" in names


WITHOUT_PYTHONPATH = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def venv_seeing_this_environment(venv: Path, wheel: Path) -> Path:
    """A venv with ``wheel`` installed that imports everything else from the running environment.

    ``venv --system-site-packages`` would see the *base* interpreter's packages, which lack
    numpy and xlwings when the suite itself runs in a venv. Instead the wheel goes into an
    empty venv (pip finds no costlib there to replace), then a .pth file lists the running
    interpreter's site directories. Plain paths in a .pth come after the venv's own
    site-packages, and the .pth files inside them (an editable costlib's finder) are not
    run, so the installed wheel is what imports. PYTHONPATH and the working folder (a source
    tree with its egg-info would pass for an installed costlib) stay out of every step.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--disable-pip-version-check", str(wheel)], cwd=venv, env=WITHOUT_PYTHONPATH,
                   check=True, capture_output=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    dirs = site.getsitepackages() + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    (Path(purelib) / "running-environment.pth").write_text("".join(f"{d}\n" for d in dirs if Path(d).is_dir()))
    return python


def test_functions_work_from_a_non_editable_install(wheel, tmp_path):
    venv = tmp_path / "venv"
    python = venv_seeing_this_environment(venv, wheel)
    code = ("import costlib_udfs, costlib; print(costlib_udfs.__file__); print(costlib.__file__); "
            "print(costlib_udfs.TRAIN_COST(70e9, 15e12, 2))")
    done = subprocess.run([str(python), "-c", code], cwd=tmp_path, env=WITHOUT_PYTHONPATH, capture_output=True,
                          text=True, check=True)
    udfs_file, costlib_file, value = done.stdout.split()
    assert udfs_file.startswith(str(venv)) and costlib_file.startswith(str(venv))
    assert float(value) == pytest.approx(8.85e6, rel=0.005)  # identity: 8.844e6; [WaferZero2026]: $8-9M (illustrative inputs)


def test_lite_main_exposes_every_function():
    main = load(ROOT / "addin" / "lite" / "main.py", "lite_main")
    meta = server.custom_functions_meta(main)
    assert {f["name"] for f in meta["functions"]} == NAMES | {"COSTLIB_MESSAGE"}


def test_lite_requirements_install_costlib_and_do_not_pin_pyodide_packages():
    lines = [l.strip() for l in (ROOT / "addin" / "lite" / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert any(l.endswith("-py3-none-any.whl") and "costlib" in l for l in lines)
    assert not any(re.match(r"(numpy|pandas|pydantic)\b.*[=<>]", l) for l in lines)  # Pyodide provides them
    comments = (ROOT / "addin" / "lite" / "requirements.txt").read_text()
    # addin/README.md: GitHub release assets send no CORS headers, so Pyodide cannot fetch them
    assert "GitHub release assets\ndo not send them" in comments or "GitHub release assets do not send" in \
        comments.replace("\n# ", " ")


def test_addin_readme_lists_every_function():
    text = (ROOT / "addin" / "README.md").read_text()
    for name in NAMES:
        assert f"`{name}`" in text, name


# --- the demo workbook ------------------------------------------------------------------

demo = load(ROOT / "scripts" / "make_udf_demo.py", "make_udf_demo")


@pytest.mark.parametrize("what,function,args,expected,rel,fmt,source", demo.EXAMPLES,
                         ids=[e[1] + str(i) for i, e in enumerate(demo.EXAMPLES)])
def test_demo_expected_values_are_what_the_functions_give(what, function, args, expected, rel, fmt, source):
    if isinstance(expected, str):  # an Excel error: this code, whatever the runtime's representation
        with pytest.raises(costlib_udfs.CellError) as info:
            costlib_udfs.evaluate(costlib_udfs.BY_NAME[function], args)
        assert info.value.excel_error == expected, source
    else:
        got = getattr(costlib_udfs, function)(*args)
        assert got == pytest.approx(expected, rel=rel), source


def test_demo_workbook_is_fresh_and_uses_only_known_functions():
    path = ROOT / "workbooks" / "udf-demo.xlsx"
    assert path.read_bytes() == demo.build(), "stale: run python scripts/make_udf_demo.py"
    ws = openpyxl.load_workbook(path).active
    formulas = [getattr(c.value, "text", c.value) for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) == len(demo.EXAMPLES) + 1
    for f in formulas:
        assert re.match(r"=([A-Z_]+)\(", f)[1] in NAMES, f
    assert "addin/README.md" in ws["A2"].value  # says what to install
    cached = openpyxl.load_workbook(path, data_only=True).active  # costlib's results stored in the file
    for row, (_, function, args, expected, rel, _, source) in enumerate(demo.EXAMPLES, start=5):
        assert cached[f"B{row}"].value == (expected if isinstance(expected, str) else pytest.approx(expected, rel=rel)), source
    header = next(c.row for c in cached["D"] if str(c.value).startswith("TOKEN_COST at 60 %"))
    assert all(isinstance(cached[f"D{header + i}"].value, float) for i in (1, 2, 3))


def test_demo_states_what_each_runtime_shows_one_code_per_condition():
    """Each condition a row: the error passed through, a rule broken, no break-even, too many arguments;
    what Lite shows and what the classic add-in shows, each with how it is handed over. That each is what
    the runtime really gives: tests/test_addin_errors.py::test_the_demo_states_what_each_runtime_shows."""
    ws = openpyxl.load_workbook(ROOT / "workbooks" / "udf-demo.xlsx").active
    rows = {ws[f"A{r}"].value: r for r in range(1, ws.max_row + 1)}
    assert len(demo.RUNTIME_ERRORS) == 7
    for condition, function, args, classic in demo.RUNTIME_ERRORS:
        r = rows[condition]
        assert ws[f"B{r}"].value == demo.formula(function, args)
        if function == "COSTLIB_MESSAGE":
            assert ws[f"C{r}"].value == ws[f"D{r}"].value == "TOKEN_COST takes at most 3 arguments, got 5"
            continue
        spec = costlib_udfs.BY_NAME[function]
        with pytest.raises(costlib_udfs.CellError) as single:
            costlib_udfs.evaluate(spec, args)
        assert ws[f"C{r}"].value == single.value.excel_error, condition
        if len(args) <= len(spec.arguments):  # the same arguments with the first one a two-cell range: the same code
            ranged = costlib_udfs.evaluate(spec, ([[args[0]], [args[0]]],) + tuple(args[1:]))
            assert ws[f"C{r}"].value == ranged[1][0].excel_error, condition
        assert ws[f"D{r}"].value == "#VALUE!"  # the classic add-in: a Null variant (addin/README.md)
        assert ws[f"F{r}"].value == classic and ws[f"E{r}"].value.startswith(("#VALUE! raised", "the error value"))
    assert ws[f"B{rows['An error value in an argument passes through']}"].value == "=TOKEN_COST(NA(), 2000)"


def test_costlib_never_imports_its_adapter():
    """The add-in is an adapter over costlib: nothing in costlib/ imports it, and costlib.excel
    (the functions' table and cell semantics) imports no Excel runtime either."""
    import ast

    for path in (ROOT / "costlib").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
        assert "costlib_udfs" not in imported, path
        if path.name == "excel.py":
            assert "xlwings" not in imported, path


def test_readme_sharing_a_model_says_what_each_route_keeps():
    """addin/README.md "Sharing a model": its list of functions inline freezes is the functions with
    no native twin (costlib.formulas.twins, as costlib.models_in_excel decides), its sheet name is the
    list sheet's, and every option it names exists on the command."""
    from costlib import formulas
    from costlib.cli import build_parser
    from costlib.models_in_excel import LIST_SHEET

    text = (ROOT / "addin" / "README.md").read_text()
    section = text[text.index("## Sharing a model"):text.index("## For developers")]
    no_twin = {f.name for f in costlib_udfs.FUNCTIONS
               if formulas.twins().get(f.target.__name__) is None or f.pick}
    frozen_row = next(line for line in section.splitlines() if line.startswith("| must change inputs"))
    assert set(re.findall(r"`([A-Z_]{4,})`", frozen_row.split("frozen instead")[1])) == no_twin
    assert f"`{LIST_SHEET}`" in section
    parser = build_parser()
    for command in ("freeze", "inline"):
        assert f"costlib {command} MODEL.xlsx -o SHARED.xlsx" in section
        options = {o for a in parser._subparsers._group_actions[0].choices[command]._actions for o in a.option_strings}
        assert set(re.findall(r"`(--[a-z]+)`", section)) <= options, command


def test_every_choice_an_argument_takes_is_in_its_help_text():
    """The wizard's help lists every choice the function takes (GPU_PRICE once listed 3 tiers of 5)."""
    from costlib.excel import CHOICES, argument_help

    taken = 0
    for spec in costlib_udfs.FUNCTIONS:
        for name in spec.arguments:
            if name in CHOICES:
                text = argument_help(spec, name)
                assert [c for c in CHOICES[name] if f'"{c}"' not in text] == [], (spec.name, name, text)
                taken += 1
    assert taken >= 5  # WEIGHT_BYTES, DECODE_TOKENS_PER_SECOND precision; GPU_PRICE tier; API_PRICE kind, service_tier

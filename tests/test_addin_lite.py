"""`costlib lite`'s main.py works in an interpreter that has no costlib installed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import costlib_udfs
from costlib import lite

CODE = r"""
import asyncio, importlib.util, json, sys
try:
    import costlib
    print(json.dumps({"costlib": costlib.__file__})); sys.exit(0)
except ImportError:
    pass
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
import xlwings as xw
from xlwings import server
names = [f["name"] for f in server.custom_functions_meta(main)["functions"]]
out = {}
for name, args in json.loads(sys.argv[2]).items():
    data = {"func_name": name, "args": [[[a]] if a is not None else None for a in args], "version": xw.__version__,
            "client": "Office.js", "runtime": "1.4", "caller_address": None}
    try:
        out[name] = asyncio.run(server.custom_functions_call(data, main))
    except Exception as exc:
        out[name] = "error: " + str(exc)
print(json.dumps({"names": names, "results": out, "from": sys.modules["costlib"].__file__}))
"""


@pytest.mark.slow  # spawns an interpreter
def test_lite_main_is_self_contained(tmp_path):
    main, requirements = lite.write(tmp_path / "lite")
    assert requirements.read_text().split() == ["numpy", "pandas"]  # Pyodide provides both
    site = str(Path(numpy.__file__).parent.parent)  # numpy, pandas, xlwings; no .pth, so no editable costlib
    samples = {"TRAIN_COST": [70e9, 15e12, 2], "TOKEN_COST": [2.5, 2000, 0.2], "BREAKEVEN": [1000, 3.0, 0.35],
               "GPU_SPEC": ["H100", "bandwidth"], "API_PRICE": ["gpt-4o", "output"]}
    samples.update({f.name: None for f in costlib_udfs.FUNCTIONS if f.name not in samples})
    calls = {k: v for k, v in samples.items() if v is not None}
    env = {**os.environ, "PYTHONPATH": site, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([sys.executable, "-S", "-c", CODE, str(main), json.dumps(calls)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    assert "costlib" not in got, "costlib is importable without main.py: the test proves nothing"
    assert set(got["names"]) == {f.name for f in costlib_udfs.FUNCTIONS} | {"COSTLIB_MESSAGE"}
    assert not got["from"].startswith(str(Path(costlib_udfs.__file__).parents[2]))  # costlib from main.py
    for name, args in calls.items():
        assert got["results"][name] == [[getattr(costlib_udfs, name)(*args)]], name

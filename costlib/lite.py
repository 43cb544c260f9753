"""xlwings Lite without a hosted wheel: one ``main.py`` that carries costlib inside it.

xlwings Lite (Excel on the web, Mac and Windows) runs Python in Pyodide and installs
packages from its ``requirements.txt`` tab; costlib is not on a package index, so a wheel
would have to be hosted with CORS headers. :func:`write` avoids that: ``main.py`` holds
costlib's modules, its dated catalogue files, the API price data and the Excel functions
as compressed text, unpacks them into a temporary folder at start and imports the
functions from there. ``requirements.txt`` lists only what Pyodide itself provides.

The Excel functions are the add-in's, found through the ``costlib.lite`` entry point
(``[project.entry-points."costlib.lite"]`` in pyproject.toml): costlib never imports its
adapter. The entry point names a callable returning ``{"files": {path: text},
"star_import": module}``.

API prices (:mod:`costlib.prices`) come from genai-prices, which cannot be installed in
Pyodide from PyPI: it imports httpx2, whose Pyodide transport (httpx2-jsfetch 0.0.0) is an
empty package. So the bundle carries genai-prices' own pure-Python code and its dated
data (MIT licence, included), and needs only pydantic, which Pyodide provides.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import zlib
from pathlib import Path
from typing import Any

__all__ = ["write", "main_py", "REQUIREMENTS", "ENTRY_POINT_GROUP"]

#: The lines to add in Lite's requirements.txt tab, below Lite's own (keep its xlwings line):
#: costlib needs numpy and pandas, the bundled genai-prices needs pydantic; Pyodide provides all three.
REQUIREMENTS = "numpy\npandas\npydantic\n"

#: The entry-point group an Excel adapter registers its Lite sources under.
ENTRY_POINT_GROUP = "costlib.lite"

#: Modules of a previous paste that an upgraded main.py must replace (xlwings issue #1838:
#: Lite keeps imported modules between runs of main.py).
_PACKAGES = ("costlib", "costlib_udfs", "genai_prices")

_HEADER = '''"""costlib's Excel functions for xlwings Lite, costlib inside (written by `costlib lite`).

Paste this whole file into xlwings Lite's main.py tab, add the lines of requirements.txt
below the lines already in its requirements.txt tab, and save: =TRAIN_COST(70E9, 15E12, 2)
works in any cell. No wheel to host, no server. costlib {version}; catalogue files:
{catalogues}; API prices: {prices}.
"""

import base64 as _base64
import json as _json
import sys as _sys
import tempfile as _tempfile
import zlib as _zlib
from pathlib import Path as _Path

_PACKED = {packed!r}
_PACKAGES = {packages!r}


def _unpack():
    # an upgrade must take effect: forget the modules and the folder of an earlier paste
    for name in list(_sys.modules):
        if name.split(".")[0] in _PACKAGES:
            del _sys.modules[name]
    _sys.path[:] = [p for p in _sys.path if not _Path(p).name.startswith("costlib-lite-")]
    root = _Path(_tempfile.mkdtemp(prefix="costlib-lite-"))
    for name, text in _json.loads(_zlib.decompress(_base64.b64decode(_PACKED))).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _sys.path.insert(0, str(root))


_unpack()

from {star_import} import *  # noqa: E402,F401,F403  (TRAIN_COST, TOKEN_COST, BREAKEVEN, ... as Excel functions)
'''


def _adapter() -> dict[str, Any]:
    """The Excel adapter's Lite sources, through the ``costlib.lite`` entry point.

    Installed, the entry point is in the package metadata. In a source checkout that was
    never installed since the group was declared, it is read from the checkout's
    pyproject.toml, where it is declared.
    """
    points = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    if not points:
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            table = declared.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
            points = [importlib.metadata.EntryPoint(n, v, ENTRY_POINT_GROUP) for n, v in table.items()]
    if not points:
        from .errors import CatalogueError

        raise CatalogueError(f"no Excel adapter registers the entry point group {ENTRY_POINT_GROUP!r}: "
                             "install costlib with its add-in (pip install .)")
    return sorted(points, key=lambda p: p.name)[0].load()()


def _genai_prices_files() -> tuple[dict[str, str], str]:
    """genai-prices' code, data and licence as files, with the text naming its version."""
    dist = importlib.metadata.distribution("genai-prices")
    files: dict[str, str] = {}
    for entry in dist.files or ():
        parts = entry.parts
        if parts[0] == "genai_prices" and entry.suffix == ".py":
            files[entry.as_posix()] = entry.read_text(encoding="utf-8")
        elif parts[0].endswith(".dist-info") and parts[-1] in ("METADATA", "LICENSE"):
            files[entry.as_posix()] = entry.read_text(encoding="utf-8")  # importlib.metadata reads the version
    return files, f"genai-prices {dist.version} bundled data"


def _files() -> tuple[dict[str, str], str, str]:
    files: dict[str, str] = {}
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if "__pycache__" in relative.parts or relative.parts[0] == "workbook":
            continue  # the workbook generator is not needed for the functions
        if path.suffix in (".py", ".csv"):
            files[f"costlib/{relative.as_posix()}"] = path.read_text(encoding="utf-8")
    prices, prices_text = _genai_prices_files()
    files.update(prices)
    adapter = _adapter()
    files.update(adapter["files"])
    return files, prices_text, adapter["star_import"]


def main_py() -> str:
    """The text of a self-contained xlwings Lite ``main.py``."""
    from . import __version__

    files, prices_text, star_import = _files()
    packed = base64.b64encode(zlib.compress(json.dumps(files, sort_keys=True).encode("utf-8"), 9)).decode("ascii")
    catalogues = ", ".join(sorted(Path(n).name for n in files if n.endswith(".csv")))
    return _HEADER.format(version=__version__, catalogues=catalogues, prices=prices_text, packed=packed,
                          packages=_PACKAGES, star_import=star_import)


def write(folder: str | Path, force: bool = False) -> list[Path]:
    """Write ``folder/main.py`` and ``folder/requirements.txt``; returns their paths.

    Refuses an empty folder name (it would be the current folder) and, without ``force``, a
    folder that already holds either file (a main.py of your own, your own requirements);
    nothing is then written. Both files go through the one atomic writer
    (:func:`costlib._atomic.replacing`): written whole or not at all (no half-written main.py
    if the disk fills), an existing file keeps its mode, a new one follows the umask, and a
    refusal of the system names the user's path.
    """
    from ._atomic import replacing
    from .errors import InputError
    from .workbook.files import FileExistsCostlibError

    if str(folder).strip() == "":
        raise InputError("output must be a folder to write main.py into, got an empty name "
                         "(use -o . for the current folder)", argument="output")
    folder = Path(folder)
    main, requirements = folder / "main.py", folder / "requirements.txt"
    existing = [p for p in (main, requirements) if p.exists() or p.is_symlink()]
    if existing and not force:
        raise FileExistsCostlibError(f"{existing[0]} exists; replacing it needs --force (it may be your own); "
                                     "nothing was written")
    text = main_py()
    with replacing(main) as main_tmp, replacing(requirements) as requirements_tmp:
        for tmp, body in ((main_tmp, text), (requirements_tmp, REQUIREMENTS)):
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(body)
    return [main, requirements]

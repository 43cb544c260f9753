"""xlwings Lite without a hosted wheel: one ``main.py`` that carries costlib inside it.

xlwings Lite (Excel on the web, Mac and Windows) runs Python in Pyodide and installs
packages from its ``requirements.txt`` tab; costlib is not on a package index, so a wheel
would have to be hosted with CORS headers. :func:`write` avoids that: ``main.py`` holds
costlib's modules, its dated catalogue files and the Excel functions (``costlib_udfs``) as
compressed text, unpacks them into a temporary folder at start and imports the functions
from there. ``requirements.txt`` lists only what Pyodide itself provides.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

__all__ = ["write", "main_py", "REQUIREMENTS"]

#: The lines to add in Lite's requirements.txt tab, below Lite's own (keep its xlwings line):
#: costlib needs numpy and pandas, which Pyodide provides.
REQUIREMENTS = "numpy\npandas\n"

_HEADER = '''"""costlib's Excel functions for xlwings Lite, costlib inside (written by `costlib lite`).

Paste this whole file into xlwings Lite's main.py tab, add the lines of requirements.txt
below the lines already in its requirements.txt tab, and save: =TRAIN_COST(70E9, 15E12, 2)
works in any cell. No wheel to host, no server. costlib {version}; catalogue files: {catalogues}.
"""

import base64 as _base64
import json as _json
import sys as _sys
import tempfile as _tempfile
import zlib as _zlib
from pathlib import Path as _Path

_PACKED = {packed!r}


def _unpack():
    root = _Path(_tempfile.mkdtemp(prefix="costlib-lite-"))
    for name, text in _json.loads(_zlib.decompress(_base64.b64decode(_PACKED))).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _sys.path.insert(0, str(root))


_unpack()

from costlib_udfs import *  # noqa: E402,F401,F403  (TRAIN_COST, TOKEN_COST, BREAKEVEN, ... as Excel functions)
'''


def _files() -> dict[str, str]:
    import costlib
    import costlib_udfs

    files: dict[str, str] = {}
    root = Path(costlib.__file__).parent
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if "__pycache__" in relative.parts or relative.parts[0] == "workbook":
            continue  # the workbook generator is not needed for the functions
        if path.suffix in (".py", ".csv"):
            files[f"costlib/{relative.as_posix()}"] = path.read_text(encoding="utf-8")
    files["costlib_udfs/__init__.py"] = Path(costlib_udfs.__file__).read_text(encoding="utf-8")
    return files


def main_py() -> str:
    """The text of a self-contained xlwings Lite ``main.py``."""
    from . import __version__

    files = _files()
    packed = base64.b64encode(zlib.compress(json.dumps(files, sort_keys=True).encode("utf-8"), 9)).decode("ascii")
    catalogues = ", ".join(sorted(Path(n).name for n in files if n.endswith(".csv")))
    return _HEADER.format(version=__version__, catalogues=catalogues, packed=packed)


def write(folder: str | Path) -> list[Path]:
    """Write ``folder/main.py`` and ``folder/requirements.txt``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    main, requirements = folder / "main.py", folder / "requirements.txt"
    main.write_text(main_py(), encoding="utf-8")
    requirements.write_text(REQUIREMENTS, encoding="utf-8")
    return [main, requirements]

"""Recalculate a workbook in a real spreadsheet engine and read back every value.

Used by the tests, the README picture script and the benchmarks: two independent engines
compute the generated formulas, and openpyxl reads the cached results.

- LibreOffice headless (``soffice``, Debian's ``libreoffice-calc-nogui``). By default it
  never recalculates an .xlsx on load; a private profile sets "always recalculate" so the
  values are LibreOffice's own, not what the file carried.
- Gnumeric's ``ssconvert --recalc`` (Debian's ``gnumeric``). Whatever it prints while
  reading a workbook (an element it does not expect, an invalid expression) is a
  complaint: :func:`convert` raises with it, so a file Gnumeric only half understands
  never passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import CostlibError

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeMissing(CostlibError):
    """LibreOffice (soffice) is not installed."""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise LibreOfficeMissing("LibreOffice is needed to recalculate workbooks: apt-get install "
                                 "libreoffice-calc-nogui")
    return found


class GnumericMissing(CostlibError):
    """Gnumeric's ssconvert is not installed."""


def ssconvert() -> str:
    found = shutil.which("ssconvert")
    if not found:
        raise GnumericMissing("Gnumeric is needed to recalculate workbooks with a second engine: apt-get install "
                              "gnumeric")
    return found


ENGINES = ("libreoffice", "gnumeric")


def _profile(root: Path) -> str:
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
    return root.as_uri()


def convert(paths: list[str | os.PathLike], outdir: str | os.PathLike, to: str = "xlsx",
            timeout: float = 600, engine: str = "libreoffice") -> list[Path]:
    """Open each workbook in ``engine``, recalculate, and save it as ``to`` into ``outdir``."""
    if engine == "gnumeric":
        return _gnumeric(paths, Path(outdir), to, timeout)
    if engine != "libreoffice":
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="costlib-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation={_profile(Path(profile))}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(outdir), *map(str, paths)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    ext = to.split(":")[0]
    out = [outdir / (Path(p).stem + "." + ext) for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise CostlibError(f"LibreOffice did not write {', '.join(missing)}: {done.stderr.strip()[-500:]}")
    return out


def _gnumeric(paths, outdir: Path, to: str, timeout: float) -> list[Path]:
    """ssconvert --recalc, two files at a time (one process each); any output is a complaint."""
    outdir.mkdir(parents=True, exist_ok=True)
    program = ssconvert()

    def one(path) -> Path:
        out = outdir / (Path(path).stem + "." + to)
        done = subprocess.run([program, "--recalc", str(path), str(out)], capture_output=True, text=True,
                              timeout=timeout)
        said = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or said or not out.exists():
            raise CostlibError(f"Gnumeric on {Path(path).name}: {said[-800:] or 'no output file'}")
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, paths))


def recalculated_values(path: str | os.PathLike, workdir: str | os.PathLike | None = None):
    """An openpyxl workbook (values only) of ``path`` as LibreOffice computes it."""
    from openpyxl import load_workbook  # openpyxl loads where a workbook is read, not with costlib

    with tempfile.TemporaryDirectory(prefix="costlib-recalc-") as tmp:
        out = convert([path], workdir or tmp)[0]
        return load_workbook(out, data_only=True)

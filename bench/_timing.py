"""What every bench/ section shares: the timer, the figures' format, the machine, a table.

Each section is a module ``bench/<subject>.py`` with ``run(quick=False) -> {"section": ...,
"results": [...], "agree": bool}``; bench/run.py runs them all. See bench/README.md.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import platform
import shutil
import statistics
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def measure(fn, repeat: int = 5, warmup: int = 1, min_time: float = 0.02) -> dict:
    """Median seconds per call of ``fn`` over ``repeat`` samples, after ``warmup`` calls.

    A sample times ``number`` back-to-back calls, ``number`` chosen during the warm-up so
    that one sample lasts at least ``min_time`` (so a 50 us call is not timed alone).
    """
    for _ in range(max(warmup, 1)):
        t0 = time.perf_counter()
        fn()
        once = time.perf_counter() - t0
    number = 1 if once >= min_time else min(10_000, math.ceil(min_time / max(once, 1e-9)))
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    return {"median_s": statistics.median(samples), "min_s": min(samples), "max_s": max(samples),
            "repeat": repeat, "number": number}


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e9:.1f} ns"


def _version(package: str) -> str | None:
    # xlwings is not imported for its version: its custom functions need environment
    # variables set before its first import (bench/excel_calls.py sets them)
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine_info() -> dict:
    import numpy as np
    import openpyxl
    import pandas

    import costlib

    lo = None
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        try:
            lo = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            lo = None
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": mem_gb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "openpyxl": openpyxl.__version__,
        "xlwings": _version("xlwings"),
        "costlib": costlib.__version__,
        "libreoffice": lo,
    }


def md_table(title: str, columns: list[str], lines: list[list[str]], text_columns: int = 1) -> list[str]:
    """A titled markdown table; the first ``text_columns`` columns left-aligned, the rest right."""
    align = ["---"] * text_columns + ["---:"] * (len(columns) - text_columns)
    return [title, "", "| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(line) + " |" for line in lines), ""]

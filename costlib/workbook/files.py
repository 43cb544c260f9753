"""Files as a finance user needs them: reproducible bytes, never a half-written or lost file.

The same template and inputs give the same bytes (fixed document dates and zip entry
dates), and each workbook carries a fingerprint of its own content, so a later run can tell
a file it wrote from one a user has since edited. :func:`write_workbook` is the one way a
workbook reaches the disk.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from ..errors import CostlibError

__all__ = ["reproducible", "is_unedited", "write_workbook", "FileExistsCostlibError", "FIXED_TIME",
           "FINGERPRINT_NAME", "PLACEHOLDER"]

FIXED_TIME = _dt.datetime(2024, 1, 1, 0, 0, 0)
FINGERPRINT_NAME = "costlib_fingerprint"
PLACEHOLDER = "0" * 64  # the custom property's value until the fingerprint is known


class FileExistsCostlibError(CostlibError):
    """The output exists and is not an unedited costlib workbook: replacing it needs --force."""


def _digest(members: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(members):
        if name != "docProps/custom.xml":
            h.update(name.encode() + b"\0" + members[name] + b"\0")
    return h.hexdigest()


def reproducible(data: bytes) -> bytes:
    """An .xlsx package as reproducible bytes: fixed dates and zip entry times, its fingerprint filled in.

    The package must hold the custom property ``costlib_fingerprint`` with :data:`PLACEHOLDER`.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        names = zin.namelist()
        members = {n: zin.read(n) for n in names}
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    members["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2",
                                          members["docProps/core.xml"])
    members["docProps/custom.xml"] = members["docProps/custom.xml"].replace(
        PLACEHOLDER.encode(), _digest(members).encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, members[name])
    return out.getvalue()


def is_unedited(path: str | os.PathLike) -> bool:
    """True where ``path`` is a costlib workbook whose content still matches its fingerprint."""
    try:
        with zipfile.ZipFile(path) as z:
            members = {n: z.read(n) for n in z.namelist()}
    except (OSError, zipfile.BadZipFile):
        return False
    custom = members.get("docProps/custom.xml", b"")
    m = re.search(rb'name="' + FINGERPRINT_NAME.encode() + rb'"[^>]*>\s*<vt:lpwstr>([0-9a-f]{64})<', custom)
    return bool(m) and m.group(1).decode() == _digest(members)


def write_workbook(data: bytes, path: str | os.PathLike, force: bool = False) -> str:
    """Write ``data`` to ``path`` atomically; returns "written", "unchanged" or "replaced".

    A temporary file in the same folder is moved into place, so no run leaves a half-written
    workbook. An existing file is replaced only when it is byte-identical, an unedited costlib
    workbook, or ``force`` is given; otherwise FileExistsCostlibError, and nothing is written.
    """
    target = Path(path)
    if target.exists():
        if target.read_bytes() == data:
            return "unchanged"
        if not force and not is_unedited(target):
            raise FileExistsCostlibError(
                f"{target} exists and is not an unedited costlib workbook (it may hold your changes); "
                "choose another -o path or pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    existed = target.exists()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "replaced" if existed else "written"

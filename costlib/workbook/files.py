"""Files as a finance user needs them: reproducible bytes, never a half-written or lost file.

The same template and inputs give the same bytes (fixed document dates and zip entry
dates), and each workbook carries a fingerprint of its own content, so a later run can tell
a file it wrote from one a user has since edited. :func:`write_workbook` is the one way a
workbook reaches the disk.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import io
import os
import tempfile
import zipfile
from xml.parsers import expat
from pathlib import Path

from .._atomic import file_mode, output_error as _output_error, replacing
from ..errors import CostlibError, InputTypeError, OutputError
from .ooxml import content, elements, with_content
from .package import check_sizes, read_part, stream_part

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["reproducible", "is_unedited", "write_workbook", "replacing", "file_mode", "check_target", "locked", "FileExistsCostlibError",
           "OutputError", "BusyError", "FIXED_TIME", "FINGERPRINT_NAME", "PLACEHOLDER"]

FIXED_TIME = _dt.datetime(2024, 1, 1, 0, 0, 0)
FINGERPRINT_NAME = "costlib_fingerprint"
PLACEHOLDER = "0" * 64  # the custom property's value until the fingerprint is known


class FileExistsCostlibError(CostlibError):
    """The output exists and is not an unedited costlib workbook: replacing it needs --force."""


class BusyError(OutputError):
    """Another costlib run is writing the same file right now."""


def _fingerprint(custom: bytes) -> tuple[int, int] | None:
    """The byte span of the fingerprint's value in docProps/custom.xml, None where it has none."""
    found = elements(custom)
    for element in found:
        if element.tag == "property" and element.attributes.get("name") == FINGERPRINT_NAME:
            value = [found[i] for i in element.children if found[i].tag == "vt:lpwstr"]
            return content(custom, value[0]) if value else None
    return None


def _digest(members: dict[str, bytes]) -> str:
    """SHA-256 of every member, the custom properties included with the fingerprint's own value blanked."""
    h = hashlib.sha256()
    for name in sorted(members):
        data = members[name]
        if name == "docProps/custom.xml":
            span = _fingerprint(data)
            data = with_content(data, [span] if span else [], PLACEHOLDER.encode())
        h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _digest_v1(members: dict[str, bytes]) -> str:
    """The fingerprint of workbooks written before the custom properties were covered."""
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
    core = members["docProps/core.xml"]
    members["docProps/core.xml"] = with_content(core, [content(core, e) for e in elements(core)
                                                       if e.tag == "dcterms:modified"], stamp)
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
    """True where ``path`` is a costlib workbook unchanged since costlib wrote it.

    Any change counts: a cell, a sheet, a document property, a custom property (a reviewer's
    note, a sensitivity label). The fingerprint covers every part of the package but itself.
    The file is read through the one capped reader (:mod:`costlib.workbook.package`): a part
    that breaks a cap (a zip bomb named like a workbook) is not unedited, and is never
    unpacked; parts are hashed as they stream, so memory stays one chunk whatever their size.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            check_sizes(path, infos)
            custom_info = next((i for i in infos if i.filename == "docProps/custom.xml"), None)
            custom = read_part(path, z, custom_info) if custom_info else b""
            span = _fingerprint(custom)
            if span is None:
                return False
            names = sorted(e.attributes.get("name", "") for e in elements(custom) if e.tag == "property")
            current, v1 = hashlib.sha256(), hashlib.sha256()  # _digest and _digest_v1, streamed
            for info in sorted(infos, key=lambda i: i.filename):
                head = info.filename.encode() + b"\0"
                current.update(head)
                if info is custom_info:
                    current.update(with_content(custom, [span], PLACEHOLDER.encode()))
                else:
                    v1.update(head)
                    for chunk in stream_part(path, z, info):
                        current.update(chunk)
                        v1.update(chunk)
                    v1.update(b"\0")
                current.update(b"\0")
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError, EOFError, expat.ExpatError):
        # not a zip, a damaged or capped part (PackageError is a ValueError), custom.xml not XML or with a DTD:
        # not a file costlib wrote, never an error
        return False
    stored = custom[span[0]:span[1]].decode("utf-8", "replace")
    if stored == current.hexdigest():
        return True
    # written by an earlier costlib: its fingerprint left the custom properties out, so accept it only
    # where they are still costlib's own two
    return names == ["costlib_fingerprint", "costlib_template"] and stored == v1.hexdigest()


# Locks: of several costlib runs writing one file, one goes ahead and the others stop at once
# (BusyError). The lock files live in a folder of the system's temporary directory, not beside
# the workbook, so a refused run leaves the output folder as it was. On POSIX each is held with
# flock, which the system releases if the process dies; elsewhere it is created exclusively.
_held: dict[str, int] = {}


def _lock_path(target: Path) -> Path:
    key = str(target.resolve()).lower()  # case-insensitive file systems: A.xlsx and a.xlsx are one file
    folder = Path(tempfile.gettempdir()) / f"costlib-locks-{getattr(os, 'getuid', lambda: 'user')()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".lock")


@contextlib.contextmanager
def locked(paths):
    """Hold the write locks of every target in ``paths``; BusyError at once if another run holds one."""
    locks = {str(_lock_path(Path(p))): Path(p) for p in paths}
    taken: list[tuple[str, int, Path]] = []
    try:
        for key in sorted(locks):
            if key in _held:  # this process holds it already (a batch, then each of its files)
                continue
            lock = Path(key)
            fd = _acquire(lock, locks[key])
            _held[key] = fd
            taken.append((key, fd, lock))
        yield
    finally:
        for key, fd, lock in reversed(taken):
            _held.pop(key, None)
            _release(lock, fd)


def _acquire(lock: Path, target: Path) -> int:
    busy = BusyError(f"cannot write {target}: another costlib run is writing it now; try again when it has "
                     f"finished" + ("" if fcntl else f" (or, if none is running, delete {lock})"))
    if fcntl is None:
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise busy from None
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise busy from None
        try:  # the holder before us may have removed the file after we opened it: lock the file on disk
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def _release(lock: Path, fd: int) -> None:
    try:
        lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def check_target(data: bytes, path: str | os.PathLike, force: bool = False) -> str:
    """What :func:`write_workbook` would do with ``path``: "written", "unchanged" or "replaced".

    Raises FileExistsCostlibError where the file holds changes and ``force`` is false, and
    OutputError where the path cannot be a workbook (a folder, under a file); writes nothing.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder; name an .xlsx file inside it")
    if any(p.exists() and not p.is_dir() for p in target.parents):
        raise OutputError(f"cannot write {target}: a part of the path is a file, not a folder")
    if not target.exists():
        return "written"
    try:
        # the sizes first: an existing file of another size (a 5 GB file of the user's) is never read whole
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return "unchanged"
    except OSError as exc:
        raise _output_error(target, exc) from None
    if not force and not is_unedited(target):
        raise FileExistsCostlibError(
            f"{target} exists and is not an unedited costlib workbook (it may hold your changes); "
            "choose another -o path or pass --force to replace it")
    return "replaced"


def write_workbook(data: bytes, path: str | os.PathLike, force: bool = False) -> str:
    """Write ``data`` to ``path`` atomically; returns "written", "unchanged" or "replaced".

    A temporary file with a unique name in the same folder is moved into place, so no run
    leaves a half-written workbook. An existing file is replaced only when it is
    byte-identical, an unedited costlib workbook, or ``force`` is given; otherwise
    FileExistsCostlibError, and nothing is written. While it writes it holds the file's lock:
    a second costlib run writing the same file at the same time gets BusyError.
    """
    if not isinstance(force, bool):
        raise InputTypeError(f"force must be True or False, got {force!r}", argument="force")
    target = Path(path)
    with locked([target]):
        status = check_target(data, target, force)
        if status == "unchanged":
            return status
        with replacing(target) as tmp:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    return status

"""Files written whole or not at all, keeping who may read them.

:func:`replacing` is the one way costlib puts a file on disk (workbooks, copies of a
user's model, CSV results, refreshed price data): a temporary file in the same folder,
moved into place; an existing file's mode kept; the system's refusal named by the
user's path, never the temporary file's.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import OutputError

__all__ = ["replacing", "file_mode", "output_error"]


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), else set back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode(target: Path) -> int:
    """The mode a file written to ``target`` gets: the existing file's own, else 0666 less the umask.

    Replacing a file keeps who may read it (a 0600 plan stays private); a new file is
    created as any program creates one, so the user's umask decides.
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


@contextlib.contextmanager
def replacing(path: str | os.PathLike):
    """Write a new version of ``path`` atomically: yields a temporary path in the same folder to write to.

    On a normal exit the temporary file gets :func:`file_mode` and is moved into place; on
    any error it is removed, so no half-written file is ever left. The system's refusal
    (a folder where the file should be, no permission, a full disk) is an OutputError that
    names ``path``, the user's path, never the temporary file's.
    """
    target = Path(path)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        yield tmp
        os.chmod(tmp, file_mode(target))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise output_error(target, exc) from None
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def output_error(target: Path, exc: OSError) -> OutputError:
    """The system's refusal to write ``target`` as an OutputError naming ``target``."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError) or target.is_dir():
        return OutputError(f"cannot write {target}: it is a folder; name an .xlsx file inside it")
    if isinstance(exc, NotADirectoryError) or any(p.is_file() for p in target.parents):
        return OutputError(f"cannot write {target}: a part of the path is a file, not a folder")
    return OutputError(f"cannot write {target}: {reason}")



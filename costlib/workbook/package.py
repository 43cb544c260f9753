"""A zip package's parts read within declared caps: the one reader of a file a user holds.

Every reader of an .xlsx or .xlsm on disk goes through here: the model tools
(:mod:`costlib.models_in_excel`, scan/freeze/inline) and the check whether an existing
output is an unedited costlib workbook (:func:`costlib.workbook.files.is_unedited`). A part
is refused (:class:`PackageError`, naming the file, the part and the cap) above
:data:`MAX_PART_BYTES` uncompressed, above :data:`MAX_RATIO` times its compressed size, or
where the parts add up to more than :data:`MAX_TOTAL_BYTES`: a 1 MB file that unpacks to
1 GB is refused from its declared sizes, before anything is unpacked, and a part whose
declared size lies is stopped while it streams, one chunk past the cap.
"""

from __future__ import annotations

import os
import zipfile
from typing import Iterable, Iterator

from ..errors import InputError

__all__ = ["PackageError", "check_sizes", "stream_part", "read_part",
           "MAX_PART_BYTES", "MAX_TOTAL_BYTES", "MAX_RATIO", "RATIO_FROM_BYTES", "CHUNK_BYTES"]

#: The largest part read, uncompressed [bytes]: a sheet of a million cells is about 60 MB.
MAX_PART_BYTES = 256 * 2**20
#: The largest package, all parts uncompressed [bytes].
MAX_TOTAL_BYTES = 1024 * 2**20
#: The largest compression ratio of a part above :data:`RATIO_FROM_BYTES` (uncompressed /
#: compressed) [dimensionless]; spreadsheet XML compresses 5-30x, a zip bomb 1000x and more.
MAX_RATIO = 200
#: Parts smaller than this [bytes] are not held to :data:`MAX_RATIO` (a tiny part compresses anyhow).
RATIO_FROM_BYTES = 2**20
#: The size of one streamed chunk [bytes].
CHUNK_BYTES = 2**20


class PackageError(InputError):
    """A package that cannot be read as asked (a cap broken, a damaged part); the message names the file and the part."""


def check_sizes(path: str | os.PathLike, infos: Iterable[zipfile.ZipInfo]) -> None:
    """Refuse ``path`` where a part's declared size or ratio, or the parts' total, breaks a cap; unpacks nothing."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise PackageError(f"{path}: part {info.filename} unpacks to {info.file_size:,} bytes, above "
                               f"the cap of {MAX_PART_BYTES:,} (costlib.workbook.package.MAX_PART_BYTES)")
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(f"{path}: part {info.filename} unpacks {info.file_size / max(info.compress_size, 1):,.0f} "
                               f"times its packed size, above the cap of {MAX_RATIO} (a zip bomb?; "
                               "costlib.workbook.package.MAX_RATIO)")
    if total > MAX_TOTAL_BYTES:
        raise PackageError(f"{path}: its parts unpack to {total:,} bytes, above the cap of "
                           f"{MAX_TOTAL_BYTES:,} (costlib.workbook.package.MAX_TOTAL_BYTES)")


def stream_part(path: str | os.PathLike, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part ``info`` of ``package`` in chunks; PackageError past :data:`MAX_PART_BYTES` or where it is damaged."""
    where = f"{path}: part {info.filename}"
    size = 0
    try:
        with package.open(info) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                size += len(chunk)
                if size > MAX_PART_BYTES:  # the declared size lied
                    raise PackageError(f"{where}: unpacks to more than the cap of {MAX_PART_BYTES:,} bytes "
                                       "(costlib.workbook.package.MAX_PART_BYTES)")
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        what = "is encrypted" if "encrypted" in str(exc) else f"cannot be unpacked ({exc})"
        raise PackageError(f"{where}: {what}") from None
    except PackageError:
        raise
    except Exception as exc:  # zlib.error and the like: a damaged part
        raise PackageError(f"{where}: cannot be unpacked ({type(exc).__name__}: {exc})") from None


def read_part(path: str | os.PathLike, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The part ``info`` whole, streamed within the caps (:func:`stream_part`)."""
    return b"".join(stream_part(path, package, info))

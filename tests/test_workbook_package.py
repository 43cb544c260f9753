"""costlib.workbook.package: a zip package's parts read within declared caps."""

from __future__ import annotations

import zipfile

import pytest

from costlib.workbook import package
from costlib.workbook.package import PackageError, check_sizes, read_part, stream_part


def _zip(path, parts: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_part_is_read_whole_and_in_chunks_of_the_declared_size(tmp_path, monkeypatch):
    data = bytes(range(256)) * 40  # 10,240 bytes
    monkeypatch.setattr(package, "CHUNK_BYTES", 4096)
    with zipfile.ZipFile(_zip(tmp_path / "p.zip", {"xl/a.xml": data})) as z:
        info = z.getinfo("xl/a.xml")
        chunks = list(stream_part(tmp_path / "p.zip", z, info))
        assert [len(c) for c in chunks] == [4096, 4096, 2048]  # 10,240 = 2 x 4,096 + 2,048
        assert read_part(tmp_path / "p.zip", z, info) == data


def test_a_declared_size_above_the_part_cap_is_refused_before_unpacking(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "MAX_PART_BYTES", 1000)
    with zipfile.ZipFile(_zip(tmp_path / "p.zip", {"xl/big.xml": b"x" * 1001})) as z:
        with pytest.raises(PackageError, match=r"part xl/big\.xml unpacks to 1,001 bytes, above the cap of 1,000"):
            check_sizes(tmp_path / "p.zip", z.infolist())


def test_a_ratio_above_the_cap_is_a_zip_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "RATIO_FROM_BYTES", 1000)
    with zipfile.ZipFile(_zip(tmp_path / "p.zip", {"xl/bomb.xml": b"\0" * 1_000_000})) as z:
        info = z.getinfo("xl/bomb.xml")
        assert info.file_size > 200 * info.compress_size  # a run of zeros deflates about 1,000 to 1
        with pytest.raises(PackageError, match="zip bomb"):
            check_sizes(tmp_path / "p.zip", [info])


def test_parts_within_each_cap_but_above_the_total_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", 1500)
    parts = {"a.xml": bytes(range(256)) * 4, "b.xml": bytes(range(256)) * 4}  # 1,024 + 1,024 = 2,048 > 1,500
    with zipfile.ZipFile(_zip(tmp_path / "p.zip", parts)) as z:
        with pytest.raises(PackageError, match="its parts unpack to 2,048 bytes, above the cap of 1,500"):
            check_sizes(tmp_path / "p.zip", z.infolist())


def test_a_part_that_grows_past_the_cap_while_it_streams_is_stopped(tmp_path, monkeypatch):
    with zipfile.ZipFile(_zip(tmp_path / "p.zip", {"xl/a.xml": b"y" * 5000})) as z:
        monkeypatch.setattr(package, "MAX_PART_BYTES", 4000)  # as if its declared size had lied
        monkeypatch.setattr(package, "CHUNK_BYTES", 1000)
        with pytest.raises(PackageError, match="unpacks to more than the cap of 4,000 bytes"):
            read_part(tmp_path / "p.zip", z, z.getinfo("xl/a.xml"))


def test_a_damaged_part_names_the_file_and_the_part(tmp_path):
    path = _zip(tmp_path / "p.zip", {"xl/a.xml": bytes(range(256)) * 100})
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        start = z.getinfo("xl/a.xml").header_offset + 30 + len("xl/a.xml")
    raw[start + 10:start + 20] = b"\xff" * 10  # corrupt the deflated data
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as z:
        with pytest.raises(PackageError, match=r"p\.zip: part xl/a\.xml: cannot be unpacked"):
            read_part(path, z, z.getinfo("xl/a.xml"))

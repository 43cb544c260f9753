"""costlib.workbook.files: reproducible bytes, and writes that leave no half-written file."""

import io
import zipfile

import pytest
from rendered import default_bytes

from costlib.workbook import files, render


def test_same_inputs_same_bytes():
    # the budget: its Ranges sheet's draws are seeded, so they are the same bytes too
    assert render("budget", {"months": 12}) == render("budget", {"months": 12}) != default_bytes("budget")


def test_zip_entries_have_fixed_dates():
    with zipfile.ZipFile(io.BytesIO(default_bytes("unit-economics"))) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "budget.xlsx"

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError):
        files.write_workbook(default_bytes("unit-economics"), out)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file


def _with_member(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info, change(body) if info.filename == name else body)
    return out.getvalue()


def test_a_workbook_is_unedited_until_any_part_changes(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(default_bytes("unit-economics"))
    assert files.is_unedited(path)
    # a reviewer's custom property (a sensitivity label) is an edit too
    path.write_bytes(_with_member(default_bytes("unit-economics"), "docProps/custom.xml",
                                  lambda xml: xml.replace(b"</Properties>", b'<property fmtid="{D5CDD505-2E9C-101B-9397-'
                                                          b'08002B2CF9AE}" pid="9" name="label"><vt:lpwstr>internal'
                                                          b'</vt:lpwstr></property></Properties>')))
    assert not files.is_unedited(path)
    # a custom.xml that is not XML, or holds a DTD: not a costlib workbook, never an error
    for broken in (b"not xml", b'<!DOCTYPE a [<!ENTITY e "x">]><Properties>&e;</Properties>'):
        path.write_bytes(_with_member(default_bytes("unit-economics"), "docProps/custom.xml", lambda xml: broken))
        assert not files.is_unedited(path)


def _costlib_workbook_with(extra: dict[str, bytes]) -> bytes:
    """A genuine costlib workbook (its fingerprint covering them) holding the parts ``extra`` too."""
    data = default_bytes("unit-economics")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        stored = z.read("docProps/custom.xml")
    span = files._fingerprint(stored)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/custom.xml":
                body = body[:span[0]] + files.PLACEHOLDER.encode() + body[span[1]:]
            zout.writestr(info, body)
        for name, body in extra.items():
            zout.writestr(name, body)
    return files.reproducible(out.getvalue())


def test_is_unedited_reads_through_the_capped_reader(tmp_path, monkeypatch):
    """A part that unpacks ~1000x its packed size (8 MB of zeros) breaks MAX_RATIO (200): the file is
    not unedited and the part is never unpacked, though its fingerprint is right; lifting the cap shows
    that the cap, not the fingerprint, decided."""
    from costlib.workbook import package

    path = tmp_path / "p.xlsx"
    path.write_bytes(_costlib_workbook_with({"xl/media/image1.png": bytes(8 * 2**20)}))
    assert not files.is_unedited(path)
    monkeypatch.setattr(package, "MAX_RATIO", 10**6)
    assert files.is_unedited(path)
    monkeypatch.setattr(package, "MAX_PART_BYTES", 1000)  # the size cap too: its sheets are larger

    assert not files.is_unedited(path)


def test_a_zip_bomb_at_the_output_path_needs_force_and_is_never_unpacked(tmp_path, monkeypatch):
    path = tmp_path / "p.xlsx"
    path.write_bytes(_costlib_workbook_with({"xl/media/image1.png": bytes(8 * 2**20)}))
    unpacked = []
    for reader in ("stream_part", "read_part"):
        monkeypatch.setattr(files, reader, lambda *a: unpacked.append(a[2].filename) or iter(()))
    with pytest.raises(files.FileExistsCostlibError, match="not an unedited costlib workbook"):
        files.check_target(default_bytes("unit-economics"), path)
    assert unpacked == []  # refused from the declared sizes, before any part streamed


def test_an_existing_output_of_another_size_is_never_read_whole(tmp_path, monkeypatch):
    """check_target compares sizes before bytes: a large file of the user's at the output path is
    judged by its size and the capped reader (is_unedited), never loaded into memory."""
    from pathlib import Path

    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK" + bytes(3 * 2**20))  # 3 MB of the user's, not a costlib workbook
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or real(self))
    with pytest.raises(files.FileExistsCostlibError):
        files.check_target(default_bytes("unit-economics"), path)
    assert read == []
    same = tmp_path / "same.xlsx"
    same.write_bytes(default_bytes("unit-economics"))
    assert files.check_target(default_bytes("unit-economics"), same) == "unchanged"

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

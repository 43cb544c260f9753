"""costlib._atomic: a file written whole or not at all, keeping its mode, its errors naming the user's path."""

import os
import stat

import pytest

from costlib._atomic import file_mode, output_error, replacing
from costlib.errors import OutputError


def test_a_normal_exit_puts_the_file_in_place(tmp_path):
    target = tmp_path / "out.csv"
    with replacing(target) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path)  # same folder, so os.replace is one rename
        with open(tmp, "w") as f:
            f.write("a,b\n")
    assert target.read_text() == "a,b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left


def test_an_error_inside_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="half-way"):
        with replacing(target) as tmp:
            with open(tmp, "w") as f:
                f.write("new, half")
            raise RuntimeError("half-way")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_missing_folders_are_made(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    with replacing(target) as tmp:
        with open(tmp, "w") as f:
            f.write("x")
    assert target.read_text() == "x"


def test_replacing_a_private_file_keeps_it_private(tmp_path):
    target = tmp_path / "plan.csv"
    target.write_text("old")
    os.chmod(target, 0o600)
    with replacing(target) as tmp:
        with open(tmp, "w") as f:
            f.write("new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_new_file_gets_0666_less_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        assert file_mode(tmp_path / "new.csv") == 0o640  # 0666 & ~0027 = 0640
    finally:
        os.umask(old)


def test_a_folder_where_the_file_should_be_is_named_by_the_users_path(tmp_path):
    (tmp_path / "out.xlsx").mkdir()
    with pytest.raises(OutputError, match=r"cannot write .*out\.xlsx: it is a folder"):
        with replacing(tmp_path / "out.xlsx"):
            pass  # pragma: no cover (the folder is refused before the body runs)


def test_a_file_in_the_middle_of_the_path_is_named(tmp_path):
    (tmp_path / "plain").write_text("a file")
    with pytest.raises(OutputError, match="a part of the path is a file, not a folder"):
        with replacing(tmp_path / "plain" / "out.csv"):
            pass  # pragma: no cover


def test_another_refusal_quotes_the_systems_reason_and_the_target(tmp_path):
    err = output_error(tmp_path / "out.csv", OSError(28, "No space left on device"))
    assert isinstance(err, OutputError)
    assert str(err) == f"cannot write {tmp_path / 'out.csv'}: No space left on device"

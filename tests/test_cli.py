"""The costlib command: generation, bad input (exit 2, no file), nothing lost."""

import subprocess
import sys

import pytest
from openpyxl import load_workbook

from rendered import default_bytes

from costlib import cli
from costlib.plan import load_template
from costlib.workbook import is_unedited, render


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "costlib", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.slow  # spawns an interpreter
def test_generate_budget_on_defaults(tmp_path):
    done = run("generate", "budget", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "workbooks" / "budget.xlsx"
    assert out.read_bytes() == render("budget")


def test_set_and_config(tmp_path):
    config = tmp_path / "inputs.toml"
    config.write_text("[inputs]\nparams = 8e9\nmonths = 60\n")
    out = tmp_path / "plan.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), "--config", str(config), "--set", "months=12",
                     "--set", "utilization=60%"]) == 0
    wb = load_workbook(out, data_only=True)  # the value each input has (an uncertain one's by formula)
    values = {n: wb["Inputs"][list(wb.defined_names[n].destinations)[0][1].replace("$", "")].value
              for n in ("params", "months", "utilization")}
    assert values == {"params": 8e9, "months": 12, "utilization": 0.6}  # --set overrides --config


@pytest.mark.parametrize("args, message", [
    (["--set", "parms=8e9"], "'parms' is not an input of the budget template; closest: params"),
    (["--set", "mfu=1.4"], "mfu must be in (0, 1], got 1.4"),
    (["--set", "mfu=forty"], "mfu must be a number, got text 'forty'"),
    (["--set", "months=0"], "months must be >= 1, got 0"),
    (["--set", "months=12.5"], "months must be a whole number, got 12.5"),
    (["--set", "months=601"], "months must be <= 600, got 601"),
    (["--set", "gpu=H10"], "gpu must be a name in the accelerators catalogue"),
    (["--set", "params"], "--set must be NAME=VALUE, got 'params'"),
    (["--set", "utilization=-5%"], "utilization must be in (0, 1], got -0.05"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "never.xlsx"
    assert cli.main(["generate", "budget", "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_unknown_template_suggests(capsys):
    assert cli.main(["generate", "budgt"]) == 2
    assert "template must be one of" in capsys.readouterr().err


def test_edited_file_is_not_replaced_without_force(tmp_path, capsys):
    # the smallest template: what is tested is the file's safety, the same for any template
    out = tmp_path / "unit-economics.xlsx"
    assert cli.main(["generate", "unit-economics", "-o", str(out)]) == 0
    assert is_unedited(out)
    # a second run with other inputs replaces an unedited costlib workbook
    assert cli.main(["generate", "unit-economics", "-o", str(out), "--set", "users=2000"]) == 0
    # the user edits it (as Excel would on save): now it is theirs
    wb = load_workbook(out)
    wb["Inputs"]["B7"] = 123
    wb.save(out)
    edited = out.read_bytes()
    assert not is_unedited(out)
    assert cli.main(["generate", "unit-economics", "-o", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert out.read_bytes() == edited
    assert cli.main(["generate", "unit-economics", "-o", str(out), "--force"]) == 0
    assert out.read_bytes() == default_bytes("unit-economics")


@pytest.mark.slow  # spawns an interpreter
def test_scenarios(tmp_path):
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,params,utilization\nsmall,8e9,0.6\nlarge,70e9,0.2\n")
    done = run("generate", "budget", "--scenarios", str(csv), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["budget-comparison.xlsx", "budget-large.xlsx", "budget-small.xlsx"]
    assert (tmp_path / "out" / "budget-small.xlsx").read_bytes() == render("budget", {"params": "8e9",
                                                                                      "utilization": "0.6"})
    comparison = load_workbook(tmp_path / "out" / "budget-comparison.xlsx")["Comparison"]
    header = [c.value for c in comparison[4]]
    assert header[3:] == ["small", "large"]


def test_bad_scenario_row_writes_nothing(tmp_path, capsys):
    csv = tmp_path / "runs.csv"
    csv.write_text("scenario,users,arpu\nok,2000,20\nbad,2000,-5\n")
    assert cli.main(["generate", "unit-economics", "--scenarios", str(csv), "-o", str(tmp_path / "out")]) == 2
    assert "line 3, scenario 'bad': arpu must be > 0, got -5" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_templates_lists_inputs(capsys):
    assert cli.main(["templates"]) == 0
    listing = capsys.readouterr().out
    for name in ("budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics"):
        assert name in listing
    assert cli.main(["templates", "budget"]) == 0
    detail = capsys.readouterr().out
    assert "mfu" in detail and "default 0.4" in detail and "[fraction]" in detail


def test_every_command_is_documented():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert command.description, name
        assert name in cli.EPILOG
    assert run("--help").returncode == 0


# --- costlib simulate ------------------------------------------------------------------------

SIM = ["simulate", "budget", "--range", "mfu=30%:40%:50%", "--range", "utilization=10%:20%:40%", "-n", "2000"]


def load_template_budget():
    return load_template("budget")


def test_simulate_prints_and_writes_the_librarys_percentiles(tmp_path, capsys):
    import costlib

    out, draws = tmp_path / "ranges.csv", tmp_path / "draws.csv"
    assert cli.main([*SIM, "--seed", "4", "--csv", str(out), "--samples", str(draws)]) == 0
    printed = capsys.readouterr().out
    sim = costlib.simulate("budget", {"mfu": ("30%", "40%", "50%"), "utilization": ("10%", "20%", "40%")},
                           n=2000, seed=4, outputs=load_template_budget().key_numbers)
    lines = out.read_text().splitlines()
    assert lines[0] == "output,unit,P10,P50,P90"
    assert len(lines) == 1 + len(sim.outputs)
    for line in lines[1:]:  # the same numbers, to the last digit: the command calls the library
        name, unit, *p = line.split(",")
        assert [float(v) for v in p] == sim.percentiles.loc[name].tolist() and unit == sim.units[name]
        assert name in printed
    assert "2,000 draws, seed 4" in printed and "P10" in printed
    samples = draws.read_text().splitlines()
    assert len(samples) == 1 + 2000 and samples[0].startswith("draw,mfu,utilization,")


@pytest.mark.parametrize("args, message", [
    (["--range", "mfuu=1:2:3"], "--range: 'mfuu' is not an input of the budget template; closest: mfu"),
    (["--range", "mfu=50%:40%:60%"], "--range mfu must have low <= base <= high, got low 0.5, base 0.4, high 0.6"),
    (["--range", "mfu=30%:40%:140%"], "--range mfu high: mfu must be in (0, 1], got 1.4"),
    (["--range", "mfu=0.3:0.5"], "--range must be NAME=LOW:BASE:HIGH, such as mfu=30%:40%:50%, got 'mfu=0.3:0.5'"),
    (["--range", "mfu=0.4"], "a single value is --set NAME=VALUE"),
    (["--range", "gpu=A100:H100:B200"], "--range gpu: gpu is a catalogue accelerator name"),
    (["--range", "months=12:24:36"], "--range months: months sets the template's timeline"),
    (["--range", "mfu=0.3:0.4:0.5", "-n", "0"], "-n must be >= 1, got 0"),
    (["--range", "mfu=0.3:0.4:0.5", "-n", "many"], "-n must be a number, got text 'many'"),
    (["--range", "mfu=0.3:0.4:0.5", "--set", "mfu=0.4"], "--range mfu and --set (or --config) mfu both set mfu"),
    (["--range", "mfu=0.3:0.4:0.5", "--output", "decision"], "--output: decision is text (a sentence)"),
    (["--set", "mfu_low=0.45"], "--set (or --config) mfu_low <= mfu <= mfu_high must hold"),
])
def test_simulate_bad_input_exits_2_in_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "never.csv"
    assert cli.main(["simulate", "budget", *args, "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_simulate_without_a_range_draws_the_templates_declared_ranges(tmp_path, capsys):
    import costlib

    out = tmp_path / "ranges.csv"
    assert cli.main(["simulate", "finetune-vs-prompt", "-n", "500", "--set", "finetune_cost=30000", "--csv",
                     str(out)]) == 0
    printed = capsys.readouterr().out
    assert "over the ranges the template declares" in printed
    assert "finetune_cost 10000/30000/100000" in printed  # the TOML's range [10000, 100000], the base as set
    sim = costlib.simulate("finetune-vs-prompt", n=500, fixed={"finetune_cost": 30000},
                           outputs=load_template("finetune-vs-prompt").key_numbers)
    for line in out.read_text().splitlines()[1:]:  # the command calls the library with the same ranges
        name, _, *p = line.split(",")
        assert [float(v) for v in p] == sim.percentiles.loc[name].tolist()


def test_simulate_without_a_range_on_a_template_with_none_says_so(tmp_path, capsys):
    from pathlib import Path

    plan = Path(__file__).parent / "data" / "my-serving-plan.toml"
    certain = tmp_path / "certain.toml"
    certain.write_text("".join(line for line in plan.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not line.startswith(("range = ", "downside"))), encoding="utf-8")
    assert cli.main(["simulate", str(certain)]) == 2
    assert "declares no uncertain input: give at least one --range NAME=LOW:BASE:HIGH" in capsys.readouterr().err


def test_simulate_refuses_to_replace_a_file_without_force(tmp_path, capsys):
    out = tmp_path / "ranges.csv"
    out.write_text("my own notes\n")
    assert cli.main([*SIM, "--csv", str(out)]) == 2
    assert "--csv " + str(out) + " exists; nothing was written" in capsys.readouterr().err
    assert out.read_text() == "my own notes\n"
    assert cli.main([*SIM, "--csv", str(out), "--force"]) == 0
    assert out.read_text().startswith("output,unit,P10,P50,P90\n")


def test_simulate_shows_progress_on_a_large_run_only(capsys, monkeypatch):
    assert cli.main(SIM) == 0
    assert "draws:" not in capsys.readouterr().err  # not a terminal, not a large run: quiet
    monkeypatch.setattr(cli, "LARGE_RUN", 1000)
    assert cli.main(SIM) == 0
    assert "budget draws:" in capsys.readouterr().err  # the progress bar, on stderr


def test_a_comparison_holds_one_currency(tmp_path, capsys):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("scenario,currency,users\na,USD,1000\nb,EUR,2000\n", encoding="utf-8")
    assert cli.main(["generate", "unit-economics", "--scenarios", str(mixed), "-o", str(tmp_path / "out")]) == 2
    assert "currency must be the same in every scenario of one comparison" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written
    euro = tmp_path / "euro.csv"
    euro.write_text("scenario,currency,users\na,EUR,1000\nb,EUR,2000\n", encoding="utf-8")
    assert cli.main(["generate", "unit-economics", "--scenarios", str(euro), "-o", str(tmp_path / "eur")]) == 0
    ws = load_workbook(tmp_path / "eur" / "unit-economics-comparison.xlsx")["Comparison"]
    units = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
    assert "EUR" in units and "USD" not in units  # the comparison's units are the plan's currency


@pytest.mark.slow
def test_listing_templates_and_help_load_no_heavy_library():
    # the start-up goal (README, bench/startup.py: <= 0.3 s): listing the templates loads neither numpy, pandas
    # nor openpyxl (one template's inputs, `costlib templates budget`, checks its defaults and loads the engine)
    code = ("import sys; from costlib.cli import main; main(['templates']); "
            "print(sorted(m for m in ('numpy', 'pandas', 'openpyxl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"

"""The ``costlib`` command: budget workbooks from templates.

Each command parses its arguments, calls the library, and turns the library's errors
into one clean line on stderr with exit status 2. Heavy libraries (openpyxl, pandas)
load only inside the command that needs them, so ``costlib --help`` starts at once.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Sequence

EXIT_BAD_INPUT = 2

EPILOG = """examples:
  costlib generate budget
      write workbooks/budget.xlsx from the budget template's defaults
  costlib generate budget -o plans/q3.xlsx --set params=8e9 --set utilization=60%
  costlib generate budget --config my-inputs.toml --set months=60
  costlib generate budget --scenarios scenarios.csv -o out/
      one workbook per CSV row (columns named as inputs; an optional 'scenario'
      column names the files) plus out/budget-comparison.xlsx
  costlib templates            list the templates
  costlib templates budget     every input of one template: default, unit, meaning
  costlib scan model.xlsx      every cell of your model that calls a costlib function
  costlib freeze model.xlsx -o shared.xlsx    those cells as values, for anyone
  costlib inline model.xlsx -o shared.xlsx    those cells as native Excel formulas
  costlib lite -o lite/        xlwings Lite's main.py and requirements.txt, costlib inside
"""


def _parse_set(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise _usage(f"--set must be NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


class _UsageError(Exception):
    pass


def _usage(message: str) -> _UsageError:
    return _UsageError(message)


def _read_config(path: str) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _usage(f"--config {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _usage(f"--config {path} must be TOML: {exc}") from None
    inputs = data.get("inputs", data)
    if not isinstance(inputs, dict) or any(isinstance(v, dict) for v in inputs.values()):
        raise _usage(f"--config {path} must hold NAME = VALUE lines, at the top or under [inputs]")
    return inputs


def _read_scenarios(path: str) -> list[tuple[str, dict[str, str]]]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise _usage(f"--scenarios {path}: {exc.strerror}") from None
    if not rows:
        raise _usage(f"--scenarios {path} must have a header row and at least one scenario row")
    out = []
    for i, row in enumerate(rows, start=1):
        name = (row.pop("scenario", None) or f"scenario-{i}").strip()
        values = {k.strip(): v.strip() for k, v in row.items() if k is not None and v not in (None, "")}
        out.append((name, values))
    return out


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "scenario"


def cmd_generate(args: argparse.Namespace) -> int:
    from .errors import CostlibError
    from .workbook import generate, load_template, render
    from .workbook.files import write_workbook

    template = load_template(args.template)
    overrides: dict[str, Any] = {}
    if args.config:
        overrides.update(_read_config(args.config))
    sets = _parse_set(args.set or [])
    if not args.scenarios:
        overrides.update(sets)
        out = Path(args.output or f"workbooks/{template.name}.xlsx")
        if out.suffix.lower() != ".xlsx":
            raise _usage(f"-o must name an .xlsx file, got {str(out)!r}")
        status = generate(template, overrides, out, force=args.force)
        print(f"{status}: {out}")
        return 0

    from .models import schedule
    from .workbook.writer import comparison_bytes

    scenarios = _read_scenarios(args.scenarios)
    outdir = Path(args.output or "workbooks/scenarios")
    if outdir.suffix.lower() == ".xlsx":
        raise _usage(f"with --scenarios, -o must name a folder, got {str(outdir)!r}")
    # compute every scenario (the template's own formulas, a user's template included) before
    # writing any file, so a bad row stops the batch with nothing written
    computed = []
    for name, row in scenarios:
        merged = {**overrides, **row, **sets}
        try:
            computed.append((name, merged, schedule(template, merged)))
        except CostlibError as exc:
            raise type(exc)(f"scenario {name!r}: {exc}") from None
    from tqdm import tqdm

    names = [_safe_name(n) for n, _, _ in computed]
    if len(set(names)) != len(names):
        raise _usage("--scenarios: scenario names must be unique after making them file names")
    schedules = []
    for (name, merged, result), safe in tqdm(list(zip(computed, names)), desc=f"{template.name} workbooks",
                                              unit="wb", file=sys.stderr):
        write_workbook(render(template, merged), outdir / f"{template.name}-{safe}.xlsx", force=args.force)
        schedules.append((name, result))
    print_count = len(computed)
    comparison = outdir / f"{template.name}-comparison.xlsx"
    write_workbook(comparison_bytes(template, schedules), comparison, force=args.force)
    print(f"wrote {print_count} workbooks and {comparison}")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .workbook.template import load_template, template_names

    names = [args.name] if args.name else template_names()
    for name in names:
        t = load_template(name)
        print(f"{t.name}: {t.title}")
        if not args.name:
            print(f"    {t.description}")
            continue
        print(f"    {t.description}\n")
        width = max(len(i.name) for i in t.inputs)
        for i in t.inputs:
            default = f"{i.default:g}" if isinstance(i.default, (int, float)) else str(i.default)
            print(f"  {i.name:<{width}}  default {default:<16} [{i.unit}]  {i.label}; {i.describe_rule()}")
        outputs = [n for s in t.sheets for n in [it.name for it in s.items]]
        print(f"\n  outputs (defined names): {', '.join(outputs)}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """List every cell that calls a costlib function: formula, stored value, costlib's value, stale."""
    from .models_in_excel import scan

    calls = scan(args.model)
    for c in calls:
        state = "unknown" if c.stale is None else ("STALE" if c.stale else "fresh")
        print(f"{c.sheet}!{c.cell}\t={c.formula}\tstored {c.stored!r}\tcostlib {c.computed!r}\t{state}"
              + (f"\t{c.note}" if c.note else ""))
    print(f"{len(calls)} cells call costlib functions; {sum(bool(c.stale) for c in calls)} stale", file=sys.stderr)
    return 0


def _rewrite_command(args: argparse.Namespace, action) -> int:
    done = action(args.model, args.output)
    for call, what in done:
        print(f"{call.sheet}!{call.cell}\t={call.formula}\t{what}")
    print(f"wrote {args.output}: {len(done)} cells", file=sys.stderr)
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    """Write a copy whose costlib cells hold their values, plus a sheet listing each one."""
    from .models_in_excel import freeze

    return _rewrite_command(args, freeze)


def cmd_inline(args: argparse.Namespace) -> int:
    """Write a copy whose costlib calls are native Excel formulas; calls without one are frozen."""
    from .models_in_excel import inline

    return _rewrite_command(args, inline)


def cmd_lite(args: argparse.Namespace) -> int:
    """Write a self-contained xlwings Lite main.py and requirements.txt into a folder."""
    from .lite import write

    for path in write(args.output):
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="costlib", description="Price large language models in Excel: budget workbooks with training "
                                    "capex and inference opex on separate rows.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"costlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gen = sub.add_parser("generate", help="write a workbook from a template",
                         description="Write a workbook from a template. Inputs come from the template's "
                                     "defaults, then --config, then each --set.",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    gen.add_argument("template", help="template name (see 'costlib templates') or a .toml path")
    gen.add_argument("-o", "--output", help="output .xlsx (default workbooks/TEMPLATE.xlsx); with "
                                            "--scenarios, a folder")
    gen.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="set one input; repeatable; 60%% is read as 0.6")
    gen.add_argument("--config", metavar="FILE", help="TOML file of NAME = VALUE inputs (top level or [inputs])")
    gen.add_argument("--scenarios", metavar="FILE.csv", help="CSV: one workbook per row, plus a comparison")
    gen.add_argument("--force", action="store_true",
                     help="replace an existing file even if it was edited since costlib wrote it")
    gen.set_defaults(run=cmd_generate)

    tpl = sub.add_parser("templates", help="list templates, or one template's inputs",
                         description="List the templates; with a NAME, every input with default, unit and meaning.")
    tpl.add_argument("name", nargs="?", help="a template name")
    tpl.set_defaults(run=cmd_templates)

    # costlib functions inside a user's own model (costlib.models_in_excel)
    scan = sub.add_parser("scan", help="list the cells of a model that call costlib functions",
                          description="List every cell of MODEL that calls a costlib Excel function: sheet, "
                                      "cell, formula, the value stored in the file, the value costlib computes "
                                      "now, and whether the stored one is stale. Example: costlib scan model.xlsx")
    scan.add_argument("model", help="an .xlsx or .xlsm workbook")
    scan.set_defaults(run=cmd_scan)
    for name, run, what in (("freeze", cmd_freeze, "hold their values"),
                            ("inline", cmd_inline, "become native Excel formulas (calls without one are frozen)")):
        cmd = sub.add_parser(name, help=f"write a copy whose costlib cells {what}",
                             description=f"Write a copy of MODEL whose costlib cells {what}, plus a sheet listing "
                                         f"each cell with its original formula; every other part of the file is "
                                         f"copied byte for byte. Example: costlib {name} model.xlsx -o shared.xlsx")
        cmd.add_argument("model", help="an .xlsx or .xlsm workbook (never written over)")
        cmd.add_argument("-o", "--output", required=True, help="the copy to write")
        cmd.set_defaults(run=run)
    lite = sub.add_parser("lite", help="write xlwings Lite's main.py and requirements.txt, costlib inside",
                          description="Write DIR/main.py (costlib's engine, catalogue and Excel functions in one "
                                      "file) and DIR/requirements.txt, to paste into xlwings Lite: no wheel to "
                                      "host. Example: costlib lite -o lite/")
    lite.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into")
    lite.set_defaults(run=cmd_lite)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    from .errors import CostlibError

    try:
        return args.run(args)
    except _UsageError as exc:
        print(f"costlib: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CostlibError as exc:
        print(f"costlib: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

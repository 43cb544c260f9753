"""The ``costlib`` command: budget workbooks from templates.

Each command parses its arguments, calls the library, and turns the library's errors
into one clean line on stderr with exit status 2. Heavy libraries (openpyxl, pandas)
load only inside the command that needs them (the imports inside the commands), so
``costlib --help`` starts at once.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import difflib
import io
import re
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .errors import CostlibError, InputError, TemplateError  # light: no numpy
from .numbers import european_text  # light too

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_PARTIAL = 1  # freeze/inline wrote the copy but left some costlib cells as they were (see --partial)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

EPILOG = """examples:
  costlib generate budget
      write workbooks/budget.xlsx from the budget template's defaults
  costlib generate budget -o plans/q3.xlsx --set params=8e9 --set utilization=60%
  costlib generate budget --config my-inputs.toml --set months=60
  costlib generate budget --scenarios scenarios.csv -o out/
      one workbook per CSV row (columns named as inputs; an optional 'scenario'
      column names the files, and downside, base or upside there selects that
      scenario) plus out/budget-comparison.xlsx
  costlib templates            list the templates
  costlib templates budget     every input of one template: default, unit, meaning
  costlib scan model.xlsx      every cell of your model that calls a costlib function
  costlib freeze model.xlsx -o shared.xlsx    those cells as values, for anyone
  costlib inline model.xlsx -o shared.xlsx    those cells as native Excel formulas
  costlib lite -o lite/        xlwings Lite's main.py and requirements.txt, costlib inside
  costlib prices claude --date 2026-03-31    API models and their prices on a day (genai-prices)
  costlib simulate budget --range mfu=30%:40%:50% --range utilization=10%:20%:40% -n 100000 --csv ranges.csv
      P10/P50/P90 of the budget's key outputs with MFU and utilisation uncertain (PERT;
      --dist triangular), written to ranges.csv; --samples FILE writes every draw
  costlib simulate finetune-vs-prompt
      without --range: every input the template declares uncertain, over its sourced range
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


def _read_text(path: str, what: str) -> str:
    """A text file as Excel and editors save it: UTF-8 (with or without BOM), UTF-16 or Windows-1252.

    The byte-order mark decides first; then strict UTF-8 (which nearly never decodes text
    in another encoding by accident); UTF-16 without a mark shows as NUL bytes beside ASCII;
    what is left is read as Windows-1252, Excel's "CSV" on Western Windows, or refused.
    """

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _usage(f"{what} {path}: {exc.strerror or exc}") from None
    if data.startswith(b"PK\x03\x04"):
        raise _usage(f"{what} {path} is an Excel workbook or another zip file, not text; save it as "
                     f"{'CSV' if what == '--scenarios' else 'TOML text'}")
    boms = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
            (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    encoding, body = None, data
    for bom, name in boms:
        if data.startswith(bom):
            encoding, body = name, data[len(bom):]
            break
    if encoding is None:
        zeros_even, zeros_odd = data[0::2].count(0), data[1::2].count(0)
        if len(data) >= 2 and max(zeros_even, zeros_odd) > len(data) // 4:
            encoding = "utf-16-be" if zeros_even > zeros_odd else "utf-16-le"
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for name in candidates:
        try:
            text = body.decode(name)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            raise _usage(f"{what} {path} holds NUL characters: it is not a text file")
        return text
    raise _usage(f"{what} {path} is not text in UTF-8, UTF-16 or Windows-1252 (byte 0x{body[error.start]:02x} at "
                 f"position {error.start}); save it as UTF-8")


def _read_config(path: str) -> dict[str, Any]:

    try:
        data = tomllib.loads(_read_text(path, "--config"))
    except tomllib.TOMLDecodeError as exc:
        raise _usage(f"--config {path} must be TOML (NAME = VALUE lines): {exc}") from None
    inputs = {k: v for k, v in data.items() if k != "inputs"}
    table = data.get("inputs", {})
    if not isinstance(table, dict):
        raise _usage(f"--config {path}: inputs must be a table ([inputs]), got {type(table).__name__}")
    for name, value in table.items():
        if name in inputs:
            raise _usage(f"--config {path} sets {name} twice, at the top and under [inputs]; keep one")
        inputs[name] = value
    for name, value in inputs.items():
        if isinstance(value, dict):
            raise _usage(f"--config {path}: [{name}] is a table; the file must hold NAME = VALUE lines, at the "
                         "top or under [inputs]")
    return inputs


def _read_scenarios(path: str, template) -> tuple[list[str], list[tuple[int, str, dict[str, str]]]]:
    """The columns and rows of a scenario file: (line, name, {input: text}) for each scenario.

    A ``scenario`` column names the files; where it says downside, base or upside (any case)
    and the template has uncertain inputs, it selects that scenario as well.
    """
    from .plan.template import SCENARIO, SCENARIOS

    text = _read_text(path, "--scenarios")
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines = []
    try:
        for row in reader:
            lines.append(row)
    except csv.Error as exc:
        raise _usage(f"--scenarios {path} is not a readable CSV file: line {reader.line_num}: {exc}") from None
    numbered = [(i, row) for i, row in enumerate(lines, start=1) if any(cell.strip() for cell in row)]
    if len(numbered) < 2:
        raise _usage(f"--scenarios {path} must have a header row and at least one scenario row")
    header_line, header = numbered[0]
    header = [h.strip() for h in header]
    width = len(header)
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1].strip()
                                             for _, r in numbered[1:]):
        header.pop()  # an empty last column, as spreadsheets export one
    for j, h in enumerate(header, start=1):
        if not h:
            raise _usage(f"--scenarios {path}: column {j} of the header has no name; name it after an input")
    lowered = [h.lower() for h in header]
    for h in header:
        if lowered.count(h.lower()) > 1:
            raise _usage(f"--scenarios {path}: the column {h!r} appears twice in the header; keep one")
    inputs = {i.name: i for i in template.inputs}
    name_col = lowered.index("scenario") if "scenario" in lowered else None
    for j, h in enumerate(header):
        if j != name_col and h not in inputs:

            close = difflib.get_close_matches(h, list(inputs), n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else f"; inputs are {', '.join(inputs)}"
            raise _usage(f"--scenarios {path}: the column {h!r} is not an input of the {template.name} template"
                         f"{hint} (a 'scenario' column names the files; downside, base or upside there also selects "
                         "that scenario)")
    rows = []
    for count, (line, row) in enumerate(numbered[1:], start=1):
        cells = [c.strip() for c in row]
        if len(cells) > len(header) and any(cells[len(header):]):
            raise _usage(f"--scenarios {path} line {line}: {len(cells)} values but the header names "
                         f"{len(header)} columns{'' if width == len(header) else ''}; quote values that hold "
                         f"'{delimiter}', or name the extra columns")
        cells += [""] * (len(header) - len(cells))
        name = cells[name_col] if name_col is not None and cells[name_col] else f"scenario-{count}"
        values = {}
        if name_col is not None and name.lower() in SCENARIOS and SCENARIO in inputs:
            values[SCENARIO] = name.lower()  # downside, base or upside: the name selects the scenario too
        for h, cell in zip(header, cells):
            if h == header[name_col] if name_col is not None else False:
                continue
            if cell:
                if delimiter == ";" and inputs[h].type in ("number", "integer"):
                    cell = european_text(cell, h, f"--scenarios {path} line {line}")
                values[h] = cell
        rows.append((line, name, values))
    return [h for j, h in enumerate(header) if j != name_col], rows


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "scenario"


def _scenario_files(path: str, template, rows) -> list[str]:
    """File-name parts of the scenarios; refuses names that collide, even in case, or are reserved."""
    seen: dict[str, str] = {}
    names = []
    for line, name, _ in rows:
        where = f"--scenarios {path} line {line}"
        if re.search(r"[\x00-\x1f\x7f]", name):
            raise _usage(f"{where}: the scenario name {name!r} holds a control character")
        if len(name) > 100:
            raise _usage(f"{where}: the scenario name must be at most 100 characters, got {len(name)}")
        safe = _safe_name(name)
        key = safe.lower()
        if key == "comparison":
            raise _usage(f"{where}: the scenario name {name!r} is reserved: {template.name}-comparison.xlsx is the "
                         "comparison workbook; rename the scenario")
        if key in seen:
            raise _usage(f"{where}: the scenario name {name!r} gives the same file as {seen[key]!r} "
                         f"({template.name}-{safe}.xlsx; names are compared ignoring case, as Windows and macOS "
                         "do); make the names differ in letters or digits")
        seen[key] = name
        names.append(safe)
    return names


def _output(args: argparse.Namespace, default: str) -> Path:
    """The path the user typed with -o, else ``default``: a folder of the project and the template's file stem,
    which the template's check has made safe (no separator, no '..', not absolute, no device name)."""
    if args.output is None:
        path = Path(default)
        if path.is_absolute() or ".." in path.parts or len(path.parts) != 2:
            raise _usage(f"the template's name must be a plain file name, got the path {default!r}; pass -o")
        return path
    if not args.output.strip():
        raise _usage("-o must name " + ("a folder" if args.scenarios else "an .xlsx file") + ", got ''")
    return Path(args.output)


#: Scenario workbooks from which a batch shows its progress even where stderr is not a terminal (a log)
LARGE_BATCH = 100

# what a batch has written so far, for the one line an interrupted run prints
_progress: dict[str, Any] = {}


def _load_template(name: str):
    """A packaged or a user's template; a user's file that breaks the format says so in one line."""
    from .plan import load_template

    try:
        return load_template(name)
    except CostlibError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:  # a broken template of a user's
        raise TemplateError(f"template {name} does not follow the template format "
                            f"(docs/templates.md): {type(exc).__name__}: {exc}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    from .workbook import generate
    from .workbook.files import locked, write_workbook

    template = _load_template(args.template)
    overrides: dict[str, Any] = {}
    if args.config:
        overrides.update(_read_config(args.config))
    sets = _parse_set(args.set or [])
    if not args.scenarios:
        overrides.update(sets)
        out = _output(args, f"workbooks/{template.name}.xlsx")
        if out.suffix.lower() != ".xlsx":
            raise _usage(f"-o must name an .xlsx file, got {str(out)!r}")
        with locked([out]):
            status = generate(template, overrides, out, force=args.force)
        print(f"{status}: {out}")
        return 0

    from .plan import schedule
    from .workbook.files import OutputError, is_unedited
    from .workbook.writer import build_workbook, comparison_bytes, workbook_bytes

    columns, scenarios = _read_scenarios(args.scenarios, template)
    both = sorted(set(columns) & set(sets))
    if both:
        raise _usage(f"--set {both[0]} and the column {both[0]} of {args.scenarios} both set {both[0]}; drop one "
                     "(the column sets it per scenario)")
    outdir = _output(args, "workbooks/scenarios")
    if outdir.suffix.lower() == ".xlsx" or (outdir.exists() and not outdir.is_dir()):
        raise _usage(f"with --scenarios, -o must name a folder, got {str(outdir)!r}")
    safe_names = _scenario_files(args.scenarios, template, scenarios)
    # every scenario is resolved and computed first (the template's own formulas, a user's template included)
    # and every target checked, so a bad row or an edited file stops the batch with nothing written; then
    # each workbook is rendered and written as soon as it is done, with progress, never all held at once
    schedules = []
    for (line, name, row), safe in zip(scenarios, safe_names):
        merged = {**overrides, **row, **sets}
        try:
            schedules.append((name, schedule(template, merged)))
        except CostlibError as exc:
            raise type(exc)(f"--scenarios {args.scenarios} line {line}, scenario {name!r}: {exc}") from None
    comparison = comparison_bytes(template, schedules)
    targets = [outdir / f"{template.name}-{safe}.xlsx" for safe in safe_names]
    targets.append(outdir / f"{template.name}-comparison.xlsx")
    from tqdm import tqdm

    with locked(targets):
        edited = []
        for target in targets:
            if target.is_dir():
                raise OutputError(f"cannot write {target}: it is a folder; name an .xlsx file inside it")
            if target.exists() and not args.force and not is_unedited(target):
                edited.append(target.name)
        if edited:
            raise _usage(f"{len(edited)} of the {len(targets)} files in {outdir} exist and are not unedited costlib "
                         f"workbooks (they may hold your changes): {', '.join(edited[:5])}"
                         f"{', ...' if len(edited) > 5 else ''}; nothing was written; choose another -o folder or "
                         "pass --force to replace them")
        _progress.update(folder=str(outdir), total=len(targets), written=[])
        with tqdm(total=len(targets), desc=f"{template.name} workbooks", unit="wb", file=sys.stderr,
                  disable=not (sys.stderr.isatty() or len(targets) >= LARGE_BATCH),
                  mininterval=0.5 if sys.stderr.isatty() else 10.0) as bar:
            for (name, sched), target in zip(schedules, targets):
                data = workbook_bytes(build_workbook(template, sched.inputs, schedule=sched))
                write_workbook(data, target, force=args.force)
                _progress["written"].append(target.name)
                bar.update(1)
            write_workbook(comparison, targets[-1], force=args.force)
            _progress["written"].append(targets[-1].name)
            bar.update(1)
    _progress.clear()
    files = targets
    print(f"wrote {len(files) - 1} workbooks and {files[-1]}")
    return 0


#: Draws from which a run shows its progress even where stderr is not a terminal (a log)
LARGE_RUN = 1_000_000


def _parse_ranges(pairs: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """``--range NAME=LOW:BASE:HIGH`` as name -> the three values as typed (the template reads them)."""
    out: dict[str, tuple[str, str, str]] = {}
    for pair in pairs:
        name, sep, spec = pair.partition("=")
        name = name.strip()
        parts = [part.strip() for part in spec.split(":")]
        if not sep or not name or len(parts) != 3 or not all(parts):
            hint = "; a single value is --set NAME=VALUE" if sep and name and len(parts) == 1 and parts[0] else ""
            raise _usage(f"--range must be NAME=LOW:BASE:HIGH, such as mfu=30%:40%:50%, got {pair!r}{hint}")
        if name in out:
            raise _usage(f"--range {name} is given twice; keep one")
        out[name] = (parts[0], parts[1], parts[2])
    return out




#: simulate's parameters as this command's options
_OPTIONS = {"ranges": "--range", "outputs": "--output", "n": "-n", "fixed": "--set"}


def _as_options(exc: CostlibError) -> str:
    """A simulate error as the command's user reads it: ``ranges['mfu']`` is ``--range mfu``."""
    if not isinstance(exc, InputError) or exc.parameter not in _OPTIONS:
        return str(exc)
    option = _OPTIONS[exc.parameter]
    place = option if exc.key is None else f"{option} {exc.key}"
    return exc.worded(place, instead=_OPTIONS.get(exc.instead))


def _figure(value: float) -> str:
    """A percentile as a table shows it: thousands separated, four significant digits below 1,000."""
    if value != value:
        return "n/a"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if abs(value) >= 1e15:  # engineering form: 150e15, never 17 digits or 1.5e+17
        from .numbers import engineering

        return engineering(float(f"{value:.4g}"))
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.4g}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _csv_bytes(rows: list[list[Any]]) -> bytes:

    def cell(value: Any) -> Any:  # text a spreadsheet would run as a formula stays text (a template's unit, say)
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            try:
                float(value)
            except ValueError:
                return "'" + value
        return value

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([[cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def cmd_simulate(args: argparse.Namespace) -> int:
    """Draw the uncertain inputs of a template and print P10/P50/P90 of its key outputs."""
    from . import simulate  # the function (costlib keeps the name for it)
    from .workbook.files import locked, write_workbook
    from .plan import parse_number, show_number
    from .uncertainty import MAX_DRAWS
    template = _load_template(args.template)
    fixed: dict[str, Any] = {}
    if args.config:
        fixed.update(_read_config(args.config))
    fixed.update(_parse_set(args.set or []))
    ranges: dict[str, Any] = _parse_ranges(args.range or [])
    declared = not ranges
    if declared:  # the template's own sourced ranges, as its workbook draws them
        from .uncertainty import declared_ranges, held

        try:
            ranges = declared_ranges(template, fixed)
            fixed = held(fixed, ranges)  # a base or an end set with --set is the range's
        except InputError as exc:
            if exc.argument != "ranges":
                raise _usage(f"--set (or --config) {exc}") from None
            raise _usage(f"{template.name} declares no uncertain input: give at least one --range "
                         f"NAME=LOW:BASE:HIGH (costlib templates {template.name} lists the inputs)") from None
    both = sorted(set(ranges) & set(fixed))
    if both:
        raise _usage(f"--range {both[0]} and --set (or --config) {both[0]} both set {both[0]}; drop one")
    draws, _ = parse_number("-n", args.n)
    if not draws.is_integer():  # checked before any progress is drawn
        raise _usage(f"-n must be a whole number of draws, got {show_number(draws)}")
    if draws < 1:
        raise _usage(f"-n must be >= 1, got {show_number(draws)}")
    if draws > MAX_DRAWS:
        raise _usage(f"-n must be at most {MAX_DRAWS:,} draws (their samples must fit in memory), got "
                     f"{show_number(draws)}")
    for flag, path in (("--csv", args.csv), ("--samples", args.samples)):
        if path is not None and not path.strip():
            raise _usage(f"{flag} must name a .csv file, got ''")
    targets = {flag: Path(path) for flag, path in (("--csv", args.csv), ("--samples", args.samples)) if path}
    if len({t.resolve() for t in targets.values()}) < len(targets):
        raise _usage("--csv and --samples name the same file; give each its own")
    for flag, target in targets.items():  # refuse before a long run, not after it
        if not str(target).strip() or target.is_dir():
            raise _usage(f"{flag} must name a .csv file, got {str(target)!r}")
        if target.exists() and not args.force:
            raise _usage(f"{flag} {target} exists; nothing was written; choose another file or pass --force to "
                         "replace it")
    outputs = args.output or template.key_numbers

    from tqdm import tqdm

    bar = tqdm(total=max(int(draws), 0), unit="draw",
               desc=f"{template.name} draws", file=sys.stderr, disable=not (sys.stderr.isatty() or draws >= LARGE_RUN),
               mininterval=0.5 if sys.stderr.isatty() else 10.0, leave=False)

    def progress(done: int, n: int) -> None:
        bar.update(done - bar.n)

    try:
        sim = simulate(template, ranges, n=draws, seed=args.seed, outputs=outputs, fixed=fixed, dist=args.dist,
                       progress=progress)
    except CostlibError as exc:  # the library's argument names as the command's options
        raise _usage(_as_options(exc)) from None
    finally:
        bar.close()
    spread = ", ".join(f"{name} {'/'.join(v if isinstance(v, str) else show_number(v) for v in ranges[name])}"
                       for name in sim.inputs)
    print(f"{template.name}: {sim.n:,} draws, seed {sim.seed}, {args.dist}"
          f"{' over the ranges the template declares' if declared else ''}: {spread}")
    table = [["output", "unit", "P10", "P50", "P90"]]
    table += [[name, sim.units[name], *(_figure(v) for v in sim.percentiles.loc[name])] for name in sim.outputs]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        print("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    failed = [label for label, ok in sim.checks.items() if not ok]
    if failed:
        print(f"checks that fail in some draws: {'; '.join(failed)}", file=sys.stderr)
    files = []
    if "--csv" in targets:
        rows = [["output", "unit", "P10", "P50", "P90"]]
        rows += [[name, sim.units[name], *(repr(float(v)) for v in sim.percentiles.loc[name])] for name in sim.outputs]
        files.append((targets["--csv"], _csv_bytes(rows)))
    if "--samples" in targets:
        files.append((targets["--samples"], sim.samples.to_csv(index_label="draw", lineterminator="\n")
                      .encode("utf-8")))
    with locked([target for target, _ in files]):
        for target, data in files:
            write_workbook(data, target, force=True)  # atomic; an existing file was refused above without --force
            print(f"wrote {target}", file=sys.stderr)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .plan import load_template, template_names
    from .numbers import short_number

    names = [args.name] if args.name else template_names()
    for name in names:
        # one template: checked whole, as generate checks it (names, sheets, formulas, its defaults against their
        # rules); the list: labels only
        t = _load_template(name) if args.name else load_template(name, formulas=False)
        if args.name:
            from .plan import resolve_inputs  # the engine loads for one template's defaults only, not for the list

            resolve_inputs(t)
        print(f"{t.name}: {t.title}")
        if not args.name:
            print(f"    {t.description}")
            continue
        print(f"    {t.description}\n")
        width = max(len(i.name) for i in t.inputs)
        for i in t.inputs:
            default = short_number(i.default) if isinstance(i.default, (int, float)) else str(i.default)
            uncertain = (f"; range {short_number(i.range[0])} to {short_number(i.range[1])}, downside at its "
                         f"{i.downside}: {i.downside_reason}" if i.range is not None else "")
            print(f"  {i.name:<{width}}  default {default:<16} [{i.unit}]  {i.label}; {i.describe_rule()}{uncertain}")
        outputs = [n for s in t.sheets for n in [it.name for it in s.items]]
        print(f"\n  outputs (defined names): {', '.join(outputs)}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """List every cell that calls a costlib function: formula, stored value, costlib's value, stale."""
    from .models_in_excel import scan

    calls = scan(args.model)
    for notice in calls.notices:
        print(f"costlib: note: {notice}", file=sys.stderr)
    for c in calls:
        state = "unknown" if c.stale is None else ("STALE" if c.stale else "fresh")
        form = "" if c.stored_as == "plain" else f"\tstored as {c.stored_as}"
        print(f"{c.sheet}!{c.cell}\t={c.formula}\tstored {c.stored!r}\tcostlib {c.computed!r}\t{state}"
              + form + (f"\t{c.note}" if c.note else ""))
    print(f"{len(calls)} cells call costlib functions; {sum(bool(c.stale) for c in calls)} stale; "
          f"{sum(c.reason is not None for c in calls)} cannot be evaluated from the file alone", file=sys.stderr)
    return 0


def _rewrite_command(args: argparse.Namespace, action) -> int:
    done = action(args.model, args.output, force=args.force)
    for notice in done.notices:
        print(f"costlib: note: {notice}", file=sys.stderr)
    for call, what in done:
        print(f"{call.sheet}!{call.cell}\t={call.formula}\t{what}")
    left = done.left
    print(f"wrote {args.output}: {len(done)} cells" + (f", {len(left)} left as they are" if left else ""),
          file=sys.stderr)
    if left and not args.partial:
        cells = ", ".join(f"{c.sheet}!{c.cell}" for c in left[:5]) + (", ..." if len(left) > 5 else "")
        print(f"costlib: error: {len(left)} costlib cells could not be evaluated from the file alone and were left "
              f"as they are ({cells}); pass --partial to accept that", file=sys.stderr)
        return EXIT_PARTIAL
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

    for path in write(args.output, force=args.force):
        print(f"wrote {path}")
    return 0


# --- costlib actuals: the bills (FOCUS) against the budget ----------------------------------

EPILOG += """  costlib actuals exports/2025-*.csv --budget budget --config plan.toml -o variance.xlsx
      the AI rows of FOCUS billing exports against the budget: variance, bridge, re-forecast
"""


def _parse_rates(pairs: Sequence[str]) -> dict[str, float]:
    rates = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        try:
            rates[code.strip().upper()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not code.strip():
            raise _usage(f"--rate must be CODE=RATE (units of the budget's currency per unit of CODE), got {pair!r}")
    return rates


def cmd_actuals(args: argparse.Namespace) -> int:
    from .actuals import actuals
    from .workbook.files import locked
    from .workbook.variance import write_variance

    template = _load_template(args.budget)
    overrides: dict[str, Any] = {}
    if args.config:
        overrides.update(_read_config(args.config))
    overrides.update(_parse_set(args.set or []))
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise _usage(f"-o must name an .xlsx file, got {str(out)!r}")
    try:
        result = actuals(args.billing, template, overrides, rates=_parse_rates(args.rate or []),
                         duplicates=args.duplicates)
    except InputError as exc:  # the library's argument names as the command's options
        option = {"duplicates": "--duplicates drop or keep",
                  "rates": f"--rate {exc.key or 'CODE'}=RATE"}.get(exc.instead or "")
        raise type(exc)(exc.worded(instead=option), argument=exc.argument) from None
    with locked([out]):
        status = write_variance(result, out, force=args.force)
    print(result.story)
    checks = "all checks pass" if all(result.checks.values()) else "A CHECK FAILS: see the Checks sheet"
    print(f"{status}: {out} ({checks})")
    return 0


def _add_actuals(sub) -> None:
    act = sub.add_parser("actuals", help="read FOCUS billing exports against a budget: the variance workbook",
                         description="Read the AI rows of FOCUS billing exports (CSV or Parquet, FOCUS 1.0 to 1.3) "
                                     "against a budget plan and write the variance workbook: budget, actual and "
                                     "variance by line and month and fiscal year to date, the bridge (volume, mix, "
                                     "price, timing), list against effective cost, a re-forecast, and checks that "
                                     "its totals equal the exports' sums to the cent. Example: costlib actuals "
                                     "exports/*.csv --budget budget --set start_date=2025-01 -o variance.xlsx")
    act.add_argument("billing", nargs="+", metavar="BILLING", help="FOCUS export files (.csv or .parquet)")
    act.add_argument("--budget", default="budget", metavar="PLAN",
                     help="the budget template (name or .toml path; default budget); its inputs from --config "
                          "and --set, as costlib generate takes them")
    act.add_argument("-o", "--output", required=True, help="the variance workbook to write (.xlsx)")
    act.add_argument("--set", action="append", metavar="NAME=VALUE", help="set one budget input; repeatable")
    act.add_argument("--config", metavar="FILE", help="TOML file of the budget's inputs (as costlib generate)")
    act.add_argument("--rate", action="append", metavar="CODE=RATE",
                     help="convert a billing currency at RATE units of the budget's currency per unit; repeatable")
    act.add_argument("--duplicates", choices=["refuse", "drop", "keep"], default="refuse",
                     help="rows identical in every column: refuse (default), drop all but one, or keep")
    act.add_argument("--force", action="store_true", help="replace the output even if it was edited")
    act.set_defaults(run=cmd_actuals)


def build_parser() -> argparse.ArgumentParser:
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
    for name, run, what in (("freeze", cmd_freeze, "hold the values costlib computes"),
                            ("inline", cmd_inline, "become native Excel formulas (calls without one are frozen)")):
        cmd = sub.add_parser(name, help=f"write a copy whose costlib cells {what}",
                             description=f"Write a copy of MODEL whose costlib cells {what}, plus a sheet listing "
                                         f"each cell with its original formula and what was done; every other part "
                                         f"of the file is copied byte for byte. A cell costlib cannot evaluate from "
                                         f"the file alone is left as it is and named (exit status 1 unless "
                                         f"--partial). Example: costlib {name} model.xlsx -o shared.xlsx")
        cmd.add_argument("model", help="an .xlsx or .xlsm workbook (never written over)")
        cmd.add_argument("-o", "--output", required=True, help="the copy to write (an .xlsm for a model with macros)")
        cmd.add_argument("--force", action="store_true", help="replace the output file if it exists")
        cmd.add_argument("--partial", action="store_true",
                         help="exit 0 even where some costlib cells are left as they are")
        cmd.set_defaults(run=run)
    lite = sub.add_parser("lite", help="write xlwings Lite's main.py and requirements.txt, costlib inside",
                          description="Write DIR/main.py (costlib's engine, catalogue and Excel functions in one "
                                      "file) and DIR/requirements.txt, to paste into xlwings Lite: no wheel to "
                                      "host. Example: costlib lite -o lite/")
    lite.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into")
    lite.add_argument("--force", action="store_true", help="replace a main.py or requirements.txt that is already in the folder")
    lite.set_defaults(run=cmd_lite)
    prices = sub.add_parser("prices", help="list and search API models with their prices and the date checked",
                            description="List the API models whose name contains TEXT, with input, cached input, "
                                        "cache write and output prices [USD per 1 M tokens] on a date, from the "
                                        "genai-prices data (offline; --refresh downloads the current data once). "
                                        "Example: costlib prices claude --provider anthropic --date 2026-03-31")
    prices.add_argument("text", nargs="?", default="", help="part of a model id or name (default: all)")
    prices.add_argument("--provider", help="a provider id, e.g. openai, anthropic, aws")
    prices.add_argument("--date", help="prices in force on this day, YYYY-MM-DD (default today)")
    prices.add_argument("--limit", type=int, default=50, help="at most this many models (default 50)")
    prices.add_argument("--refresh", action="store_true",
                        help="download the current genai-prices data first (network) and use it from now on")
    prices.set_defaults(run=cmd_prices)
    sim = sub.add_parser("simulate", help="P10/P50/P90 of a template's outputs with uncertain inputs",
                         description="Draw each --range input from LOW:BASE:HIGH (PERT, or --dist triangular) and "
                                     "print P10, P50 and P90 of the template's key outputs (the first sheet's "
                                     "numbers, or each --output) in their units; every draw is one evaluation "
                                     "of the template's formulas. Example: costlib simulate budget --range "
                                     "mfu=30%:40%:50% -n 100000 --csv ranges.csv",
                         epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sim.add_argument("template", help="template name (see 'costlib templates') or a .toml path")
    sim.add_argument("--range", action="append", metavar="NAME=LOW:BASE:HIGH",
                     help="an uncertain input, read as --set reads a value (30%%, 70B); repeatable")
    sim.add_argument("-n", "--draws", dest="n", default="10000", metavar="DRAWS",
                     help="how many draws (default 10000; 1e5 and 100k are read)")
    sim.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0): the same seed, the same "
                                                         "numbers")
    sim.add_argument("--dist", choices=["pert", "triangular"], default="pert",
                     help="distribution of each range (default pert)")
    sim.add_argument("--set", action="append", metavar="NAME=VALUE", help="hold one input at a value; repeatable")
    sim.add_argument("--config", metavar="FILE", help="TOML file of NAME = VALUE inputs held fixed")
    sim.add_argument("--output", action="append", metavar="NAME",
                     help="an item to report (repeatable; default the first sheet's numbers)")
    sim.add_argument("--csv", metavar="FILE", help="write the table (output, unit, P10, P50, P90) to this CSV file")
    sim.add_argument("--samples", metavar="FILE", help="write every draw (inputs and outputs) to this CSV file")
    sim.add_argument("--force", action="store_true", help="replace an existing --csv or --samples file")
    sim.set_defaults(run=cmd_simulate)
    _add_actuals(sub)
    return parser


def cmd_prices(args: argparse.Namespace) -> int:
    """List API models matching TEXT with their prices [USD/Mtok] on --date, and which data was read."""
    from . import prices

    if args.limit < 1:
        raise _usage(f"--limit must be a whole number >= 1 (the most models to list), got {args.limit}")
    if args.refresh:
        print(f"refreshed: {prices.refresh()}", file=sys.stderr)
    rows = prices.search_models(args.text, args.provider, args.date, args.limit)
    when = prices.as_date(args.date).date().isoformat()
    print("provider\tmodel\tinput\tcached_input\tcache_write\toutput")
    for r in rows:
        cells = ["-" if r[k] is None else f"{r[k]:g}" for k in prices.KINDS]
        print("\t".join([r["provider"], r["model"], *cells]))
    print(f"{len(rows)} models; USD per 1 M tokens on {when}; {prices.source()}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0

    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            # a library's warning never reaches the terminal raw: a floating-point one is never the user's
            # business (an overflow is an error naming the input, a ratio without a denominator a decision of
            # the template); any other is said in one line after the run (_warned)
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", RuntimeWarning)
            code = args.run(args)
        _warned(caught)
        return code
    except _UsageError as exc:
        print(f"costlib: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CostlibError as exc:
        print(f"costlib: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"costlib: interrupted; {_interrupted()}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the machine's refusal (a full disk, a permission), not a bug
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"costlib: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug in costlib: one line, never a traceback
        print(f"costlib: internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in costlib, "
              f"not in your input: please report it on costlib's issue tracker with the command you ran",
              file=sys.stderr)
        return EXIT_INTERNAL


def _warned(caught: list) -> None:
    """Each distinct warning a library gave, as one line: ``costlib: note: ...`` (never a source line)."""
    seen = set()
    for w in caught:
        if issubclass(w.category, (RuntimeWarning, DeprecationWarning, PendingDeprecationWarning)):
            continue
        text = " ".join(str(w.message).split())[:300]
        if text not in seen:
            seen.add(text)
            print(f"costlib: note: {text}", file=sys.stderr)


def _interrupted() -> str:
    """What an interrupted run leaves: no half-written file (writes are atomic), and which were written."""
    if not _progress:
        return "nothing was written"
    written, total = _progress["written"], _progress["total"]
    _progress.clear()
    listed = f" ({', '.join(written[:3])}{', ...' if len(written) > 3 else ''})" if written else ""
    return f"{len(written)} of {total} workbooks were written{listed}; the others were not, and none is half-written"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

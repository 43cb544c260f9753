"""Write workbooks/udf-demo.xlsx: costlib's Excel functions on the briefing articles' examples.

    python scripts/make_udf_demo.py

Each row holds a live formula (it computes once the add-in is loaded: see
addin/README.md), the value the articles give, and its source (a key of docs/references.md). A test
checks every expected value against costlib_udfs and that the committed file is fresh.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "workbooks" / "udf-demo.xlsx"

#: (what, function, arguments, expected, relative tolerance, number format, source)
EXAMPLES = [
    ("Training compute, 70B parameters on 15T tokens", "TRAIN_FLOPS", (70e9, 15e12), 6.3e24, 1e-9,
     "0.00E+00", "[Kaplan2020] 6ND: 6 x 70e9 x 15e12 = 6.3e24 FLOPs; inputs [WaferZero2026]"),
    ("GPU-hours of that run on H100 at 40 % MFU", "TRAIN_GPU_HOURS", (70e9, 15e12), 4.4e6, 0.01,
     "#,##0", "[WaferZero2026] (illustrative): ~4.4M GPU-hours"),
    ("Cost of that run at $2 per GPU-hour", "TRAIN_COST", (70e9, 15e12, 2), 8.85e6, 0.005,
     '"$"#,##0', "identity: 8.844e6; [WaferZero2026]: $8-9M (illustrative inputs)"),
    ("Self-hosted cost per 1M tokens at full load", "TOKEN_COST", (2.5, 2000), 0.35, 0.01,
     '"$"0.00', "[WaferZero2026] (illustrative): H100 at $2.50/h, 2,000 tokens/s: ~$0.35"),
    ("... at 20 % utilisation", "TOKEN_COST", (2.5, 2000, 0.2), 1.75, 0.01,
     '"$"0.00', "[WaferZero2026] (illustrative): $1.75 at 20 %"),
    ("... at 5 % utilisation", "TOKEN_COST", (2.5, 2000, 0.05), 7.00, 0.01,
     '"$"0.00', "[WaferZero2026] (illustrative): $7.00 at 5 %, above a $3.00 API"),
    ("Utilisation above which self-hosting beats a $3.00 API", "UTILIZATION_BREAKEVEN", (0.35, 3.0), 0.12, 0.03,
     "0.0%", "identity: 0.35 / 3.00 = 0.117; [WaferZero2026]: roughly 12 %"),
    ("Break-even volume: $1,000 fixed, $3.00 price, $0.35 cost", "BREAKEVEN", (1000, 3.0, 0.35), 377.4, 0.001,
     "#,##0.0", "identity: 1000 / (3.00 - 0.35) = 377.4 (units the prices are per)"),
    ("... where cost exceeds price", "BREAKEVEN", (1000, 0.3, 0.35), "#N/A", None,
     "General", "identity: no break-even when cost >= price"),
    ("H100 SXM memory bandwidth [TB/s]", "GPU_SPEC", ("H100", "bandwidth"), 3.35, 1e-9,
     "0.00", "[NVIDIA2022]: 3.35 TB/s"),
]

#: A small range: one call, one spilled column.
RANGE = {"function": "TOKEN_COST", "price_per_gpu_hour": [2.5, 2.0, 3.5], "tokens_per_second": [2000, 1200, 3000],
         "utilization": 0.6}


#: An error value in a cell, as Office.js sends it (a #N/A from a failed lookup); written NA() in a formula.
NA_CELL = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}

#: One row per condition: (condition, function, arguments, what the classic add-in's cell holds). The Lite
#: column is costlib's own result (costlib.excel), the same code in a single cell and inside a range;
#: tests/test_addin_errors.py checks every row through xlwings's Office.js and classic code.
NULL_VARIANT = "a Null variant (the function returns None), which Excel shows as #VALUE!"
RUNTIME_ERRORS = [
    ("An error value in an argument passes through", "TOKEN_COST", (NA_CELL, 2000), NULL_VARIANT),
    ("A value outside its rule (MFU above 1)", "TRAIN_COST", (70e9, 15e12, 2, "H100", 1.4), NULL_VARIANT),
    ("No break-even (own cost above the price)", "BREAKEVEN", (1000, 0.3, 0.35), NULL_VARIANT),
    ("A name not in the catalogue", "GPU_SPEC", ("H1000", "bandwidth"), NULL_VARIANT),
    ("Text where a number is meant", "TOKEN_COST", ("abc", 2000), NULL_VARIANT),
    ("Too many arguments (5 to a function of at most 3)", "TOKEN_COST", (2.5, 2000, 0.6, 1, 2),
     "#VALUE! (the generated VBA function declares 3 parameters; if Python is reached, a Null variant)"),
    ("COSTLIB_MESSAGE says why, with any number of arguments", "COSTLIB_MESSAGE",
     ("TOKEN_COST", 2.5, 2000, 0.6, 1, 2), "text: the message (COSTLIB_MESSAGE takes a ParamArray)"),
]

#: What the classic add-in can show for any error: a Null variant, which Excel shows as #VALUE!
#: (addin/README.md, "How the functions behave": the evidence from xlwings's and pywin32's code).
CLASSIC_ERROR = "#VALUE!"

#: How an Office.js runtime hands each code over (costlib_udfs: a single-cell #VALUE! is raised, so
#: Excel shows its message under the error flag; every other error is an error value).
def lite_representation(shown: str) -> str:
    if shown == "#VALUE!":
        return "#VALUE! raised, its message under the cell's error flag (an error value inside a range)"
    if shown.startswith("#"):
        return f"the error value {shown}, in a single cell and in its cell of a range"
    return "text: the message"


def formula(function: str, args: tuple) -> str:
    def literal(a):
        if a == NA_CELL:
            return "NA()"
        return f'"{a}"' if isinstance(a, str) else (f"{a:.6G}".replace("E+", "E") if isinstance(a, float) else str(a))
    return f"={function}({', '.join(literal(a) for a in args)})"


def build():
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.formula import ArrayFormula


    wb = Workbook()
    ws = wb.active
    ws.title = "Demo"
    ws["A1"] = "costlib Excel functions: the briefing articles' examples (sources: docs/references.md)"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("Column B and the range in column D call costlib functions: they show costlib's own results, "
                "stored in the file, and recompute only with the functions loaded (the xlwings add-in with UDF "
                "Modules = costlib_udfs on Windows, or xlwings Lite from `costlib lite`, see addin/README.md); "
                "without them a recalculation shows #NAME?. `costlib inline` turns them into native formulas.")
    for col, label in zip("ABCDE", ["What", "Formula (needs the costlib functions)", "Formula", "Expected",
                                      "Source"]):
        ws[f"{col}4"] = label
        ws[f"{col}4"].font = Font(bold=True)
    row = 5
    cached = {}  # (sheet, cell) -> costlib's own result, stored beside each formula
    for what, function, args, expected, _, fmt, source in EXAMPLES:
        text = formula(function, args)
        ws[f"A{row}"] = what
        ws[f"B{row}"] = text
        ws[f"C{row}"] = text
        ws[f"C{row}"].data_type = "s"  # shown as text, never evaluated
        ws[f"D{row}"] = expected
        for col in "BD":
            ws[f"{col}{row}"].number_format = fmt
        ws[f"E{row}"] = source
        cached["Demo", f"B{row}"] = _result(function, args)
        row += 1
    row += 1
    ws[f"A{row}"] = "A range in one call: one array formula fills column D (Excel 365 may also just spill it)"
    ws[f"A{row}"].font = Font(bold=True)
    row += 1
    for col, label in zip("ABCD", ["Scenario", "price_per_gpu_hour [USD/GPU-h]", "tokens_per_second [tokens/s]",
                                   "TOKEN_COST at 60 % [USD per 1M tokens]"]):
        ws[f"{col}{row}"] = label
        ws[f"{col}{row}"].font = Font(bold=True)
    first = row + 1
    for i, (p, t) in enumerate(zip(RANGE["price_per_gpu_hour"], RANGE["tokens_per_second"])):
        ws[f"A{first + i}"] = f"Scenario {i + 1}"
        ws[f"B{first + i}"] = p
        ws[f"C{first + i}"] = t
        ws[f"D{first + i}"].number_format = '"$"0.00'
    last = first + len(RANGE["price_per_gpu_hour"]) - 1
    spilled = _result("TOKEN_COST", ([[p] for p in RANGE["price_per_gpu_hour"]],
                                     [[t] for t in RANGE["tokens_per_second"]], RANGE["utilization"]))
    for i, (value,) in enumerate(spilled[1:], start=1):  # an array formula's other cells store their values
        ws[f"D{first + i}"] = value
    cached["Demo", f"D{first}"] = spilled[0][0]
    # a classic array formula over D first:last: one call fills the range in every Excel
    ws[f"D{first}"] = ArrayFormula(f"D{first}:D{last}",
                                   f"=TOKEN_COST(B{first}:B{last}, C{first}:C{last}, {RANGE['utilization']})")
    row = last + 2
    ws[f"A{row}"] = "What each runtime shows for an error (COSTLIB_MESSAGE with the same arguments says why)"
    ws[f"A{row}"].font = Font(bold=True)
    row += 1
    for col, label in zip("ABCDEF", ["Condition", "Call", "xlwings Lite / Server shows (web, Mac, Windows)",
                                     "Classic add-in shows (Windows)", "Lite / Server: how", "Classic: how"]):
        ws[f"{col}{row}"] = label
        ws[f"{col}{row}"].font = Font(bold=True)
    for condition, function, args, classic in RUNTIME_ERRORS:
        row += 1
        shown = _result(function, args)
        ws[f"A{row}"] = condition
        ws[f"B{row}"] = formula(function, args)
        ws[f"C{row}"] = shown
        ws[f"D{row}"] = shown if function == "COSTLIB_MESSAGE" else CLASSIC_ERROR
        ws[f"E{row}"] = lite_representation(shown)
        ws[f"F{row}"] = classic
        for col in "BCD":
            ws[f"{col}{row}"].data_type = "s"  # shown as text, never evaluated
    for col, width in zip("ABCDEF", [52, 34, 34, 30, 50, 50]):
        ws.column_dimensions[col].width = width
    # reproducible bytes (costlib.workbook.files): fixed dates, a fingerprint of the content
    from openpyxl.packaging.custom import StringProperty

    from costlib import __version__
    from costlib.models_in_excel import store_values
    from costlib.workbook.files import FINGERPRINT_NAME, FIXED_TIME, PLACEHOLDER, reproducible

    wb.properties.title = "costlib Excel functions: demo"
    wb.properties.creator = f"costlib {__version__}"
    wb.properties.created = FIXED_TIME
    wb.custom_doc_props.append(StringProperty(name=FINGERPRINT_NAME, value=PLACEHOLDER))
    with tempfile.TemporaryDirectory() as tmp:
        plain, out = Path(tmp) / "plain.xlsx", Path(tmp) / "demo.xlsx"
        wb.save(plain)
        store_values(plain, out, cached)  # costlib's results beside the formulas: numbers without the add-in
        return reproducible(out.read_bytes())


def _result(function: str, args: tuple):
    """costlib's own result of ``=function(args)``, as the cell stores it (an error as its Excel code)."""
    from costlib import excel

    if function == "COSTLIB_MESSAGE":
        return excel.message(*args)
    try:
        result = excel.evaluate(excel.BY_NAME[function], args)
    except excel.CellError as exc:
        return exc.excel_error
    return result


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from costlib.workbook.writer import write_workbook

    print(f"{write_workbook(build(), OUT, force='--force' in sys.argv)}: {OUT.relative_to(ROOT)}")

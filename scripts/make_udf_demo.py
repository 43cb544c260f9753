"""Write workbooks/udf-demo.xlsx: costlib's Excel functions on the reference documents' examples.

    python scripts/make_udf_demo.py

Each row holds a live formula (it computes once the add-in is loaded: see
addin/README.md), the value the reference documents give, and their source. A test
checks every expected value against costlib_udfs and that the committed file is fresh.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "workbooks" / "udf-demo.xlsx"

#: (what, function, arguments, expected, relative tolerance, number format, source)
EXAMPLES = [
    ("Training compute, 70B parameters on 15T tokens", "TRAIN_FLOPS", (70e9, 15e12), 6.3e24, 1e-9,
     "0.00E+00", "ref 000: 6 x 70e9 x 15e12 = 6.3e24 FLOPs"),
    ("GPU-hours of that run on H100 at 40 % MFU", "TRAIN_GPU_HOURS", (70e9, 15e12), 4.4e6, 0.01,
     "#,##0", "ref 000: ~4.4M GPU-hours"),
    ("Cost of that run at $2 per GPU-hour", "TRAIN_COST", (70e9, 15e12, 2), 8.85e6, 0.005,
     '"$"#,##0', "ref 000: $8-9M; issue 2: about 8.85e6"),
    ("Self-hosted cost per 1M tokens at full load", "TOKEN_COST", (2.5, 2000), 0.35, 0.01,
     '"$"0.00', "ref 004: H100 at $2.50/h, 2,000 tokens/s: ~$0.35"),
    ("... at 20 % utilisation", "TOKEN_COST", (2.5, 2000, 0.2), 1.75, 0.01,
     '"$"0.00', "ref 004: $1.75 at 20 %"),
    ("... at 5 % utilisation", "TOKEN_COST", (2.5, 2000, 0.05), 7.00, 0.01,
     '"$"0.00', "ref 004: $7.00 at 5 %, above a $3.00 API"),
    ("Utilisation above which self-hosting beats a $3.00 API", "UTILIZATION_BREAKEVEN", (0.35, 3.0), 0.12, 0.03,
     "0.0%", "DOMAIN.md: 0.35 / 3.00 ~ 12 %"),
    ("Break-even volume: $1,000 fixed, $3.00 price, $0.35 cost", "BREAKEVEN", (1000, 3.0, 0.35), 377.4, 0.001,
     "#,##0.0", "issue 2: about 377.4 (units the prices are per)"),
    ("... where cost exceeds price", "BREAKEVEN", (1000, 0.3, 0.35), "no break-even: cost >= price", None,
     "General", "issue 2: inf, no break-even"),
    ("H100 SXM memory bandwidth [TB/s]", "GPU_SPEC", ("H100", "bandwidth"), 3.35, 1e-9,
     "0.00", "NVIDIA H100 datasheet: 3.35 TB/s"),
]

#: A small range: one call, one spilled column.
RANGE = {"function": "TOKEN_COST", "price_per_gpu_hour": [2.5, 2.0, 3.5], "tokens_per_second": [2000, 1200, 3000],
         "utilization": 0.6}


def formula(function: str, args: tuple) -> str:
    def literal(a):
        return f'"{a}"' if isinstance(a, str) else (f"{a:.6G}".replace("E+", "E") if isinstance(a, float) else str(a))
    return f"={function}({', '.join(literal(a) for a in args)})"


def build():
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.formula import ArrayFormula

    from costlib.workbook.writer import _stamp, workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "Demo"
    ws["A1"] = "costlib Excel functions: the reference documents' examples"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("To compute these cells, load the costlib functions: the xlwings add-in with UDF Modules = "
                "costlib_udfs on Windows, or xlwings Lite with addin/lite/ anywhere (see addin/README.md). "
                "Without them the Formula column shows #NAME?.")
    for col, label in zip("ABCDE", ["What", "Formula (live)", "Formula", "Expected", "Source"]):
        ws[f"{col}4"] = label
        ws[f"{col}4"].font = Font(bold=True)
    row = 5
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
    # a classic array formula over D first:last: one call fills the range in every Excel
    ws[f"D{first}"] = ArrayFormula(f"D{first}:D{last}",
                                   f"=TOKEN_COST(B{first}:B{last}, C{first}:C{last}, {RANGE['utilization']})")
    for col, width in zip("ABCDE", [52, 34, 34, 30, 50]):
        ws.column_dimensions[col].width = width
    _stamp(wb, SimpleNamespace(title="costlib Excel functions: demo", name="udf-demo"))
    return workbook_bytes(wb)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from costlib.workbook.writer import write_workbook

    print(f"{write_workbook(build(), OUT, force='--force' in sys.argv)}: {OUT.relative_to(ROOT)}")

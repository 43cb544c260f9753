"""A three-month template small enough to compute by hand, for the plan layer's unit tests.

Month m rents ``gpus * 1.1^(m-1)`` GPUs (10 % growth a month) for 730 hours (8,760 h / 12)
at $2.00 an hour:

=====  ==========  ===========  ==========
month  GPUs        GPU-hours    spend [USD]
=====  ==========  ===========  ==========
1      8           5,840        11,680
2      8.8         6,424        12,848
3      9.68        7,066.4      14,132.8
=====  ==========  ===========  ==========

total spend = 11,680 + 12,848 + 14,132.8 = 38,660.8 USD.
"""

from pathlib import Path

TEXT = """\
name = "tiny"
title = "Tiny plan"
axis = "month"
axis_length = "months"

[[inputs]]
name = "months"
label = "Months"
default = 3
unit = "months"
type = "integer"
rule = "at_least_one"
structural = true
source = "Assumption"

[[inputs]]
name = "gpus"
label = "GPUs rented in month 1"
default = 8
unit = "GPUs"
rule = "non_negative"
source = "Assumption"

[[inputs]]
name = "price_per_gpu_hour"
label = "Price per GPU-hour"
default = 2.0
unit = "USD/GPU-h"
rule = "positive"
range = [1.5, 3.0]
downside = "high"
downside_reason = "a dearer GPU-hour: more spend"
source = "Assumption"

[[inputs]]
name = "monthly_growth"
label = "Growth a month"
default = 0.1
unit = "fraction/month"
rule = "non_negative"
source = "Assumption"

[[sheets]]
name = "Plan"
first = true

[[sheets.items]]
name = "total_spend"
label = "Total spend"
unit = "USD"
formula = "total(spend)"

[[sheets.rows]]
name = "gpus_used"
label = "GPUs"
unit = "GPUs"
section = "memo"
formula = "growth(gpus, monthly_growth, month)"

[[sheets.rows]]
name = "spend"
label = "Spend"
unit = "USD"
section = "opex"
total = true
formula = "product(gpu_hours_in_month(gpus_used), price_per_gpu_hour)"

[[checks]]
label = "Spend is never negative"
formula = "never_negative(spend)"
"""

GPUS = [8.0, 8.0 * 1.1, 8.0 * 1.1**2]                    # 8, 8.8, 9.68
SPEND = [g * 730 * 2.0 for g in GPUS]                     # 11,680, 12,848, 14,132.8
TOTAL_SPEND = 11_680 + 12_848 + 14_132.8                 # 38,660.8


def write(folder: Path, text: str = TEXT, name: str = "tiny.toml") -> Path:
    """The template ``text`` written to ``folder/name``."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

"""xlwings Lite: costlib's Excel functions in Excel on the web, Mac and Windows, no local Python.

Paste this file into xlwings Lite's ``main.py`` tab and ``requirements.txt`` into its
``requirements.txt`` tab (see ../README.md). Every function of ``costlib_udfs`` (the same
module the desktop add-in uses) is then a worksheet function: ``=TRAIN_COST(70E9, 15E12, 2)``.
"""

from costlib_udfs import *  # noqa: F401,F403  (TRAIN_COST, TOKEN_COST, BREAKEVEN, ... as Excel functions)

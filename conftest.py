"""Test-session setup shared by tests/, the doctests and the add-in.

xlwings's custom-function machinery (``xlwings.server``) is what Excel drives in xlwings
Lite and xlwings Server. It is only active when these are set before xlwings is first
imported, so they are set here, for the whole session; a user never sets them.
"""

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

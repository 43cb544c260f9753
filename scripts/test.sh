#!/usr/bin/env bash
# Install what the tests need (two spreadsheet engines from Debian, the project with its test
# extras) and run the whole suite: unit, doctests, recalculation in LibreOffice and Gnumeric,
# the add-in through xlwings.
# Arguments go to pytest; the core tier alone (no spreadsheet engine needed) is: python3 -m pytest -m "not slow" -n 2.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || missing+=(gnumeric)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # tests/test_pack_pdf.py reads the printed pack
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} for the workbook recalculation and print tests" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
exec python3 -m pytest -q "$@"

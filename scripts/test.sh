#!/usr/bin/env bash
# Install what the tests need (LibreOffice headless, the project with its test extras) and run
# the whole suite: unit, doctests, LibreOffice recalculation, the add-in through xlwings.
# Arguments go to pytest; the core tier alone (no LibreOffice needed) is: python3 -m pytest -m "not slow".
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1; then
    echo "installing LibreOffice (libreoffice-calc-nogui) for the workbook recalculation tests" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
exec python3 -m pytest -q "$@"

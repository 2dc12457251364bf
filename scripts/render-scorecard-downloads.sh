#!/usr/bin/env bash
# Renders the clerk downloads the e2e test checks (apps/api/test/scorecard-exports.e2e-spec.ts) as LibreOffice shows
# them, into docs/screenshots/scorecard-xlsx.png and scorecard-csv.png. Needs libreoffice-calc, poppler-utils and a
# CJK font (apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk).
#
# The CSV is opened with the options LibreOffice's Text Import dialog preselects for it: UTF-8 (read from the BOM),
# comma, double quote, "Detect special numbers" off. Without options, LibreOffice 7.4's headless import assumes
# Windows-1252 and garbles every Chinese character (newer LibreOffice assumes UTF-8).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/node/bin:$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SCORECARD_EXPORTS_OUT="$out" npx jest apps/api/test/scorecard-exports.e2e-spec.ts --selectProjects e2e >/dev/null
soffice --headless --convert-to pdf --outdir "$out" "$out/scorecard-xlsx.xlsx" >/dev/null
soffice --headless --infilter="Text - txt - csv (StarCalc):44,34,76,1,,0,false,false" --convert-to pdf --outdir "$out" "$out/scorecard-csv-zh.csv" >/dev/null
# Page 1 at 150 dpi, cut to the printed area (A4 landscape for the workbook, portrait for the CSV).
pdftoppm -png -r 150 -f 1 -l 1 -x 40 -y 50 -W 1480 -H 760 -singlefile "$out/scorecard-xlsx.pdf" docs/screenshots/scorecard-xlsx
pdftoppm -png -r 150 -f 1 -l 1 -x 90 -y 120 -W 1100 -H 1200 -singlefile "$out/scorecard-csv-zh.pdf" docs/screenshots/scorecard-csv
ls -l docs/screenshots/scorecard-xlsx.png docs/screenshots/scorecard-csv.png

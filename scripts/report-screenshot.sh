#!/usr/bin/env bash
# Renders an HTML review report to a PNG with headless Chromium, to look at the page without a browser.
#
#   scripts/report-screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]   # default 1280 x 2400
#   scripts/report-screenshot.sh --sample OUT.png [WIDTH HEIGHT]      # the test suite's sample report
#
# --sample writes the sample report (12 varied findings) through the NetraReportTests test
# `sampleReport` (NETRA_REPORT_SAMPLE=path) and shoots that. Installs the Debian package
# `chromium` (and `fonts-noto-color-emoji`) when missing (apt-get; root or sudo). Exit 0 written, 2 on an error.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 REPORT.html|--sample OUT.png [WIDTH HEIGHT]" >&2; exit 2; }
[ $# -ge 2 ] || usage
input=$1 out=$2 width=${3:-1280} height=${4:-2400}

if [ "$input" = "--sample" ]; then
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi
    input=$(mktemp -t netra-report-XXXXXX.html)
    log=$(mktemp -t netra-report-XXXXXX.log)
    NETRA_REPORT_SAMPLE="$input" swift test --filter "NetraReportTests.HTMLReportTests/sampleReport" >"$log" 2>&1 || { cat "$log" >&2; exit 2; }
    rm -f "$log"
    [ -s "$input" ] || { echo "report-screenshot: the sample was not written" >&2; exit 2; }
    echo "report-screenshot: sample report at $input" >&2
fi
[ -f "$input" ] || { echo "report-screenshot: $input: no such file" >&2; exit 2; }

# Chromium, and a colour emoji font so emoji in record texts show as emoji rather than boxes.
browser=$(command -v chromium || command -v chromium-browser || true)
missing=()
[ -n "$browser" ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi emoji || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
    echo "report-screenshot: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    browser=$(command -v chromium)
fi

url="file://$(realpath "$input")"
out_abs="$(realpath -m "$out")"
# A throwaway profile, so the run neither reads nor leaves browser state.
profile=$(mktemp -d -t netra-chromium-XXXXXX)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$out_abs" --window-size="$width,$height" "$url" 2>/dev/null
[ -s "$out_abs" ] || { echo "report-screenshot: no screenshot written" >&2; exit 2; }
echo "$out_abs"

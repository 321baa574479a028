#!/bin/sh
# Screenshot of a review page (toolkit.qa.review_page) the way a reviewer first sees it, with headless
# Chromium: to check the layout in CI artifacts or a pull request without opening a browser.
#
#   tools/screenshot_report.sh REPORT.html OUT.png [WIDTH,HEIGHT]     (default 1400,1000)
#
# CHROMIUM selects the browser binary (default: chromium). --no-sandbox is needed when running
# as root (CI containers); the page is local, loads nothing and its CSP allows only its own code.
# REPORT_FRAGMENT is appended to the page URL, e.g. '#langs=el' shows only Greek. (A scroll
# anchor such as '#b9' comes out blank: headless Chromium shoots before repainting the scroll.)
set -eu

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
    exit 2
fi
report=$1
out=$2
size=${3:-1400,1000}
browser=${CHROMIUM:-chromium}

if [ ! -f "$report" ]; then
    echo "$0: no such report: $report" >&2
    exit 1
fi
if ! command -v "$browser" >/dev/null 2>&1; then
    echo "$0: $browser not found (Debian/Ubuntu: apt-get install chromium)" >&2
    exit 1
fi

path=$(realpath "$report")
# percent-encode what a file: URL cannot carry literally
url="file://$(printf '%s' "$path" | sed 's/%/%25/g; s/ /%20/g; s/#/%23/g; s/?/%3F/g')${REPORT_FRAGMENT:-}"
case $out in
    /*) target=$out ;;
    *) target=$(pwd)/$out ;;
esac
profile=$(mktemp -d "${TMPDIR:-/tmp}/screenshot-report.XXXXXX")
trap 'rm -rf "$profile"' EXIT INT TERM

rm -f "$target"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$size" --screenshot="$target" "$url" \
    >"$profile/log" 2>&1 || {
    cat "$profile/log" >&2
    exit 1
}
if [ ! -s "$target" ]; then
    cat "$profile/log" >&2
    echo "$0: chromium wrote no screenshot" >&2
    exit 1
fi
echo "$target"

#!/usr/bin/env bash
# What a first visit downloads: each page plus the stylesheets, scripts and images it loads,
# as a browser asks for them (compressed when the server offers it), and the same without
# compression for comparison. Run against a site that is up (`make run`):
#
#   bench/page_weight.sh http://127.0.0.1:5000 / /artikelen/respijtzorg
set -euo pipefail
base=${1:?usage: bench/page_weight.sh BASE_URL PATH...}
shift

size() { # bytes on the wire for one address; $2: extra curl option (--compressed or none)
  curl -s -o /dev/null -w '%{size_download}' ${2:+"$2"} "$1"
}

printf '%-32s %10s %10s %10s\n' page html "+css/js/img" "uncompressed"
for path in "$@"; do
  url="$base$path"
  html=$(curl -s --compressed "$url")
  page=$(size "$url" --compressed)
  total=$page
  plain=$(size "$url")
  # The stylesheets, scripts and images the page loads (not links to other pages).
  assets=$(printf '%s' "$html" | grep -oE '<(link rel="(stylesheet|icon)"|script|img)[^>]*(href|src)="/[^"]+"' |
    grep -oE '(href|src)="/[^"]+"' | cut -d'"' -f2 | sort -u)
  for asset in $assets; do
    total=$((total + $(size "$base$asset" --compressed)))
    plain=$((plain + $(size "$base$asset")))
  done
  printf '%-32s %10s %10s %10s\n' "$path" "$page" "$total" "$plain"
done

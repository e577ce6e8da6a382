#!/usr/bin/env bash
# Refresh the vendored front-end files in static/vendor/ from the npm registry.
# Run by hand when upgrading; the result is committed, the site never loads from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.8
UTRECHT=(
  root@4.1.1 document@3.0.1 page@3.0.1 page-header@3.0.2 page-footer@4.0.2 page-content@3.0.1
  skip-link@3.0.1 heading@1.4.0 paragraph@4.0.1 link@3.0.1 link-list@4.0.1 button@4.0.1
  button-group@3.0.1 link-button@3.0.1 form-field@3.0.1 form-label@3.0.1
  form-field-description@3.0.1 form-field-error-message@3.0.1 form-fieldset@3.0.1
  textbox@4.0.1 textarea@4.0.1 checkbox@3.0.1 radio-button@3.0.1 select@3.0.1 alert@4.0.2
  table@3.0.1 unordered-list@3.1.1 ordered-list@4.0.1 breadcrumb-nav@3.0.1 badge-status@3.0.1
  badge-counter@3.0.1 separator@3.0.1 article@3.0.1 pagination@3.0.1 blockquote@3.0.1
  figure@3.0.1 img@3.0.1 data-list@3.0.1 nav-bar@3.2.1 focus-ring@4.0.1
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p static/vendor/htmx static/vendor/utrecht
(cd "$work" && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$work/package/dist/htmx.min.js" static/vendor/htmx/htmx.min.js
cp "$work/package/LICENSE" static/vendor/htmx/LICENSE
rm -rf "$work/package"

out=static/vendor/utrecht/components.css
{
  echo "/* NL Design System, Utrecht component CSS (EUPL-1.2, see LICENSE.md)."
  echo " * Packages: ${UTRECHT[*]} */"
} > "$out"
for spec in "${UTRECHT[@]}"; do
  name=${spec%@*}
  (cd "$work" && npm pack --silent "@utrecht/$name-css@${spec#*@}" >/dev/null && tar xzf utrecht-"$name"-css-*.tgz)
  cat "$work/package/dist/index.min.css" >> "$out"
  echo >> "$out"
  cp "$work/package/LICENSE.md" static/vendor/utrecht/LICENSE.md
  rm -rf "$work/package" "$work"/utrecht-"$name"-css-*.tgz
done
echo "htmx $HTMX_VERSION and ${#UTRECHT[@]} Utrecht component packages vendored."

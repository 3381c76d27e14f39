#!/usr/bin/env bash
# Vendor the site's chart library from the npm registry into pipelines/defs/site/static/vendor/
# (committed, so a build needs no network), and axe-core for the site's accessibility test into
# tests/vendor/. Re-run after changing a version below; the files are the packages' own builds.
#   vega             build/vega.min.js (UMD, global `vega`)
#   vega-interpreter build/vega-interpreter.js (ESM), turned into a classic script: it reads
#                    vega-util from the global `vega` and sets `vegaExpressionInterpreter`, so
#                    charts run without eval under the site's Content-Security-Policy.
set -euo pipefail
VEGA=6.4.0
VEGA_INTERPRETER=2.3.2
AXE_CORE=4.14.1

repo="$(cd "$(dirname "$0")/.." && pwd)"
site="$repo/pipelines/defs/site/static/vendor"
tests="$repo/tests/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "vega@$VEGA" "vega-interpreter@$VEGA_INTERPRETER" "axe-core@$AXE_CORE" >/dev/null
for pkg in vega-$VEGA vega-interpreter-$VEGA_INTERPRETER axe-core-$AXE_CORE; do
    mkdir "$pkg" && tar xzf "$pkg.tgz" -C "$pkg"
done
mkdir -p "$site" "$tests"
cp "vega-$VEGA/package/build/vega.min.js" "$site/vega.min.js"
cp "vega-$VEGA/package/LICENSE" "$site/LICENSE.vega.txt"
{
    echo "/* vega-interpreter@$VEGA_INTERPRETER (BSD-3-Clause), as a classic script: scripts/vendor_site_js.sh */"
    echo "(function () {"
    sed -e "s|^import { \(.*\) } from 'vega-util';|const { \1 } = globalThis.vega;|" \
        -e "s|^export { expression as expressionInterpreter };|globalThis.vegaExpressionInterpreter = expression;|" \
        -e '/^\/\/# sourceMappingURL/d' "vega-interpreter-$VEGA_INTERPRETER/package/build/vega-interpreter.js"
    echo "})();"
} > "$site/vega-interpreter.js"
grep -q "globalThis.vegaExpressionInterpreter" "$site/vega-interpreter.js"
! grep -qE "^(import|export) " "$site/vega-interpreter.js"
cp "vega-interpreter-$VEGA_INTERPRETER/package/LICENSE" "$site/LICENSE.vega-interpreter.txt"
cp "axe-core-$AXE_CORE/package/axe.min.js" "$tests/axe.min.js"
cp "axe-core-$AXE_CORE/package/LICENSE" "$tests/LICENSE.axe-core.txt"
printf 'vega %s\nvega-interpreter %s\n' "$VEGA" "$VEGA_INTERPRETER" > "$site/VERSIONS"
printf 'axe-core %s\n' "$AXE_CORE" > "$tests/VERSIONS"
echo "vendored vega $VEGA, vega-interpreter $VEGA_INTERPRETER into $site; axe-core $AXE_CORE into $tests"

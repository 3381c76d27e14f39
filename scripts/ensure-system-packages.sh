#!/usr/bin/env bash
# System packages some tests need: Debian's chromium (UI test), PostgreSQL (second warehouse engine)
# and Java 17 (the meter marts on Spark, tests/spark: pyspark runs on a JVM).
# Installed only when missing and when we may (root with apt-get, as in CI); otherwise those tests
# skip with a message that names the package.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages for the tests: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "note: ${missing[*]} not installed (needs root and apt-get); the tests that need them will skip"
fi

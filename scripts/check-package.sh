#!/usr/bin/env bash
# Packs the library as npm would publish it and checks the tarball with publint and
# @arethetypeswrong/cli (ESM, CJS and every subpath's types). Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
tarball=$(npm pack --silent --pack-destination "$out" | tail -n 1)
echo "packed $tarball"
npx publint run "$out/$tarball" --strict
# The CLI bin is ESM-only by design (Node >= 20); `node16-cjs` resolution of subpaths is checked.
npx attw "$out/$tarball" --profile node16
rm -rf "$out"

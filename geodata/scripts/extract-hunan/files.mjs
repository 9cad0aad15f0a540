// Reading the source packages.
import fs from 'node:fs';
import path from 'node:path';

export const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
export const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
export const sizeOf = (p) => fs.statSync(p).size;

export function pkgInfo(dir) {
  const pkg = readJson(path.join(dir, 'package.json'));
  const licenceFile = path.join(dir, 'LICENSE');
  const licenceText = fs.existsSync(licenceFile) ? fs.readFileSync(licenceFile, 'utf8') : '';
  return { name: pkg.name, version: pkg.version, license: pkg.license, licenceFirstLine: licenceText.split('\n').map((l) => l.trim()).find(Boolean) ?? '', homepage: pkg.homepage, repository: typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url };
}

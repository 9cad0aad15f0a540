// Point in polygon and rounding of GeoJSON coordinates.

export function inRing(pt, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
export const inMultiPolygon = (pt, mp) => mp.some((poly) => inRing(pt, poly[0]) && !poly.slice(1).some((h) => inRing(pt, h)));

export function roundGeometry(multi, decimals) {
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

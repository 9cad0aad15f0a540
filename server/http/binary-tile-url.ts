/** A .mvt or .png tile under /tiles/ (not TileJSON): what gets the short header set and no request log. */
export function isBinaryTileUrl(url: string): boolean {
  return url.startsWith('/tiles/') && /\.(?:mvt|png)(?:\?|$)/.test(url)
}

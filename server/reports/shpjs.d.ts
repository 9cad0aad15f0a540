/** shpjs ships no types: the part povmap uses (a zipped Shapefile, or its parts, to GeoJSON with the .prj applied). */
declare module 'shpjs' {
  type Input = ArrayBuffer | Uint8Array | Buffer | string
  interface ShpCollection extends GeoJSON.FeatureCollection {
    fileName?: string
  }
  function shp(input: Input | { shp: Input; dbf?: Input; prj?: Input | string; cpg?: Input | string }): Promise<ShpCollection | ShpCollection[]>
  export default shp
}

import { describe, expect, it } from 'vitest'
import shp from 'shpjs'
import JSZip from 'jszip'
import shpwrite from '@mapbox/shp-write'
import { dbfUtf8, exportShapefile, type ExportRow } from '../../../server/reports/export-formats.js'

const row = (over: Partial<ExportRow>): ExportRow => ({
  ref: '0b7c7a4e-0000-4000-8000-000000000001', villageCode: '433124110226', village: '十八洞村', township: '双龙镇', county: '花垣县', year: 2020,
  status: 'poor', mainCause: 'illness', attribute: 'general', size: 3, incomePerCapita: 3200, gaps: 0, housingSafety: null,
  phone: '138****5678', headName: '龙*', headIdNumber: '433124**********1X', lon: 109.51, lat: 28.31, ...over,
})

describe('shapefile text: Chinese attributes survive the DBF', () => {
  it('shp-write alone garbles Chinese (why the export encodes): the name does not come back', async () => {
    const zip = (await shpwrite.zip({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [109.51, 28.31] }, properties: { vname: '十八洞村' } }] }, { outputType: 'nodebuffer', compression: 'DEFLATE' })) as unknown as Buffer
    const back = (await shp(zip)) as GeoJSON.FeatureCollection
    expect(back.features[0]!.properties!.vname).not.toBe('十八洞村')
  })

  it('exportShapefile: a .cpg says UTF-8 and shpjs reads the Chinese village and masked names back', async () => {
    const rows = [row({}), row({ ref: '0b7c7a4e-0000-4000-8000-000000000002', village: '测试𠮷村', headName: '石*', lon: 109.52 })]
    const zip = await exportShapefile(rows, 'households')
    const files = Object.keys((await JSZip.loadAsync(zip)).files).sort()
    expect(files).toEqual(['households.cpg', 'households.dbf', 'households.prj', 'households.shp', 'households.shx'])
    expect(await (await JSZip.loadAsync(zip)).file('households.cpg')!.async('string')).toBe('UTF-8')
    const back = (await shp(zip)) as GeoJSON.FeatureCollection<GeoJSON.Point>
    expect(back.features.map((f) => [f.properties!.vname, f.properties!.head])).toEqual([
      ['十八洞村', '龙*'],
      ['测试𠮷村', '石*'],
    ])
  })

  it('dbfUtf8: UTF-8 bytes one per character, cut at a character boundary at 254 bytes', () => {
    expect(Buffer.from(dbfUtf8('十八洞村'), 'latin1').toString('utf8')).toBe('十八洞村')
    const long = dbfUtf8('村'.repeat(100))
    expect(long.length).toBe(252)
    expect(Buffer.from(long, 'latin1').toString('utf8')).toBe('村'.repeat(84))
  })
})

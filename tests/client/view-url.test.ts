import { describe, expect, it } from 'vitest'
import { decodeView, encodeView, type ViewState } from '../../client/src/url/view-url.js'
import { ALLOWED, DEFAULT_VIEW } from '../../client/src/composables/useUrlSync.js'

const full: ViewState = {
  camera: { center: [109.51234, 28.31], zoom: 13.25, bearing: -20, pitch: 45 },
  terrain: true,
  selected: '433124110226',
  compare: '433124110227',
  layers: ['villages', 'schools', 'households', 'choropleth'],
  households: { year: 2017, status: ['poor', 'returned'], cause: ['illness'], gap: ['housing', 'water'], colorBy: 'cause', mode: 'heatmap' },
  projects: { type: ['road'], stage: ['construction', 'completed'] },
  choropleth: { indicator: 'dist_school_km', year: 2019, method: 'quantile', classes: 4 },
  inspection: { index: 2, presenting: true },
  locale: 'en',
  renderQuality: 'full',
}

describe('view-url', () => {
  it('decodeView(encodeView(state)) is the state', () => {
    const q = encodeView(full, DEFAULT_VIEW)
    expect(decodeView(q.toString(), DEFAULT_VIEW, ALLOWED)).toEqual(full)
  })

  it('defaults stay out of the URL and come back as defaults', () => {
    const q = encodeView({ ...DEFAULT_VIEW, layers: [...DEFAULT_VIEW.layers] }, DEFAULT_VIEW)
    expect([...q.keys()]).toEqual(['lyr'])
    expect(decodeView(q, DEFAULT_VIEW, ALLOWED)).toEqual(DEFAULT_VIEW)
  })

  it('an empty layer list means every layer off, not the defaults', () => {
    expect(decodeView('lyr=', DEFAULT_VIEW, ALLOWED).layers).toEqual([])
    expect(decodeView('', DEFAULT_VIEW, ALLOWED).layers).toEqual(DEFAULT_VIEW.layers)
  })

  it('drops anything malformed or not declared', () => {
    const s = decodeView(
      'v=999,28,5,0,0&sel=43x&cmp=4331241102261&lyr=households,nope&hy=2031&hs=poor,rich&hc=%27;drop&hg=water&hcol=blue&hm=3d&pt=road,ufo&ind=Bad-Code&iy=1999&cls=kmeans&k=12&insp=x&lang=fr&t3d=yes&rq=max',
      DEFAULT_VIEW,
      ALLOWED,
    )
    expect(s).toEqual({ ...DEFAULT_VIEW, layers: ['households'], households: { ...DEFAULT_VIEW.households, status: ['poor'], gap: ['water'] }, projects: { type: ['road'], stage: [] } })
  })

  it('keeps declared values in declaration order and rounds the camera', () => {
    const s = decodeView('hs=returned,poor,poor&v=109.123456789,28.5,7.123,370,10', DEFAULT_VIEW, ALLOWED)
    expect(s.households.status).toEqual(['poor', 'returned'])
    expect(s.camera).toEqual({ center: [109.123456789, 28.5], zoom: 7.123, bearing: 10, pitch: 10 })
    expect(encodeView(s, DEFAULT_VIEW).get('v')).toBe('109.12346,28.5,7.12,10,10')
  })
})

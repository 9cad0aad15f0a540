import { describe, expect, it } from 'vitest'
import { withProjectFilter } from '../../client/src/map/project-filter.js'
import { householdKey } from '../../client/src/map/household-key.js'
import { isSoftwareRenderer, mapPixelRatio, SOFTWARE_PIXEL_RATIO, webglRenderer } from '../../client/src/map/render-profile.js'
import { countRange, quantizeClasses } from '../../client/src/classify/quantize.js'

const IS_POLYGON = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false]

describe('withProjectFilter', () => {
  it('adds the type and stage lists to the layer’s own filter; nothing to add keeps it; no filter at all is null', () => {
    expect(withProjectFilter(IS_POLYGON, [], [])).toEqual(IS_POLYGON)
    expect(withProjectFilter(IS_POLYGON, ['road'], [])).toEqual(['all', IS_POLYGON, ['in', ['get', 'type'], ['literal', ['road']]]])
    expect(withProjectFilter(undefined, [], ['plan', 'approved'])).toEqual(['in', ['get', 'stage'], ['literal', ['plan', 'approved']]])
    expect(withProjectFilter(undefined, [], [])).toBeNull()
  })
})

describe('householdKey', () => {
  const ref = '0b0f7c9e-2f7b-4a39-9d6e-4c1f0d9a1e23'
  it('is the feature’s opaque ref when the tile carries one, else the feature id, else null', () => {
    expect(householdKey({ ref, status: 'poor' }, 17)).toBe(ref)
    expect(householdKey({ ref: ref.toUpperCase() }, 17)).toBe(ref)
    expect(householdKey({ ref: 'not-a-uuid' }, 17)).toBe('17')
    expect(householdKey({ status: 'poor' }, 17)).toBe('17')
    expect(householdKey({}, undefined)).toBeNull()
  })
})

describe('quantizeClasses', () => {
  it('cuts the domain into one equal interval per colour, like deck.gl’s quantize scale', () => {
    expect(quantizeClasses([10, 70], ['a', 'b', 'c'])).toEqual([
      { color: 'a', from: 10, to: 30 },
      { color: 'b', from: 30, to: 50 },
      { color: 'c', from: 50, to: 70 },
    ])
    expect(quantizeClasses([70, 10], ['a', 'b'])).toEqual([{ color: 'a', from: 10, to: 40 }, { color: 'b', from: 40, to: 70 }])
  })

  it('a single value is one class in the darkest colour; no colours or a non-finite domain is no class', () => {
    expect(quantizeClasses([5, 5], ['a', 'b'])).toEqual([{ color: 'b', from: 5, to: 5 }])
    expect(quantizeClasses([0, 1], [])).toEqual([])
    expect(quantizeClasses([Number.NaN, 1], ['a'])).toEqual([])
  })
})

describe('countRange', () => {
  it('smallest, largest, total and how many, skipping what is not a number; null for none', () => {
    expect(countRange([3, 0, 12, Number.NaN])).toEqual({ min: 0, max: 12, total: 15, n: 3 })
    expect(countRange([])).toBeNull()
  })
})

describe('render profile', () => {
  it('isSoftwareRenderer: SwiftShader, llvmpipe and the Windows basic driver are software; GPUs are not', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true)
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true)
    expect(isSoftwareRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)')).toBe(true)
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false)
    expect(isSoftwareRenderer(null)).toBe(false)
  })
  it('webglRenderer reads the unmasked renderer where offered, else RENDERER', () => {
    const gl = (ext: boolean) => ({
      RENDERER: 0x1f01,
      getExtension: () => (ext ? { UNMASKED_RENDERER_WEBGL: 0x9246 } : null),
      getParameter: (p: number) => (p === 0x9246 ? 'llvmpipe (LLVM 15)' : 'WebKit WebGL'),
    })
    expect(webglRenderer(gl(true))).toBe('llvmpipe (LLVM 15)')
    expect(webglRenderer(gl(false))).toBe('WebKit WebGL')
    expect(webglRenderer(null)).toBeNull()
  })
  it('mapPixelRatio: half resolution for a software renderer unless full is asked for', () => {
    expect(mapPixelRatio({ software: true, quality: 'auto', devicePixelRatio: 1 })).toBe(SOFTWARE_PIXEL_RATIO)
    expect(mapPixelRatio({ software: true, quality: 'full', devicePixelRatio: 1.5 })).toBe(1.5)
    expect(mapPixelRatio({ software: false, quality: 'auto', devicePixelRatio: 2 })).toBe(2)
    expect(mapPixelRatio({ software: false, quality: 'auto', devicePixelRatio: 0 })).toBe(1)
  })
})

/**
 * How the map draws on a machine whose WebGL is rendered in software (no GPU acceleration:
 * SwiftShader, llvmpipe, Windows' Basic Render Driver — virtual desktops and office PCs without a
 * working graphics driver). There every frame is rasterised on the CPU and read back for the page
 * compositor, so a frame costs in proportion to its pixels: measured on the demo data (bench:client),
 * a 1400×900 map of 湘西 took about 170 ms a frame at full resolution and 110 ms at half, more when
 * the cores are busy. With a software renderer the map draws at half resolution unless the user asks
 * for full resolution.
 */
export type RenderQuality = 'auto' | 'full'

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic|mesa offscreen/i

export function isSoftwareRenderer(renderer: string | null | undefined): boolean {
  return !!renderer && SOFTWARE.test(renderer)
}

/** Half resolution of a software-rendered map; full otherwise. */
export const SOFTWARE_PIXEL_RATIO = 0.5

/** The pixel ratio the map canvas should use. */
export function mapPixelRatio(o: { software: boolean; quality: RenderQuality; devicePixelRatio: number }): number {
  const full = o.devicePixelRatio > 0 ? o.devicePixelRatio : 1
  return o.software && o.quality === 'auto' ? Math.min(full, SOFTWARE_PIXEL_RATIO) : full
}

/** What webglRenderer reads of a WebGL context (typed here: the module is also checked without the DOM library). */
interface WebGlLike {
  readonly RENDERER: number
  getExtension(name: 'WEBGL_debug_renderer_info'): { readonly UNMASKED_RENDERER_WEBGL: number } | null
  getParameter(p: number): unknown
}

/** The renderer string of a WebGL context (the unmasked one where the browser offers it). */
export function webglRenderer(gl: WebGlLike | null): string | null {
  if (!gl) return null
  const info = gl.getExtension('WEBGL_debug_renderer_info')
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '') || null
}

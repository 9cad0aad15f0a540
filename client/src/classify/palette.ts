import { theme } from '../../../tiles/theme.js'

/** Colours of the main poverty causes: the theme's, which the households layer's cause colouring paints with. */
export const CAUSE_COLORS: Readonly<Record<string, string>> = theme.causes

/** '#rrggbb' → [r, g, b] for deck.gl. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Household density below the single-household zoom (hexagon bins, heatmap): ColorBrewer YlOrRd, lowest first. */
export const HOUSEHOLD_DENSITY: readonly string[] = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026']

import { POVERTY_CAUSES } from '../../../domain/codes.js'

/**
 * Colours of the main poverty causes (categorical, 12 classes: ColorBrewer Paired). The tile layer
 * declarations colour households by status only; colouring by cause is a client choice.
 */
const PAIRED = ['#e31a1c', '#ff7f00', '#6a3d9a', '#1f78b4', '#b15928', '#a6cee3', '#33a02c', '#fb9a99', '#fdbf6f', '#cab2d6', '#b2df8a', '#999999']

export const CAUSE_COLORS: Readonly<Record<string, string>> = Object.fromEntries(POVERTY_CAUSES.map((c, i) => [c, PAIRED[i]!]))

/** '#rrggbb' → [r, g, b] for deck.gl. */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Household density below the single-household zoom (hexagon bins, heatmap): ColorBrewer YlOrRd, lowest first. */
export const HOUSEHOLD_DENSITY: readonly string[] = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026']

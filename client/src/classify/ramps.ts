/**
 * Sequential colour ramps for choropleths (ColorBrewer YlOrRd, 3–7 classes): the darkest class is
 * always the worst, so the ramp is reversed for indicators where higher is better.
 */
const YL_OR_RD: Readonly<Record<number, readonly string[]>> = {
  1: ['#fd8d3c'],
  2: ['#ffeda0', '#f03b20'],
  3: ['#ffeda0', '#feb24c', '#f03b20'],
  4: ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c'],
  5: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
  6: ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'],
  7: ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#b10026'],
}

export const NO_DATA_COLOR = '#d9d9d9'

export function rampFor(classes: number, direction: 'higher_better' | 'lower_better'): string[] {
  const ramp = [...(YL_OR_RD[Math.min(7, Math.max(1, classes))] ?? YL_OR_RD[5]!)]
  return direction === 'higher_better' ? ramp.reverse() : ramp
}

import { defineStore } from 'pinia'
import { ref } from 'vue'

/**
 * What the deck.gl household layer draws below the single-household zoom, for the legend: the
 * colour ramp and the counts behind it. Plain numbers only; the deck layer itself stays in the map
 * component.
 */
export interface AggregationLegend {
  mode: 'hexagon' | 'heatmap'
  /** The ramp, lowest first ('#rrggbb'). */
  colors: readonly string[]
  /** Hexagon: households per bin, smallest and largest bin (the colour domain). Heatmap: households per aggregate point. */
  domain: readonly [number, number]
  /** Households in the aggregates drawn. */
  households: number
  /** Aggregate points (county, township or village seats) drawn. */
  points: number
  /** Hexagons drawn (hexagon mode). */
  bins?: number
}

export function sameLegend(a: AggregationLegend | null, b: AggregationLegend | null): boolean {
  if (a === b) return true
  if (!a || !b) return false
  return (
    a.mode === b.mode &&
    a.domain[0] === b.domain[0] &&
    a.domain[1] === b.domain[1] &&
    a.households === b.households &&
    a.points === b.points &&
    a.bins === b.bins &&
    a.colors.length === b.colors.length &&
    a.colors.every((c, i) => c === b.colors[i])
  )
}

export const useHouseholdLegendStore = defineStore('household-legend', () => {
  const drawn = ref<AggregationLegend | null>(null)
  /** Replaces the legend; an equal one is ignored so the legend does not re-render on every rebuild. */
  function set(l: AggregationLegend | null) {
    if (!sameLegend(drawn.value, l)) drawn.value = l
  }
  function reset() {
    drawn.value = null
  }
  return { drawn, set, reset }
})

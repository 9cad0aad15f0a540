/**
 * The ECharts parts the panels use (tree-shaken), loaded with the diagnosis panel rather than with
 * the map. Locale: ECharts' built-in ZH (default) or EN, following the interface language.
 */
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components'

use([CanvasRenderer, BarChart, LineChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent])

export const echartsLocale = (locale: string) => (locale.startsWith('zh') ? 'ZH' : 'EN')
export const CHART_FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', system-ui, sans-serif"

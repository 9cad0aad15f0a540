/**
 * The real geography the DEM is shaped on, drawn by hand: Hunan's extent, the courses of the four main
 * rivers (湘江, 资水, 沅江, 澧水) with bed elevations, and Dongting Lake's three lobes. Coordinates WGS84.
 */
export type LonLat = [number, number]

/** Hunan's extent (counties' bbox 108.79–114.26 E, 24.64–30.13 N) padded by ~0.1–0.2°. */
export const HUNAN_DEM_BOUNDS = { west: 108.6, south: 24.5, east: 114.4, north: 30.3 } as const
/** ≈ 245 m × 277 m at 28° N. */
export const DEFAULT_CELL_DEG = 0.0025
/** Dongting Lake surface; the lake cells of the DEM are flat at this level. */
export const LAKE_SURFACE_M = 30

export interface MainRiverSpec {
  name: string
  nameEn: string
  /** [lon, lat, bed elevation m] from the upstream end to the mouth inside Dongting Lake. */
  controls: readonly (readonly [number, number, number])[]
}

/**
 * Approximate real courses through the towns they pass; the bed elevations are of the order of the
 * real water levels (Xiang ≈ 50 m at Hengyang, 30 m at Changsha; a drop at the Zhexi and Wuqiangxi
 * dams). Each river ends inside one lobe of Dongting Lake.
 */
export const MAIN_RIVERS: readonly MainRiverSpec[] = [
  {
    name: '湘江',
    nameEn: 'Xiang',
    controls: [
      [110.9, 25.9, 240], // from Guangxi (Quanzhou)
      [111.15, 26.15, 170], // Dong'an
      [111.4, 26.33, 120],
      [111.62, 26.25, 100], // Yongzhou, Lingling (Xiao joins)
      [111.76, 26.45, 90],
      [111.9, 26.58, 80], // Qiyang
      [112.15, 26.63, 70],
      [112.4, 26.75, 58],
      [112.6, 26.9, 50], // Hengyang
      [112.75, 27.08, 45],
      [112.86, 27.25, 42], // Hengshan
      [113.02, 27.48, 38],
      [113.12, 27.7, 36], // Lukou
      [113.1, 27.84, 35], // Zhuzhou
      [112.95, 27.87, 34], // Xiangtan
      [112.92, 28.02, 33],
      [112.96, 28.2, 32], // Changsha
      [112.88, 28.38, 31.6], // Wangcheng
      [112.89, 28.6, 31.2],
      [112.87, 28.78, 30.6], // Xiangyin
      [112.86, 28.97, 30], // East Dongting
    ],
  },
  {
    name: '资水',
    nameEn: 'Zi',
    controls: [
      [110.35, 26.32, 380], // Chengbu
      [110.5, 26.55, 350],
      [110.65, 26.72, 330], // Wugang
      [110.95, 26.95, 280],
      [111.25, 27.1, 240],
      [111.47, 27.24, 215], // Shaoyang
      [111.55, 27.45, 200],
      [111.45, 27.65, 185], // Lengshuijiang
      [111.3, 27.75, 175], // Xinhua
      [111.18, 27.95, 168],
      [111.08, 28.15, 160], // Zhexi reservoir
      [111.15, 28.32, 110], // below the Zhexi dam
      [111.22, 28.38, 100], // Anhua
      [111.45, 28.38, 90],
      [111.75, 28.45, 70],
      [112.05, 28.5, 45], // Taojiang
      [112.33, 28.57, 35], // Yiyang
      [112.4, 28.72, 32],
      [112.45, 28.9, 30], // South Dongting
    ],
  },
  {
    name: '沅江',
    nameEn: 'Yuan',
    controls: [
      [109.3, 26.95, 260], // from Guizhou (Jinping)
      [109.6, 27.1, 220], // Tuokou
      [109.95, 27.2, 190], // Hongjiang
      [110.0, 27.45, 175], // Zhongfang
      [110.1, 27.75, 160],
      [110.19, 28.0, 145], // Chenxi
      [110.22, 28.22, 130], // Luxi
      [110.4, 28.45, 110], // Yuanling
      [110.62, 28.55, 105],
      [110.85, 28.63, 100], // Wuqiangxi reservoir
      [111.05, 28.75, 55], // below the dam
      [111.3, 28.85, 45],
      [111.48, 28.9, 40], // Taoyuan
      [111.69, 29.03, 35], // Changde
      [111.85, 28.96, 33],
      [111.97, 28.91, 31], // Hanshou
      [112.06, 28.96, 30], // West Dongting
    ],
  },
  {
    name: '澧水',
    nameEn: 'Li',
    controls: [
      [109.85, 29.55, 560], // below Badagongshan
      [110.15, 29.4, 330], // Sangzhi
      [110.33, 29.2, 210],
      [110.48, 29.13, 165], // Zhangjiajie, Yongding
      [110.75, 29.28, 120],
      [111.0, 29.38, 95],
      [111.13, 29.43, 85], // Cili
      [111.38, 29.58, 60], // Shimen
      [111.6, 29.62, 45],
      [111.76, 29.63, 38], // Lixian
      [111.88, 29.6, 35], // Jinshi
      [111.98, 29.48, 33],
      [112.07, 29.36, 31],
      [112.12, 29.25, 30], // West Dongting
    ],
  },
]

/**
 * Dongting Lake as three lobes (West 目平湖, South, East), counter-clockwise and closed. They are
 * separate, as in the dry season; the plain between them is at 33–45 m.
 */
export const DONGTING_LAKE: readonly { name: string; ring: readonly LonLat[] }[] = [
  {
    name: '西洞庭湖',
    ring: closeRing([
      [111.99, 28.9],
      [112.06, 28.87],
      [112.15, 28.89],
      [112.23, 28.95],
      [112.27, 29.04],
      [112.25, 29.14],
      [112.2, 29.24],
      [112.15, 29.32],
      [112.09, 29.33],
      [112.06, 29.25],
      [112.02, 29.14],
      [111.97, 29.02],
    ]),
  },
  {
    name: '南洞庭湖',
    ring: closeRing([
      [112.36, 28.86],
      [112.46, 28.83],
      [112.58, 28.85],
      [112.68, 28.88],
      [112.73, 28.95],
      [112.68, 29.02],
      [112.58, 29.05],
      [112.48, 29.02],
      [112.4, 28.96],
      [112.35, 28.91],
    ]),
  },
  {
    name: '东洞庭湖',
    ring: closeRing([
      [112.8, 28.92],
      [112.88, 28.9],
      [112.95, 28.97],
      [113.02, 29.08],
      [113.07, 29.18],
      [113.1, 29.28],
      [113.12, 29.38],
      [113.14, 29.46],
      [113.09, 29.47],
      [113.03, 29.42],
      [112.97, 29.36],
      [112.92, 29.28],
      [112.87, 29.18],
      [112.83, 29.08],
      [112.79, 29.0],
    ]),
  },
]

function closeRing(points: LonLat[]): LonLat[] {
  let twiceArea = 0
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!
    const [x1, y1] = points[(i + 1) % points.length]!
    twiceArea += x0 * y1 - x1 * y0
  }
  const ccw = twiceArea > 0 ? points : [...points].reverse()
  return [...ccw, ccw[0]!]
}

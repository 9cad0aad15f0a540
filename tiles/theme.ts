import { POVERTY_CAUSES } from '../domain/codes.js'

/** Main poverty causes: categorical, 12 classes (ColorBrewer Paired), in POVERTY_CAUSES order. */
const PAIRED = ['#e31a1c', '#ff7f00', '#6a3d9a', '#1f78b4', '#b15928', '#a6cee3', '#33a02c', '#fb9a99', '#fdbf6f', '#cab2d6', '#b2df8a', '#999999']

/** The one palette: style paint and legends read the same values. */
export const theme = {
  background: '#f3f1ea',
  admin: { province: '#5a3e8e', prefecture: '#7b5aa6', county: '#9a7cc2', township: '#b9a7d6', village: '#d3c9e6', label: '#3b2d5c', halo: '#ffffff' },
  water: { fill: '#a9d3f0', line: '#5aa5d8', works: '#1f6fb2' },
  roads: { national: '#d9534f', provincial: '#f0ad4e', county: '#e6c35c', township: '#c9c9c9', village: '#dddddd', casing: '#ffffff' },
  schools: { county_middle: '#2e7d32', township_central: '#43a047', village_primary: '#81c784' },
  clinics: { county_hospital: '#c62828', township_health_centre: '#e53935', village_clinic: '#ef9a9a' },
  status: { poor: '#d7301f', lifted: '#1a9850', returned: '#7b3294' },
  projects: {
    road: '#8c510a', water: '#2166ac', housing: '#b35806', relocation: '#542788', industry: '#1b7837', education: '#4d9221', health: '#c51b7d',
  },
  villages: { poverty: '#fdd0a2', other: '#f7f7f7', outline: '#bdbdbd' },
  causes: Object.fromEntries(POVERTY_CAUSES.map((c, i) => [c, PAIRED[i]!])) as Readonly<Record<(typeof POVERTY_CAUSES)[number], string>>,
} as const

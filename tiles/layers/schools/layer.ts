import { facilityLayer } from '../../facility-layer.js'
import { theme } from '../../theme.js'

export default facilityLayer({
  id: 'schools',
  title: { zh: '学校', en: 'Schools' },
  description: 'County middle schools, township central schools, village primary schools (synthetic), capacity in pupils',
  levels: ['county_middle', 'township_central', 'village_primary'],
  levelNames: {
    county_middle: { zh: '县中学', en: 'County middle school' },
    township_central: { zh: '乡镇中心学校', en: 'Township central school' },
    village_primary: { zh: '村小学', en: 'Village primary school' },
  },
  colors: theme.schools,
  numberFields: ['capacity'],
})

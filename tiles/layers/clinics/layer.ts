import { facilityLayer } from '../../facility-layer.js'
import { theme } from '../../theme.js'

export default facilityLayer({
  id: 'clinics',
  title: { zh: '医疗机构', en: 'Clinics' },
  description: 'County hospitals, township health centres, village clinics (synthetic), beds and doctors',
  levels: ['county_hospital', 'township_health_centre', 'village_clinic'],
  levelNames: {
    county_hospital: { zh: '县医院', en: 'County hospital' },
    township_health_centre: { zh: '乡镇卫生院', en: 'Township health centre' },
    village_clinic: { zh: '村卫生室', en: 'Village clinic' },
  },
  colors: theme.clinics,
  numberFields: ['beds', 'doctors'],
})

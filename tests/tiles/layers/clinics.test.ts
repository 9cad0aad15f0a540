import { describeFacilityLayer } from '../facility-tests.js'

describeFacilityLayer({
  id: 'clinics',
  table: 'clinic',
  levels: ['county_hospital', 'township_health_centre', 'village_clinic'],
  insertMiddle: "INSERT INTO clinic (id, level, name, area_code, beds, doctors, geom) VALUES (11, 'township_health_centre', '双龙镇卫生院', '433124110', 40, 9, ST_SetSRID(ST_MakePoint($1, $2), 4326))",
  numberField: 'beds',
})

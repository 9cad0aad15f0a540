import { describeFacilityLayer } from '../facility-tests.js'

describeFacilityLayer({
  id: 'schools',
  table: 'school',
  levels: ['county_middle', 'township_central', 'village_primary'],
  insertMiddle: "INSERT INTO school (id, level, name, area_code, capacity, geom) VALUES (11, 'township_central', '双龙镇中心学校', '433124110', 600, ST_SetSRID(ST_MakePoint($1, $2), 4326))",
  numberField: 'capacity',
})

// Reconciliation tables: the boundary source against NBS 2023 county-level codes, by hand.

// Boundary features whose code/name is outdated: same territory, new NBS code.
export const RENAMED = [
  {
    boundaryCode: '430124', boundaryName: '宁乡县', nbsCode: '430182',
    note: '宁乡县 was converted into the county-level city 宁乡市 (2017); same territory, new code.',
  },
  {
    boundaryCode: '430221', boundaryName: '株洲县', nbsCode: '430212',
    note: '株洲县 was abolished and its whole territory became 渌口区 of 株洲市 (2018); new code.',
  },
  {
    boundaryCode: '430521', boundaryName: '邵东县', nbsCode: '430582',
    note: '邵东县 was converted into the county-level city 邵东市 (2019); same territory, new code.',
  },
  {
    boundaryCode: '431121', boundaryName: '祁阳县', nbsCode: '431181',
    note: '祁阳县 was converted into the county-level city 祁阳市 (2021); same territory, new code.',
  },
];

// NBS county-level codes that are development / management zones without an outline of their
// own. boundaryParent = the boundary county whose outline contains the zone's territory.
// probe = an approximate point (lon, lat; +-a few km) inside the zone, used only to check that
// it falls inside the chosen parent outline.
export const ZONES = [
  {
    code: '430371', boundaryParent: '430304', probe: [112.97, 27.84],
    note: 'Xiangtan high-tech zone (板塘街道, 双马街道): east-bank urban area of Xiangtan, subdistricts taken from 岳塘区 (from secondary sources); inside the 岳塘区 outline.',
  },
  {
    code: '430372', boundaryParent: '430304', probe: [113.04, 27.95],
    note: 'Zhaoshan demonstration zone (昭山镇): east bank of the Xiang north of Xiangtan city, believed to be the former 岳塘区 昭山乡 (not checked against an official source); inside the 岳塘区 outline.',
  },
  {
    code: '430373', boundaryParent: '430302', probe: [112.88, 27.98],
    note: 'Jiuhua demonstration zone (九华/和平街道, 响水乡): west bank of the Xiang north of Xiangtan city, carved from 雨湖区 (earlier 湘潭县); inside the 雨湖区 outline.',
  },
  {
    code: '430473', boundaryParent: '430407', probe: [112.62, 26.99],
    note: 'Hengyang Songmu economic development zone (松木工业园): northern outskirts of Hengyang, believed to be the former 石鼓区 松木乡 (not checked against an official source); inside the 石鼓区 outline.',
  },
  {
    code: '430476', boundaryParent: '430408', probe: [112.56, 26.89],
    note: 'Hengyang high-tech zone (华兴街道, a 蒸湘区 subdistrict entrusted to the zone); inside the 蒸湘区 outline.',
  },
  {
    code: '430671', boundaryParent: '430681', probe: [112.93, 28.88],
    note: 'Quyuan management district (营田镇, 河市镇, 凤凰乡, 天问街道): former state farm; its townships are legally 汨罗市 units administered by the district, and the 汨罗市 outline of the boundary source includes them (west lobe at the Miluo river mouth).',
  },
  {
    code: '430771', boundaryParent: '430703', probe: [111.9, 29.07],
    note: 'West Dongting management district (祝丰镇, 龙泉/金凤街道): former state farm; 祝丰镇 was set up under 鼎城区 in 2001 and is surrounded by 鼎城区 towns; inside the 鼎城区 outline.',
  },
  {
    code: '430971', boundaryParent: '430921', probe: [112.5, 29.2],
    note: 'Datonghu management district (河坝/北洲子/金盆/千山红镇): former state farms around 大通湖 (112.26-112.70E, 29.02-29.32N); that area lies inside the 南县 outline.',
  },
  {
    code: '430972', boundaryParent: '430903', probe: [112.4, 28.52],
    note: 'Yiyang high-tech zone (朝阳街道, 谢林港镇): former 赫山区 units; inside the 赫山区 outline.',
  },
  {
    code: '431171', boundaryParent: '431103', probe: [111.62, 26.45],
    note: 'Yongzhou economic and technological development zone (仁湾街道, ex 凤凰园 zone): former 冷水滩区 territory; inside the 冷水滩区 outline.',
  },
  {
    code: '431173', boundaryParent: '431125', probe: [111.33, 25.17],
    note: 'Huilongxu management district (回龙圩镇): former state farm, attached to 江永县 from 1969 (25.10-25.23N, 111.28-111.40E); inside the 江永县 outline.',
  },
  {
    code: '431271', boundaryParent: '431281', probe: [110.0, 27.12],
    note: 'Hongjiang management district: the old county-level city 洪江 merged into today\'s 洪江市 in 1997; inside the 洪江市 outline.',
  },
];

/**
 * Hunan's 51 designated poverty counties (贫困县) of 2014–2020: 40 national ones (37 in the Wuling and
 * Luoxiao contiguous poverty areas, 3 national key counties outside them: 平江, 新田, 江华) and 11
 * provincial ones. Basis: the provincial government's exit approvals — 2016: 洪江区 (the 洪江 management
 * district, 431271), 武陵源区; 2017: 祁东, 双牌, 江永, 宁远, 鹤城区, 洪江市, 吉首 (湘政函〔2018〕45号) plus
 * 茶陵, 炎陵, 石门 and two of the next six; 2018: 新邵, 绥宁, 武冈, 永定区, 慈利, 安化, 江华, 辰溪, 新晃,
 * 芷江, 会同, 靖州, 双峰 (second batch) plus four more; 2019: the last 20 (湘政函〔2020〕17号). The six
 * not seen in a batch list (平江, 汝城, 桂东, 宜章, 安仁, 中方) are inferred: the 20 national key counties and
 * the 6 Luoxiao counties are certain, 中方 is the remaining Wuling county that makes 51. Uncertain are
 * therefore only 中方县 and the exact national/provincial split, which this flag does not carry.
 */
export const POVERTY_COUNTY_CODES: ReadonlySet<string> = new Set([
  '430224', // 茶陵县 (Luoxiao)
  '430225', // 炎陵县 (Luoxiao)
  '430426', // 祁东县 (provincial)
  '430522', // 新邵县
  '430523', // 邵阳县 (national key)
  '430524', // 隆回县 (national key)
  '430525', // 洞口县
  '430527', // 绥宁县
  '430528', // 新宁县
  '430529', // 城步苗族自治县 (national key)
  '430581', // 武冈市
  '430626', // 平江县 (national key)
  '430726', // 石门县
  '430802', // 永定区 (provincial)
  '430811', // 武陵源区 (provincial)
  '430821', // 慈利县
  '430822', // 桑植县 (national key)
  '430923', // 安化县 (national key)
  '431022', // 宜章县 (Luoxiao)
  '431026', // 汝城县 (national key, Luoxiao)
  '431027', // 桂东县 (national key, Luoxiao)
  '431028', // 安仁县 (Luoxiao)
  '431123', // 双牌县 (provincial)
  '431125', // 江永县 (provincial)
  '431126', // 宁远县 (provincial)
  '431128', // 新田县 (national key)
  '431129', // 江华瑶族自治县 (national key)
  '431202', // 鹤城区 (provincial)
  '431221', // 中方县 (inferred, see above)
  '431222', // 沅陵县 (national key)
  '431223', // 辰溪县
  '431224', // 溆浦县
  '431225', // 会同县
  '431226', // 麻阳苗族自治县
  '431227', // 新晃侗族自治县
  '431228', // 芷江侗族自治县
  '431229', // 靖州苗族侗族自治县
  '431230', // 通道侗族自治县 (national key)
  '431271', // 怀化市洪江管理区 = 洪江区 (provincial; a zone without an outline)
  '431281', // 洪江市 (provincial)
  '431321', // 双峰县 (provincial)
  '431322', // 新化县 (national key)
  '431382', // 涟源市
  '433101', // 吉首市 (provincial)
  '433122', // 泸溪县 (national key)
  '433123', // 凤凰县 (national key)
  '433124', // 花垣县 (national key)
  '433125', // 保靖县 (national key)
  '433126', // 古丈县 (national key)
  '433127', // 永顺县 (national key)
  '433130', // 龙山县 (national key)
])

/**
 * Digests of the generated data recorded from the generators before they were split into modules
 * (dataset-digest.ts says how they are computed). Change them only with GENERATOR_VERSION.
 */
export const STAND_IN_PROVINCE_SEED_21 = {
  admin_area: '077f4826ce1dbe550166519b0cf9860ad69fb8f235714bab5a554ea38c933dfa',
  clinic: '4a81a8963cc67a209f3a0bd4227ead1595076e25946e6a770b2e8eead23ddd97',
  household: 'b9c4aa54f46b8f5717b4b0cc0b766c58af231863332adfc3a210890f333027c8',
  household_year: '75bfd8b2025ce5d1c602d31f898eaf444c35ec32b5594cbc4504c694d987b7ed',
  indicator_value: '7ff87e0d9350c65f5d218b5f402fd00868baeab30a2af6c8543b3e5a734a3e9e',
  member: '2edde44959243f19a6597647a0cc635dfe3e9955995143d7c97e4a96fdf3fb44',
  project: '30ef0b58bfa4a6189d37c08a5d5edf8dae2ef020e4ef49ba2e66f71a2eeade7b',
  road: '4f527500524226cfd049c8ea43ac43f00fb88f48177f68b864fc0f749f4e4a75',
  school: 'd9b6a9ee514908862727930195a4bd621cdc1d903862266bf93181ae156de2c0',
  water: 'b6d77f4412d5685c2423905d132abfd5c4be65142981f0df1c33117b071ab2d7',
}

export const DEMO_SEED_1 = {
  generator_version: 'povmap-geodata/1.1.0',
  registryCounts: { household: 215909, household_year: 1487348, member: 820735 },
  admin_area: 'baf2729bd1b00a6a992e21228b1bab085655d36b863b39dcb79b92c5783648e2',
  indicator_def: 'b75ebe5abf50f7e8e47dac3f7d12581197d6a677f47d2fac48413fbf3e8ce118',
  indicator_value: 'ac8440c86fdbac4870030b8b8200d207d4d782435e1a4c59e0f610339bfd0d24',
  road: '54534b40c84699f11bce401fa0c60c74fb12427c5e45c29b1fc5ab21c8fe43a7',
  water: '51a2bd32cebe88dd392b77a6fbd9db37795cf89d79e7c1af62728c12710de173',
  school: 'eeca13a84bb54bc72ecc92f04f2406aea00dd0ea22a14068299b49c7875ff086',
  clinic: 'dc84e67900efa73aeaef61f2baf535a7ecee75e675e0c50af4ba590d869c2177',
  household: '61f74093306a111d5d01e0526049aacfe354ee492ff3e0b8a1779cfe9ffb07d4',
  household_year: '834b2c5a28ffbf69db825d4c4eed0469dd61796d09742a2fe5e345f43f2a2a12',
  member: '66eda2e7c8e5359f46a4413fd6fb99ad473f6f5d089b3abc1c7d7c4d7ed00efa',
  project: 'ec3c9a810fbab7e21ab7e43ea7d9b60066d674d82ccdd53dad97c8aeaea1116c',
  terrain: '61a019e05d3397cd5f6395c2b16b4fbb282d2b7588e05ab1ca618be03fdd07fd',
}

/** sha256 over the digests above: the one figure to quote. */
export const DEMO_SEED_1_WHOLE = '273ac8ab0cdd78f36cf3baf888594f8700252d68237bfff0dbf87795b4d7673d'

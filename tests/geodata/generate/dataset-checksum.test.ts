import { describe, expect, it } from 'vitest'
import { generateDataset } from '../../../geodata/generate/index.js'
import { serverUrl } from '../../helpers/test-db.js'
import { datasetDigests, digestOfDigests, digestRows } from './dataset-digest.js'
import { DEMO_SEED_1, DEMO_SEED_1_WHOLE, STAND_IN_PROVINCE_SEED_21 } from './recorded-digests.js'
import { runStandIn } from './stand-in.js'

/**
 * The generators' output, value for value, as recorded (recorded-digests.ts): refactoring a generator
 * must not move a single number. When a change of output is meant, bump GENERATOR_VERSION and record
 * the new digests (a failure prints them).
 */
describe('generated data checksums', () => {
  it('every generator after the partition, on the stand-in at province scale', () => {
    const run = runStandIn(21, 'province')
    const digests = {
      admin_area: digestRows(run.areas),
      road: digestRows(run.roads.rows),
      water: digestRows(run.facilities.supplyWorks),
      school: digestRows(run.facilities.school),
      clinic: digestRows(run.facilities.clinic),
      household: digestRows(run.households.household),
      household_year: digestRows(run.households.household_year),
      member: digestRows(run.households.member),
      project: digestRows(run.projects),
      indicator_value: digestRows(run.indicators),
    }
    expect(digests).toEqual(STAND_IN_PROVINCE_SEED_21)
  })

  // A minute of CPU and no database: once, in the embedded pass.
  it.skipIf(serverUrl)(
    'generateDataset demo, seed 1: every table and the DEM',
    () => {
      const { generator_version: _v, registryCounts: _c, ...digests } = datasetDigests(generateDataset({ scale: 'demo', seed: 1 }))
      expect({ generator_version: _v, registryCounts: _c, ...digests }).toEqual(DEMO_SEED_1)
      expect(digestOfDigests(digests)).toBe(DEMO_SEED_1_WHOLE)
    },
    600_000,
  )
})

import { describe, expect, it } from 'vitest'
import { GENERATION_STEPS, type GenerationStep } from '../../../../geodata/generate/steps.js'
import { generateInWorker } from '../../../../geodata/generate/worker/generate-in-worker.js'
import { serverUrl } from '../../../helpers/test-db.js'
import { datasetDigests } from '../dataset-digest.js'
import { DEMO_SEED_1 } from '../recorded-digests.js'

describe('generateInWorker', () => {
  // A minute of CPU and no database: once, in the embedded pass.
  it.skipIf(serverUrl)(
    'posts its progress step by step and hands over the dataset generateDataset makes in-thread (demo, seed 1)',
    async () => {
      const progress: [number, GenerationStep][] = []
      const d = await generateInWorker({ scale: 'demo', seed: 1 }, { onProgress: (fraction, step) => progress.push([fraction, step]) })
      expect(datasetDigests(d)).toEqual(DEMO_SEED_1)
      // The DEM came over as a Terrain again, not as bare data.
      expect(d.terrain.elevation(109.5, 28.3)).toBeGreaterThan(0)

      const fractions = progress.map(([f]) => f)
      expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true)
      expect(fractions[0]).toBe(0)
      expect(fractions.at(-1)).toBe(1)
      // Every step, in order, and the long ones in many reports (the bar moves while they run).
      const steps = [...new Set(progress.map(([, s]) => s))]
      expect(steps).toEqual(GENERATION_STEPS.map((s) => s.step))
      expect(progress.filter(([, s]) => s === 'partition').length).toBeGreaterThan(50)
      expect(progress.filter(([, s]) => s === 'households').length).toBeGreaterThan(50)
    },
    600_000,
  )

  it('stops the worker when asked, and refuses the province scale (its registry streams where it loads)', async () => {
    const stop = new AbortController()
    const started = Date.now()
    const generating = generateInWorker({ scale: 'demo', seed: 1 }, { signal: stop.signal, onProgress: () => stop.abort(new Error('stopped by the test')) })
    await expect(generating).rejects.toThrow('stopped by the test')
    expect(Date.now() - started).toBeLessThan(30_000)
    await expect(generateInWorker({ scale: 'province', seed: 1 })).rejects.toThrow(/only the demo scale/)
  })
})

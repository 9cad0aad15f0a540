/** Road links: candidate village links ranked by the poor households' minutes saved to their township seat per km. */
import type { Static } from 'typebox'
import type { ScopedDb } from '../db/caller-transactions.js'
import type { RoadLinksBody } from '../../domain/siting/schemas.js'
import { distanceM } from '../../domain/siting/network.js'
import type { DemandGroup } from '../../domain/siting/engine.js'
import type { LinksAnswer } from './engine-protocol.js'
import type { SitingService } from './siting-service.js'
import { areaOf, planningYear, pointsInArea, SitingInputError } from './siting-run.js'
import * as Q from './siting-queries.js'

/** Generated candidates: the nearest pairs of village seats within maxKm, at most this many. */
export const MAX_GENERATED = 40

type Body = Static<typeof RoadLinksBody>
type End = { lon: number; lat: number; code?: string; name?: string }

export async function runRoadLinks(service: SitingService, db: ScopedDb, body: Body, onError: (err: unknown) => void = () => {}) {
  const started = Date.now()
  const maxM = (body.maxKm ?? 3) * 1000
  const prep = await db.run(async (tx) => {
    const area = await areaOf(tx, body.area)
    let links: { from: End; to: End }[]
    if (body.links) {
      const ends = body.links.flatMap((l) => [l.from, l.to])
      const inside = await pointsInArea(tx, area.code, ends)
      if (ends.some((_, i) => !inside.has(i))) throw new SitingInputError(`a drawn link leaves area ${area.code}`)
      if (body.links.some((l) => distanceM(l.from.lon, l.from.lat, l.to.lon, l.to.lat) < 1)) throw new SitingInputError('a drawn link has no length')
      links = body.links
    } else {
      const seats = (await tx.query<{ code: string; name: string; lon: number; lat: number }>(Q.VILLAGE_SEATS, [area.code])).rows
      const pairs: { from: End; to: End; m: number }[] = []
      for (let i = 0; i < seats.length; i++)
        for (let j = i + 1; j < seats.length; j++) {
          const m = distanceM(seats[i]!.lon, seats[i]!.lat, seats[j]!.lon, seats[j]!.lat)
          if (m <= maxM) pairs.push({ from: seats[i]!, to: seats[j]!, m })
        }
      links = pairs.sort((a, b) => a.m - b.m).slice(0, MAX_GENERATED)
    }
    const year = body.year ?? (await planningYear(tx, area.code, 0))
    const seatsOf = new Map((await tx.query<{ code: string; lon: number; lat: number }>(Q.VILLAGE_TOWNSHIP_SEATS, [area.code])).rows.map((r) => [r.code, [r.lon, r.lat]]))
    return { area, links, year, seatsOf }
  })
  await service.forRequest(onError)
  const demand = (await db.query<{ villageCode: string; node: number | null; walkS: number | null; poor: boolean; households: number; people: number }>(Q.DEMAND, [body.area, prep.year])).rows
  const rows = demand.filter((d) => d.poor && d.node !== null && prep.seatsOf.has(d.villageCode))
  const groups: DemandGroup[] = rows.map((d) => ({ node: d.node!, walkS: d.walkS ?? 0, people: d.people, households: d.households }))
  const ans = prep.links.length
    ? await service.run<LinksAnswer>({
        op: 'links',
        links: prep.links.map((l) => ({ from: [l.from.lon, l.from.lat], to: [l.to.lon, l.to.lat] })),
        groups,
        seats: rows.map((d) => prep.seatsOf.get(d.villageCode)!),
        target: new Uint8Array(groups.length).fill(1),
      })
    : { savedMinutes: [], km: [], households: [] }
  const links = prep.links
    .map((l, i) => ({ from: l.from, to: l.to, km: ans.km[i]!, savedMinutes: ans.savedMinutes[i]!, households: ans.households[i]!, perKm: ans.km[i]! > 0 ? ans.savedMinutes[i]! / ans.km[i]! : 0 }))
    .filter((l) => body.links !== undefined || l.savedMinutes > 0)
    .sort((a, b) => b.perKm - a.perKm)
  return { links, year: prep.year, elapsedMs: Date.now() - started }
}

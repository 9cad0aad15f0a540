import { metresPerDegree } from '../../geodata/terrain-format.js'

/** Points every `stepM` metres along a line, the last vertex included. */
export function sampleAlong(line: readonly (readonly number[])[], stepM: number): [number, number][] {
  const out: [number, number][] = [[line[0]![0]!, line[0]![1]!]]
  let carry = 0
  for (let k = 0; k + 1 < line.length; k++) {
    const [ax, ay] = [line[k]![0]!, line[k]![1]!]
    const [bx, by] = [line[k + 1]![0]!, line[k + 1]![1]!]
    const m = metresPerDegree((ay + by) / 2)
    const len = Math.hypot((bx - ax) * m.lon, (by - ay) * m.lat)
    let d = stepM - carry
    while (d <= len) {
      out.push([ax + ((bx - ax) * d) / len, ay + ((by - ay) * d) / len])
      d += stepM
    }
    carry = len - (d - stepM)
  }
  const last = line[line.length - 1]!
  out.push([last[0]!, last[1]!])
  return out
}

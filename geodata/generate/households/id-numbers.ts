/** Citizen ID numbers (GB 11643): check digit, validity, and unique allocation per county, date and sex. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** The 18th character of a citizen ID number from its first 17 digits (GB 11643-1999). */
export function gb11643CheckDigit(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error(`gb11643CheckDigit: expected 17 digits, got ${JSON.stringify(first17)}`)
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!
  return ID_CHECK[sum % 11]!
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Well-formed, a real calendar date and a correct check digit. */
export function isValidIdNumber(id: string): boolean {
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return false
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  if (y < 1880 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false
  return gb11643CheckDigit(id.slice(0, 17)) === id[17]
}

/** Days since 1900-01-01 (proleptic Gregorian), without Date. */
function dayNumber(y: number, m: number, d: number): number {
  const a = m <= 2 ? y - 1 : y
  const era = Math.floor(a / 400)
  const yoe = a - era * 400
  const mp = (m + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 693_901
}

const ID_DAYS = 50_000

/** Hands out ID numbers unique per (county, birth date, sex): sequence odd for men, even for women. */
export class IdNumberAllocator {
  private readonly counters = new Map<string, Uint16Array>()

  next(county: string, year: number, month: number, day: number, sex: 'M' | 'F'): string {
    let counts = this.counters.get(county)
    if (!counts) this.counters.set(county, (counts = new Uint16Array(ID_DAYS * 2)))
    let y = year
    let m = month
    let d = day
    for (;;) {
      const slot = Math.max(0, Math.min(ID_DAYS - 1, dayNumber(y, m, d))) * 2 + (sex === 'M' ? 0 : 1)
      const k = counts[slot]!
      if (k < 499) {
        counts[slot] = k + 1
        const seq = sex === 'M' ? 2 * k + 1 : 2 * k + 2
        const first17 = `${county}${String(y).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`
        return first17 + gb11643CheckDigit(first17)
      }
      // That date is full for this county and sex: take the next day.
      d++
      if (d > daysInMonth(y, m)) {
        d = 1
        m++
        if (m > 12) {
          m = 1
          y++
        }
      }
    }
  }
}

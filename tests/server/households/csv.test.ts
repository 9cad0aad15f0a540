import { describe, expect, it } from 'vitest'
import { csvCell, csvDocument } from '../../../server/households/csv.js'

describe('csv', () => {
  it('cells: quoted when needed, formulas neutralised', () => {
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(null)).toBe('')
  })

  it('a document: byte-order mark, header line, CRLF line ends', () => {
    expect(csvDocument(['a', 'b'], [{ a: 1, b: 'x,y' }, { a: null }])).toBe('\uFEFFa,b\r\n1,"x,y"\r\n,\r\n')
  })
})

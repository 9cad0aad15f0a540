/**
 * The household list's filters, sort and page as GET /api/households's query string. The server pages
 * (a few thousand households per township): the client asks for one page at a time, never for all.
 */
export const PAGE_SIZES = [20, 50, 100] as const
/** The server's sort keys (domain/schemas/registry.ts HOUSEHOLD_SORTS without the leading minus). */
export const SORT_KEYS = ['village', 'status', 'size', 'income', 'updated'] as const
export type SortKey = (typeof SORT_KEYS)[number]

export interface HouseholdFilters {
  status: string[]
  cause: string[]
  gap: string[]
  /** Free text: a ref, a village name or code (the server decides what it matches). */
  q: string
}
export interface HouseholdListState {
  area: string
  /** The registry year whose status, income and gaps the list shows (the map's). */
  year: number
  filters: HouseholdFilters
  sort: SortKey | null
  order: 'asc' | 'desc'
  /** 1-based. */
  page: number
  pageSize: number
}

export const NO_FILTERS: Readonly<HouseholdFilters> = { status: [], cause: [], gap: [], q: '' }

export const MAX_QUERY = 40

export function householdListQuery(s: HouseholdListState): string {
  const q = new URLSearchParams()
  q.set('area', s.area)
  q.set('year', String(s.year))
  if (s.filters.status.length) q.set('status', s.filters.status.join(','))
  if (s.filters.cause.length) q.set('cause', s.filters.cause.join(','))
  if (s.filters.gap.length) q.set('gap', s.filters.gap.join(','))
  const text = s.filters.q.trim().slice(0, MAX_QUERY)
  if (text) q.set('q', text)
  if (s.sort) q.set('sort', s.order === 'desc' ? `-${s.sort}` : s.sort)
  q.set('page', String(s.page))
  q.set('pageSize', String(s.pageSize))
  return q.toString()
}

/** The number of pages of `total` rows; at least one, so that "page 1 of 1" shows an empty list. */
export const pageCount = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / pageSize))

/** A page inside the range after the total changed (filters narrowed the list). */
export const clampPage = (page: number, total: number, pageSize: number) => Math.min(Math.max(1, page), pageCount(total, pageSize))

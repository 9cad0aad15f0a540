import { computed, type Ref } from 'vue'
import { api } from '../api/endpoints.js'
import type { Area } from '../../../domain/schemas/areas.js'
import { lineage } from '../areas/codes.js'
import { useRequest } from './useRequest.js'

/** The selected area and its ancestors, province first (for the breadcrumb). */
export function useAreaLineage(code: Ref<string>) {
  const req = useRequest<string, Area[]>(code, (c, signal) => Promise.all(lineage(c).map((p) => api.area(p, signal))))
  const areas = computed(() => req.data.value ?? [])
  return { ...req, areas }
}

import indicatorRoutes from './indicator-routes.js'
import areaDiagnosis from './area-routes.js'

/**
 * The diagnosis capability: indicator definitions and the inspection ranking (GET /api/indicators,
 * /api/inspection), and the sub-resources it adds to an area, which the areas capability mounts under
 * /api/areas/:code (indicators, children/indicator, diagnosis, projects).
 */
export { areaDiagnosis }
export default indicatorRoutes

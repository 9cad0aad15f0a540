import type { FastifyPluginAsync } from 'fastify'

/** Routes of the cross-checks capability (数据比对, 错评漏评 flags; registered by app.ts). */
const crosschecks: FastifyPluginAsync = async () => {}

export default crosschecks

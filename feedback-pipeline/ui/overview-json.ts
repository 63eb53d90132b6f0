/**
 * The overview as JSON for scripts: `metricops status -o json` and the UI's GET /api/overview. The schema below is
 * the documented contract (docs/status.schema.json is generated from it, and a unit test keeps the two equal):
 * every field is always present (null when unknown), numbers are Prometheus' values (null for no data, NaN or Inf).
 */
import { z } from 'zod';
import { DEPLOYMENT_STATUSES, type Overview, type Reading } from './view-model.js';

const images = z.record(z.string(), z.string()).describe('container name -> image (init containers as init:<name>), from metricops.io/images');
const time = z.string().describe('RFC 3339');

export const statusSchema = z
  .strictObject({
    apiVersion: z.literal('metricops.io/v1alpha1'),
    kind: z.literal('Status'),
    generatedAt: time,
    prometheus: z.strictObject({
      state: z.enum(['off', 'ok', 'failed']).describe('off: no --prometheus-url; failed: a call failed or timed out (message says which)'),
      url: z.string().nullable(),
      at: time.nullable().describe('evaluation time of every instant query'),
      problem: z.enum(['unreachable', 'timeout', 'http-error', 'bad-answer', 'query-error']).nullable(),
      message: z.string().nullable(),
    }),
    filter: z.strictObject({ namespace: z.string().nullable(), name: z.string().nullable() }),
    guarded: z.number().int().min(0).describe('guarded Deployments before the filter'),
    matched: z.number().int().min(0).describe('guarded Deployments the filter keeps'),
    page: z.number().int().min(1),
    pages: z.number().int().min(1),
    perPage: z.number().int().min(1),
    deployments: z.array(
      z.strictObject({
        namespace: z.string(),
        name: z.string(),
        status: z.enum(DEPLOYMENT_STATUSES as [string, ...string[]]),
        statusReason: z.string(),
        images,
        deployedAt: time.nullable(),
        slos: z.array(
          z.strictObject({
            id: z.string().describe('the SLO name: its alerts\' slo label, its rules\' sloth_id'),
            budgetRemaining: z.number().nullable().describe('slo:period_error_budget_remaining:ratio (1 = untouched, below 0 = exhausted)'),
            currentBurnRate: z.number().nullable().describe('slo:current_burn_rate:ratio (5m error ratio / error budget)'),
          }),
        ),
        guards: z.array(
          z.strictObject({
            alert: z.string(),
            severity: z.string(),
            slo: z.string().nullable(),
            state: z.enum(['firing', 'pending', 'inactive', 'unknown']),
          }),
        ),
        lastRollback: z
          .strictObject({
            time,
            reason: z.string(),
            alert: z.string(),
            from: z.strictObject({ revision: z.number().int().nullable(), replicaSet: z.string().nullable(), images }),
            to: z.strictObject({ revision: z.number().int(), replicaSet: z.string(), images }),
          })
          .nullable(),
        problems: z.array(z.string()).describe('annotations that could not be read'),
      }),
    ),
  })
  .describe('metricops status -o json: every guarded Deployment, its SLOs\' error budgets and its last rollback');

export type StatusJson = z.output<typeof statusSchema>;

function numberOf(reading: Reading | undefined): number | null {
  return reading?.value ?? null;
}

export function statusJson(overview: Overview): StatusJson {
  const { prometheus, query } = overview;
  return {
    apiVersion: 'metricops.io/v1alpha1',
    kind: 'Status',
    generatedAt: overview.generatedAt,
    prometheus: {
      state: prometheus.state,
      url: prometheus.state === 'off' ? null : prometheus.url,
      at: prometheus.state === 'off' ? null : prometheus.at,
      problem: prometheus.state === 'failed' ? prometheus.problem : null,
      message: prometheus.state === 'failed' ? prometheus.message : null,
    },
    filter: { namespace: query.namespace ?? null, name: query.name ?? null },
    guarded: overview.guarded,
    matched: overview.matched,
    page: query.page,
    pages: overview.pages,
    perPage: query.perPage,
    deployments: overview.rows.map((row) => ({
      namespace: row.namespace,
      name: row.name,
      status: row.status,
      statusReason: row.statusReason,
      images: row.images,
      deployedAt: row.deployedAt ?? null,
      slos: row.slos.map((slo) => ({ id: slo.id, budgetRemaining: numberOf(slo.budgetRemaining), currentBurnRate: numberOf(slo.currentBurnRate) })),
      guards: row.guards.map((guard) => ({ alert: guard.alert, severity: guard.severity, slo: guard.slo ?? null, state: guard.state })),
      lastRollback: row.lastRollback
        ? {
            time: row.lastRollback.time,
            reason: row.lastRollback.reason,
            alert: row.lastRollback.alert,
            from: { revision: row.lastRollback.from.revision ?? null, replicaSet: row.lastRollback.from.replicaSet ?? null, images: row.lastRollback.from.images },
            to: { revision: row.lastRollback.to.revision, replicaSet: row.lastRollback.to.replicaSet, images: row.lastRollback.to.images },
          }
        : null,
      problems: row.problems,
    })),
  };
}

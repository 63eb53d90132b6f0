/**
 * Builds the Kubernetes side of the feedback pipeline from one KubeConfig: the informer cache (read), the cluster
 * actuator (actuators/cluster-rollback.ts) and the Event recorder (recorders/event-recorder.ts). main.ts wires:
 *   const k8s = createKubernetesAdapters(loadKubeConfig(...), logger, clock);
 *   await k8s.start(); new FeedbackPipeline({ cache: k8s.cache, executor: k8s.executor, recorders: [k8s.eventRecorder, ...] })
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { KubernetesEventRecorder, type EventRecorderSettings } from '../recorders/event-recorder.js';
import { InformerCache, type InformerCacheSettings } from './informer-cache.js';
import { KubernetesRollbackExecutor, type RollbackExecutorSettings } from '../actuators/cluster-rollback.js';

export interface KubernetesAdapterSettings {
  cache?: InformerCacheSettings;
  executor?: RollbackExecutorSettings;
  events?: EventRecorderSettings;
}

export interface KubernetesAdapters {
  cache: InformerCache;
  executor: KubernetesRollbackExecutor;
  eventRecorder: KubernetesEventRecorder;
  /** Starts the informers (returns once both have listed or failed; waitForSync() tells readiness). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createKubernetesAdapters(
  kubeConfig: KubeConfig,
  logger: Logger,
  clock: Clock = systemClock,
  settings: KubernetesAdapterSettings = {},
): KubernetesAdapters {
  const cache = new InformerCache(kubeConfig, logger.child({ part: 'informer' }), settings.cache);
  const executor = new KubernetesRollbackExecutor(kubeConfig, logger.child({ part: 'rollback' }), clock, settings.executor);
  const eventRecorder = new KubernetesEventRecorder(kubeConfig, cache, logger.child({ part: 'events' }), clock, settings.events);
  return { cache, executor, eventRecorder, start: () => cache.start(), stop: () => cache.stop() };
}

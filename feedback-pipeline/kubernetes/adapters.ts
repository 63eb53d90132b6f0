/**
 * Builds the Kubernetes side of the feedback pipeline from one connection (common/kube-connection.ts): the API client
 * (kubernetes/api-client.ts, one keep-alive pool), the informer cache (read), the cluster actuator
 * (actuators/cluster-rollback.ts), the Event recorder (recorders/event-recorder.ts) and, when asked for, the leader
 * elector (kubernetes/leader-election.ts). main.ts wires:
 *   const k8s = createKubernetesAdapters(await loadKubeConnection(...), logger, clock, { election });
 *   new FeedbackPipeline({ cache: k8s.cache, executor: k8s.executor, leadership: k8s.elector, recorders: [k8s.eventRecorder, ...] })
 */
import { systemClock, type Clock } from '../../common/clock.js';
import type { KubeConnection } from '../../common/kube-connection.js';
import type { Logger } from '../../common/logger.js';
import { KubernetesEventRecorder, type EventRecorderSettings } from '../recorders/event-recorder.js';
import { KubeApi, type KubeApiSettings } from './api-client.js';
import { InformerCache, type InformerCacheSettings } from './informer-cache.js';
import { LeaderElector, type ElectionClock, type LeaderElectionHooks, type LeaderElectionSettings } from './leader-election.js';
import { KubernetesRollbackExecutor, type RollbackExecutorSettings } from '../actuators/cluster-rollback.js';

export interface KubernetesAdapterSettings {
  api?: KubeApiSettings;
  cache?: InformerCacheSettings;
  executor?: RollbackExecutorSettings;
  events?: EventRecorderSettings;
  /** Leader election on a Lease; absent: this replica always acts. */
  election?: LeaderElectionSettings & { hooks?: LeaderElectionHooks; clock?: ElectionClock };
}

export interface KubernetesAdapters {
  api: KubeApi;
  cache: InformerCache;
  executor: KubernetesRollbackExecutor;
  eventRecorder: KubernetesEventRecorder;
  elector?: LeaderElector;
  /** Starts the informers and the election (returns once both informers have listed or failed once). */
  start(): Promise<void>;
  /** Releases the Lease (a leader), stops the informers, closes the connections. */
  stop(): Promise<void>;
}

export function createKubernetesAdapters(
  connection: KubeConnection,
  logger: Logger,
  clock: Clock = systemClock,
  settings: KubernetesAdapterSettings = {},
): KubernetesAdapters {
  const api = new KubeApi(connection, settings.api);
  const cache = new InformerCache(api, logger.child({ part: 'informer' }), settings.cache);
  const executor = new KubernetesRollbackExecutor(api, logger.child({ part: 'rollback' }), clock, settings.executor);
  const eventRecorder = new KubernetesEventRecorder(api, cache, logger.child({ part: 'events' }), clock, settings.events);
  const { hooks, clock: electionClock, ...election } = settings.election ?? {};
  const elector = settings.election
    ? new LeaderElector(api, election as LeaderElectionSettings, logger.child({ part: 'leader-election' }), electionClock, hooks)
    : undefined;
  return {
    api,
    cache,
    executor,
    eventRecorder,
    ...(elector ? { elector } : {}),
    async start() {
      elector?.start();
      await cache.start();
    },
    async stop() {
      await elector?.stop();
      await cache.stop();
      api.close();
    },
  };
}

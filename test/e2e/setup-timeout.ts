// The e2e tests wait on real processes (apiserver, Prometheus, Alertmanager): give each test three minutes.
import { jest } from '@jest/globals';

jest.setTimeout(180_000);

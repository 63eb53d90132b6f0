// Jest globalTeardown of the e2e project: stops the control plane globalSetup started (process groups, temp dir).
export default async function globalTeardown() {
  const controlPlane = globalThis.metricopsControlPlane;
  if (!controlPlane) return;
  globalThis.metricopsControlPlane = undefined;
  delete process.env.METRICOPS_E2E_KUBECONFIG;
  await controlPlane.stop();
}

{{/*
What the feedback pipeline may do: exactly the API calls in feedback-pipeline/kubernetes/, nothing else. The one
place to change them (and manifests/base/feedback-*.yaml to match: test/e2e/helm.test.ts compares the two installs).
*/}}

{{/*
Cluster-wide (ClusterRole <fullname>-feedback, bound by a ClusterRoleBinding):
- deployments: the informer cache lists and watches them in all namespaces (list, watch); the rollback reads one
  fresh (get) and patches its pod template back (patch, JSON patch guarded by resourceVersion)
- replicasets: one per revision, listed and watched to find the last good revision (list, watch); the revision
  rolled back from is marked metricops.io/bad-revision (patch)
- events (core v1): one Event per series of decisions on the Deployment (create); a repeated decision updates its
  Event's count and lastTimestamp (patch), as client-go's event recorder does
No get on secrets, no pods, no delete, no update, no scale subresource.
*/}}
{{- define "metricops.feedback.clusterRules" -}}
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["apps"]
  resources: ["replicasets"]
  verbs: ["list", "watch", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/*
Flux (ClusterRole <fullname>-feedback-flux, only with feedback.fluxReconcile; manifests/components/flux in the
kustomize install): exactly the calls of feedback-pipeline/actuators/flux-reconcile.ts.
- kustomizations: the status of the Kustomization that applies a held Deployment, and its sourceRef (get)
- gitrepositories: reconcile.fluxcd.io/requestedAt, to fetch the write-back now (patch)
*/}}
{{- define "metricops.feedback.fluxRules" -}}
- apiGroups: ["kustomize.toolkit.fluxcd.io"]
  resources: ["kustomizations"]
  verbs: ["get"]
- apiGroups: ["source.toolkit.fluxcd.io"]
  resources: ["gitrepositories"]
  verbs: ["patch"]
{{- end -}}

{{/*
In the release namespace only (Role <fullname>-feedback, bound by a RoleBinding; both rendered only when there is a
rule here). None today. Leader election will need its Lease here:
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
*/}}
{{- define "metricops.feedback.namespaceRules" -}}
{{- end -}}

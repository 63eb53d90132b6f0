{{/*
Names and labels shared by every template. With the release "metricops" the names are the kustomize install's
(metricops-webhook, metricops-feedback, ...), which test/e2e/helm.test.ts relies on to compare the two installs.
*/}}

{{/* The prefix of every name: fullnameOverride, else the release name (+ "-metricops" unless it has it already). */}}
{{- define "metricops.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "metricops.webhook.name" -}}{{ include "metricops.fullname" . }}-webhook{{- end -}}
{{- define "metricops.feedback.name" -}}{{ include "metricops.fullname" . }}-feedback{{- end -}}
{{- define "metricops.rules.name" -}}{{ .Values.webhook.rules.existingConfigMap | default (printf "%s-rules" (include "metricops.fullname" .)) }}{{- end -}}
{{- define "metricops.webhook.tlsSecretName" -}}
{{- if and (eq .Values.webhook.tls.source "secret") .Values.webhook.tls.secret.name -}}
{{- .Values.webhook.tls.secret.name -}}
{{- else -}}
{{- include "metricops.webhook.name" . }}-tls
{{- end -}}
{{- end -}}
{{/* The DNS name the apiserver dials, which the serving certificate must carry. */}}
{{- define "metricops.webhook.serviceHost" -}}{{ include "metricops.webhook.name" . }}.{{ .Release.Namespace }}.svc{{- end -}}

{{/* Labels on every object's metadata. */}}
{{- define "metricops.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/part-of: metricops
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/*
Selector labels of one component ("webhook" or "feedback-pipeline"): the kustomize install's, so the selectors
(immutable once created) are the same in both installs.
*/}}
{{- define "metricops.selectorLabels" -}}
app.kubernetes.io/name: {{ .context.Chart.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Metadata labels of one component's Deployment and Service: the common labels and its component. */}}
{{- define "metricops.componentLabels" -}}
{{ include "metricops.labels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image reference: repository@digest, else repository:tag (tag defaults to the chart's appVersion). */}}
{{- define "metricops.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/*
The pod and container security contexts of every metricops pod: Pod Security "restricted" (uid/gid 65532, the
image's user), a read-only root filesystem, no privilege escalation, no capabilities.
*/}}
{{- define "metricops.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}
{{- define "metricops.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The PodDisruptionBudget of one component, when its values enable it. */}}
{{- define "metricops.podDisruptionBudget" -}}
{{- if .values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "metricops.labels" .context | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "metricops.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Scheduling fields of one component's pod spec (nodeSelector, tolerations, priorityClassName, imagePullSecrets). */}}
{{- define "metricops.podScheduling" -}}
{{- with .context.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

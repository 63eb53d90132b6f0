{{/*
The webhook's serving certificate when the chart makes it (webhook.tls.source "helm"), as JSON {ca, cert, key}
(PEM). Kept across upgrades: the Secret already in the cluster is reused when it is complete (and signed by
webhook.tls.helm.caCert, when that is given), so an upgrade never changes the certificate under running pods.
`helm template` and client-side dry runs cannot look it up: they render a new one each time.
Called once per render, from webhook-configuration.yaml, which holds both the Secret and the caBundle.
*/}}
{{- define "metricops.webhook.helmCertificate" -}}
{{- $tls := .Values.webhook.tls.helm -}}
{{- $existing := (lookup "v1" "Secret" .Release.Namespace (include "metricops.webhook.tlsSecretName" .)).data | default dict -}}
{{- $existingCa := index $existing "ca.crt" | default "" | b64dec -}}
{{- if and (index $existing "tls.crt") (index $existing "tls.key") $existingCa (or (not $tls.caCert) (eq (trim $existingCa) (trim $tls.caCert))) -}}
{{- dict "ca" $existingCa "cert" (index $existing "tls.crt" | b64dec) "key" (index $existing "tls.key" | b64dec) | toJson -}}
{{- else -}}
{{- $ca := "" -}}
{{- if $tls.caCert -}}
{{- $ca = buildCustomCert ($tls.caCert | b64enc) ($tls.caKey | b64enc) -}}
{{- else -}}
{{- $ca = genCA (printf "%s-ca" (include "metricops.webhook.name" .)) (int $tls.validityDays) -}}
{{- end -}}
{{- $host := include "metricops.webhook.serviceHost" . -}}
{{- $cert := genSignedCert $host nil (list $host (printf "%s.cluster.local" $host)) (int $tls.validityDays) $ca -}}
{{- dict "ca" $ca.Cert "cert" $cert.Cert "key" $cert.Key | toJson -}}
{{- end -}}
{{- end -}}

{{/*
Checks across several values, which values.schema.json cannot say clearly. Each failure says what is wrong and how
to fix it. Included once per render, from webhook-configuration.yaml.
*/}}
{{- define "metricops.validate" -}}
{{- $tls := .Values.webhook.tls -}}
{{- if eq $tls.source "secret" -}}
{{- if not $tls.secret.caBundle -}}
{{- fail "webhook.tls.source is \"secret\" but webhook.tls.secret.caBundle is empty: give the base64 CA certificate that signed the Secret's tls.crt (what `metricops certs` prints: --set-file webhook.tls.secret.caBundle=ca-bundle)" -}}
{{- end -}}
{{- if not (contains "-----BEGIN CERTIFICATE-----" ($tls.secret.caBundle | replace "\n" "" | trim | b64dec)) -}}
{{- fail "webhook.tls.secret.caBundle does not decode to a PEM certificate: give base64 of the CA certificate's PEM (what `metricops certs` prints)" -}}
{{- end -}}
{{- end -}}
{{- if eq $tls.source "helm" -}}
{{- if ne (empty $tls.helm.caCert) (empty $tls.helm.caKey) -}}
{{- fail "webhook.tls.helm.caCert and webhook.tls.helm.caKey go together: give both (your CA's PEM certificate and key, e.g. --set-file webhook.tls.helm.caCert=ca.crt --set-file webhook.tls.helm.caKey=ca.key) or neither (the chart generates a CA)" -}}
{{- end -}}
{{- if and $tls.helm.caCert (not (contains "-----BEGIN CERTIFICATE-----" $tls.helm.caCert)) -}}
{{- fail "webhook.tls.helm.caCert is not a PEM certificate (-----BEGIN CERTIFICATE-----): pass the file with --set-file webhook.tls.helm.caCert=ca.crt" -}}
{{- end -}}
{{- if and $tls.helm.caKey (not (regexMatch "-----BEGIN [A-Z ]*PRIVATE KEY-----" $tls.helm.caKey)) -}}
{{- fail "webhook.tls.helm.caKey is not a PEM private key (-----BEGIN ... PRIVATE KEY-----): pass the file with --set-file webhook.tls.helm.caKey=ca.key" -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.feedback.ui.port) 9095 -}}
{{- fail "feedback.ui.port is 9095, the alert intake's port: give the UI another one (the default is 9096)" -}}
{{- end -}}
{{- if and .Values.feedback.ui.basicAuthSecretName .Values.feedback.ui.tokenSecretName -}}
{{- fail "feedback.ui: set basicAuthSecretName (user:password lines, browsers ask for them) or tokenSecretName (bearer tokens), not both" -}}
{{- end -}}
{{- if and .Values.webhook.rules.existingConfigMap .Values.webhook.rules.files -}}
{{- fail "webhook.rules: set files (the chart creates the ConfigMap) or existingConfigMap (yours), not both" -}}
{{- end -}}
{{- end -}}

//go:build tools

// Package tools pins the helm command the end-to-end tests run against the chart (charts/metricops).
package tools

import (
	_ "helm.sh/helm/v4/cmd/helm"
)

//go:build tools

// Package tools pins Prometheus 3's promtool, which the unit suite runs next to Debian's promtool 2.42.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
)

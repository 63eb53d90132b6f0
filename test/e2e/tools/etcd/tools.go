//go:build tools

// Package tools pins the etcd server the end-to-end harness builds (its main package is the etcd binary).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)

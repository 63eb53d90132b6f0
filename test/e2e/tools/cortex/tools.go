//go:build tools

// Package tools pins the Cortex the end-to-end tests of the ruler sync run against (test/e2e/build-cortex.sh).
package tools

import (
	_ "github.com/cortexproject/cortex/cmd/cortex"
)

//go:build !unix

package cputime

import "time"

var start = time.Now()

// Process falls back on the wall time since the process started where its CPU time is not at
// hand.
func Process() time.Duration { return time.Since(start) }

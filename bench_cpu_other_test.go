//go:build !unix

package kspm_test

import "time"

var cpuStart = time.Now()

// cpuTime falls back on wall time where the process's CPU time is not at hand.
func cpuTime() time.Duration { return time.Since(cpuStart) }

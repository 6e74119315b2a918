//go:build unix

package kspm_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used (user and system, every thread), which
// other processes competing for the machine do not inflate as they inflate wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Package cputime reads the CPU time the process has used, for benchmarks whose figures must
// not depend on how busy the machine is: other processes competing for the cores inflate wall
// time, not the process's own CPU time.
package cputime

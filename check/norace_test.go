//go:build !race

package check_test

// raceSlowdown scales time bounds in tests: the race detector slows evaluation several times.
const raceSlowdown = 1

//go:build !race

package celenv

// raceSlowdown scales time bounds in tests: the race detector slows evaluation several times.
const raceSlowdown = 1

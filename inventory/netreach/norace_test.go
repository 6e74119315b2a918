//go:build !race

package netreach_test

// randomCases scales the randomized tests down under the race detector, which slows them
// tenfold: they test answers, not concurrency.
const randomCases = 4

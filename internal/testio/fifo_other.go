//go:build !unix

package testio

import "testing"

// MakeFIFO skips the test: FIFOs are a Unix thing.
func MakeFIFO(t testing.TB, path string) {
	t.Helper()
	t.Skip("no FIFOs on this system")
}

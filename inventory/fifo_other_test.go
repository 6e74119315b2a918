//go:build !unix

package inventory

import "testing"

// MakeFIFO skips the test: FIFOs are a Unix thing.
func MakeFIFO(t *testing.T, path string) {
	t.Helper()
	t.Skip("no FIFOs on this system")
}

//go:build !unix

package regularfile

import "os"

// OpenNoWait opens path for reading.
func OpenNoWait(path string) (*os.File, error) { return os.Open(path) }

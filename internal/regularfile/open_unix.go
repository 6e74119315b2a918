//go:build unix

package regularfile

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading without waiting for a FIFO's writer (O_NONBLOCK, which
// does not change how a regular file reads).
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

//go:build unix

package inventory

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading without waiting for a FIFO's writer (O_NONBLOCK, which
// changes nothing for a regular file). A FIFO so opened is read through the runtime's poller:
// a read waits for data rather than failing, and ends when the file is closed.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

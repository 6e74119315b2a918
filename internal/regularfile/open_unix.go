//go:build unix

package regularfile

import (
	"os"
	"syscall"
)

// OpenNoWait opens path for reading without waiting for a FIFO's writer (O_NONBLOCK, which
// does not change how a regular file reads). A FIFO so opened is read through the runtime's
// poller: a read waits for data rather than failing, and ends when the file is closed.
func OpenNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

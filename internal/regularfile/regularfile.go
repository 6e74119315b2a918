// Package regularfile reads files named by the input with a bound: only regular files (a
// FIFO would block the read for ever, a device never end), and only up to a size.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read reads the file at path, following symbolic links, when it is a regular file of at most
// limit bytes; other errors than a missing or unreadable path do not name it (callers do). A larger file is an error rather than its first limit bytes (a configuration
// cut short reads as other settings), and so is anything but a regular file.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		// Said as opening says it ("open PATH: no such file or directory"): the file is what
		// could not be read, whatever the step that found out.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Op = "open"
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (mode %s)", fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes", limit)
	}
	return data, nil
}

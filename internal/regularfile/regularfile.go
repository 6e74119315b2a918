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

// stat is os.Stat; a variable for tests, which replace a file between the check of its path
// and its opening.
var stat = os.Stat

// Read reads the file at path, following symbolic links, when it is a regular file of at most
// limit bytes; other errors than a missing or unreadable path do not name it (callers do). A
// larger file is an error rather than its first limit bytes (a configuration cut short reads
// as other settings), and so is anything but a regular file. The path is checked before it is
// opened (opening some devices has effects), and what was opened is checked again (the path
// may have been replaced meanwhile): where the system allows, it is opened without waiting
// for a writer, so that a FIFO put in its place is refused rather than waited on.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := stat(path)
	if err != nil {
		// Said as opening says it ("open PATH: no such file or directory"): the file is what
		// could not be read, whatever the step that found out.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Op = "open"
		}
		return nil, err
	}
	if err := check(fi, limit); err != nil {
		return nil, err
	}
	f, err := OpenNoWait(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(fi, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(limit)
	}
	return data, nil
}

// check refuses what is not a regular file, or is larger than limit.
func check(fi fs.FileInfo, limit int64) error {
	if err := notRegular(fi); err != nil {
		return err
	}
	if fi.Size() > limit {
		return tooLarge(limit)
	}
	return nil
}

// notRegular refuses what is not a regular file.
func notRegular(fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("not a regular file (mode %s)", fi.Mode().Type())
}

func tooLarge(limit int64) error { return fmt.Errorf("larger than the limit of %d bytes", limit) }

// Open opens the file at path for reading, following symbolic links, when it is a regular
// file, checked as Read checks it (before opening, without waiting for a writer, and again
// once open), for a caller that reads it with bounds of its own. Its errors name the path.
func Open(path string) (*os.File, error) {
	fail := func(err error) (*os.File, error) { return nil, &fs.PathError{Op: "open", Path: path, Err: err} }
	fi, err := stat(path)
	if err != nil {
		return nil, err
	}
	if err := notRegular(fi); err != nil {
		return fail(err)
	}
	f, err := OpenNoWait(path)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err == nil {
		err = notRegular(fi)
	}
	if err != nil {
		f.Close()
		return fail(err)
	}
	return f, nil
}

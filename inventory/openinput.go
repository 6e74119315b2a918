package inventory

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/kspm-dev/kspm/internal/regularfile"
)

// descriptorPath matches the names of a process's own open descriptors: what a shell's
// process substitution passes (-f <(helm template ...) is /dev/fd/63), and /dev/stdin.
var descriptorPath = regexp.MustCompile(`^(/dev/fd/[0-9]+|/proc/self/fd/[0-9]+|/dev/stdin)$`)

// openInput opens the input file name for reading. A named pipe opens only when name is one
// of the process's own descriptors (/dev/fd/N, /proc/self/fd/N, /dev/stdin): a pipe the
// shell made for the process (-f <(helm template ...)), whose writer exists already. A named
// pipe elsewhere in the file system is refused (the error wraps ErrNotRead) rather than
// waited on: opening it waits for a writer that may never come, and opening it without
// waiting reads it as empty when the writer is late, which would pass for an input with
// nothing in it. Standard input is read as "-". The path is opened without waiting
// (regularfile.OpenNoWait) and checked once open, so that a FIFO put in place of a file is
// refused too.
// Other files (a device) are read as before, within the input limit and ctx.
func openInput(name string) (*os.File, error) {
	f, err := regularfile.OpenNoWait(name)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, unwrapPathError(err)
	}
	if fi.Mode().Type()&fs.ModeNamedPipe == 0 || descriptorPath.MatchString(filepath.Clean(name)) {
		return f, nil
	}
	f.Close()
	return nil, fmt.Errorf("%w: not a regular file (%s) and not a descriptor the shell passes (<(command), /dev/fd/N)",
		ErrNotRead, fileTypeName(fi.Mode().Type()))
}

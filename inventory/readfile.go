package inventory

import "github.com/kspm-dev/kspm/internal/regularfile"

// ReadRegularFile reads a file a user named (a parameters or settings file of a program built
// on the library) as the loaders read theirs: the whole file, following symbolic links, when
// it is a regular file of at most limit bytes. A FIFO, a device or a directory is refused
// without being opened for a read that would wait for a writer or never end, also when one is
// put in place of the file after its path was checked; a larger file is an error, never its
// first limit bytes. Errors from opening name the path; those about its type or size do not
// (the caller names it).
func ReadRegularFile(path string, limit int64) ([]byte, error) {
	return regularfile.Read(path, limit)
}

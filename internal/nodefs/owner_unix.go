//go:build unix

package nodefs

import (
	"io/fs"
	"syscall"
)

// owner returns the numeric owner and group of a file.
func owner(fi fs.FileInfo) (uid, gid int64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int64(st.Uid), int64(st.Gid), true
}

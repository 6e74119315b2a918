package nodefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kspm-dev/kspm/internal/regularfile"
)

// errLoop is returned for a path with too many symbolic links.
var errLoop = errors.New("too many levels of symbolic links")

// host is a node filesystem mounted at root.
type host struct {
	root string
}

// resolve returns the host path p (absolute, as the node sees it) with every symbolic link
// followed inside the root.
func (h host) resolve(p string) (string, error) {
	pending := splitPath(p)
	resolved := "/"
	for hops := 0; len(pending) > 0; {
		part := pending[0]
		pending = pending[1:]
		next := path.Join(resolved, part)
		fi, err := os.Lstat(h.real(next))
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", fmt.Errorf("%s: %w", p, errLoop)
		}
		target, err := os.Readlink(h.real(next))
		if err != nil {
			return "", err
		}
		if !path.IsAbs(target) {
			target = path.Join(resolved, target)
		}
		pending = append(splitPath(target), pending...)
		resolved = "/"
	}
	return resolved, nil
}

// real returns the path of host path p on this machine.
func (h host) real(p string) string {
	return filepath.Join(h.root, filepath.FromSlash(path.Clean("/"+p)))
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(path.Clean("/"+p), "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// stat returns the file information of host path p, symbolic links followed inside the root.
func (h host) stat(p string) (fs.FileInfo, error) {
	r, err := h.resolve(p)
	if err != nil {
		return nil, err
	}
	return os.Stat(h.real(r))
}

// lstat returns the file information of host path p without following p itself when it is
// a symbolic link (its parent directories are followed).
func (h host) lstat(p string) (fs.FileInfo, error) {
	dir, err := h.resolve(path.Dir(path.Clean("/" + p)))
	if err != nil {
		return nil, err
	}
	return os.Lstat(h.real(path.Join(dir, path.Base(path.Clean("/"+p)))))
}

// readFile reads host path p, a regular file of at most limit bytes. A larger file is an
// error rather than its first limit bytes (a configuration cut short reads as other
// settings), and so is anything but a regular file (a FIFO would block the read for ever).
func (h host) readFile(p string, limit int64) ([]byte, error) {
	r, err := h.resolve(p)
	if err != nil {
		return nil, err
	}
	return regularfile.Read(h.real(r), limit)
}

// readDir lists host directory p.
func (h host) readDir(p string) ([]fs.DirEntry, error) {
	r, err := h.resolve(p)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(h.real(r))
}

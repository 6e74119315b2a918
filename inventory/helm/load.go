package helm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"

	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/inventory"
)

// maxSymlinkNotes bounds the warnings about symbolic links of one chart.
const maxSymlinkNotes = 10

// utf8BOM starts some files; Helm's loader removes it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// chartDir is a chart directory read as Helm's loader reads one.
type chartDir struct {
	top       string // the chart's directory, absolute, ending with a separator
	rules     *ignore.Rules
	files     []*archive.BufferedFile
	budget    int64 // what the files may hold together
	remaining int64
	open      []os.FileInfo // the directories being walked, outermost first
	links     []string      // notes on the symbolic links followed
}

// loadDir loads the chart in dir as Helm's loader.LoadDir does (the files .helmignore and
// Helm's default rules do not exclude, in lexical order, symbolic links followed, a UTF-8
// byte order mark removed, then loader.LoadFiles), but reads each file through regularfile:
// a file that is not a regular file (a FIFO, a device, what a symbolic link to one points
// to) is an error, and the files together may hold at most the budget Helm gives a chart
// (archive.MaxDecompressedChartSize, 100 MiB), checked before a file is read. A symbolic link
// to a directory that holds it (a loop, which Helm would follow until the path is too long)
// is an error too. Errors name the file, relative to dir. It also returns a note on each
// symbolic link followed, as Helm logs one.
func loadDir(dir string) (*chart.Chart, []string, error) {
	top, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	c := &chartDir{top: top + string(filepath.Separator), rules: ignore.Empty(),
		budget: archive.MaxDecompressedChartSize, remaining: archive.MaxDecompressedChartSize}
	ifile := filepath.Join(top, ignore.HelmIgnore)
	if _, err := os.Stat(ifile); err == nil {
		data, err := regularfile.Read(ifile, inventory.DefaultMaxDocumentBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
		if c.rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
	}
	c.rules.AddDefaults()
	fi, err := os.Lstat(top)
	if err != nil {
		return nil, nil, err
	}
	if err := c.walk(top, fi); err != nil {
		return nil, c.links, err
	}
	ch, err := loader.LoadFiles(c.files)
	return ch, c.links, err
}

// name returns path relative to the chart's directory, with slashes, as Helm names files.
func (c *chartDir) name(path string) string {
	return filepath.ToSlash(strings.TrimPrefix(path, c.top))
}

// walk reads path, whose Lstat is fi, and what it holds.
func (c *chartDir) walk(path string, fi os.FileInfo) error {
	n := c.name(path)
	if fi.Mode()&os.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if fi, err = os.Lstat(resolved); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		switch {
		case len(c.links) < maxSymlinkNotes:
			c.links = append(c.links, fmt.Sprintf("%s: a symbolic link to %s, whose content is read as the chart's", n, resolved))
		case len(c.links) == maxSymlinkNotes:
			c.links = append(c.links, "more symbolic links are followed")
		}
	}
	top := path == strings.TrimSuffix(c.top, string(filepath.Separator))
	if !top && c.rules.Ignore(n, fi) {
		return nil // an ignored directory is skipped whole
	}
	if !fi.IsDir() {
		return c.read(path, n, fi)
	}
	if slices.ContainsFunc(c.open, func(d os.FileInfo) bool { return os.SameFile(d, fi) }) {
		return fmt.Errorf("%s: a symbolic link loop: the directory holds itself", n)
	}
	c.open = append(c.open, fi)
	defer func() { c.open = c.open[:len(c.open)-1] }()
	entries, err := os.ReadDir(path) // sorted by name, as Helm walks
	if err != nil {
		return fmt.Errorf("%s: %w", n, err)
	}
	for _, e := range entries {
		child := filepath.Join(path, e.Name())
		cfi, err := os.Lstat(child)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name(child), err)
		}
		if err := c.walk(child, cfi); err != nil {
			return err
		}
	}
	return nil
}

// read reads the file at path (named n), whose Stat is fi, into the chart's files.
func (c *chartDir) read(path, n string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file (mode %s): Helm does not load it", n, fi.Mode().Type())
	}
	if fi.Size() > c.remaining {
		return fmt.Errorf("%s: %d bytes: the files of a chart may hold %d bytes together (Helm's limit)", n, fi.Size(), c.budget)
	}
	data, err := regularfile.Read(path, c.remaining)
	if err != nil {
		return fmt.Errorf("%s: %w", n, err)
	}
	c.remaining -= int64(len(data))
	c.files = append(c.files, &archive.BufferedFile{Name: n, ModTime: fi.ModTime(), Data: bytes.TrimPrefix(data, utf8BOM)})
	return nil
}

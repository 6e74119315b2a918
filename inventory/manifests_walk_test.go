package inventory

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mfSymlink(t *testing.T, target, link string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(link), 0o755))
	require.NoError(t, os.Symlink(target, link))
}

func mfNamespace(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n"
}

// TestLoadManifestsSymlinkedRoot checks that a path argument that is a symbolic link to a
// directory is walked, its files named through the link.
func TestLoadManifestsSymlinkedRoot(t *testing.T) {
	dir := t.TempDir()
	mfWrite(t, dir, "real/a.yaml", mfNamespace("a"))
	mfWrite(t, dir, "real/sub/b.yaml", mfNamespace("b"))
	link := filepath.Join(dir, "link")
	mfSymlink(t, "real", link)

	inv := mfLoad(t, []string{link})
	assert.Empty(t, inv.Errors())
	require.Equal(t, 2, inv.Len())
	var files []string
	for _, o := range inv.Objects() {
		files = append(files, o.Source().File)
	}
	assert.ElementsMatch(t, []string{filepath.Join(link, "a.yaml"), filepath.Join(link, "sub", "b.yaml")}, files)
}

// TestLoadManifestsWalkSaysWhatItSkips checks that what a walk cannot read is named, and
// that nothing blocks or loops.
func TestLoadManifestsWalkSaysWhatItSkips(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and FIFOs")
	}
	dir := t.TempDir()
	mfWrite(t, dir, "ok.yaml", mfNamespace("ok"))
	mfSymlink(t, "nowhere.yaml", filepath.Join(dir, "dangling.yaml"))
	mfSymlink(t, "self.yaml", filepath.Join(dir, "self.yaml"))
	MakeFIFO(t, filepath.Join(dir, "pipe.yaml"))
	mfSymlink(t, "nowhere", filepath.Join(dir, "notes")) // not a manifest name: not ours to read
	// A symbolic link to a directory inside the walk is followed; one back to a directory
	// being walked is a loop, not followed: its files are read once, through the walk.
	mfWrite(t, dir, "shared/s.yaml", mfNamespace("shared"))
	mfSymlink(t, "../shared", filepath.Join(dir, "app", "base"))
	mfSymlink(t, "..", filepath.Join(dir, "app", "up"))
	// The same file reached twice loads once.
	mfSymlink(t, "../ok.yaml", filepath.Join(dir, "app", "ok-again.yaml"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inv, err := LoadManifests(ctx, []string{dir})
	require.NoError(t, err, "a FIFO must not block the walk")
	assert.Equal(t, []string{
		`dangling.yaml: not read: symbolic link to "nowhere.yaml": no such file or directory`,
		"pipe.yaml: not read: not a regular file (a named pipe)",
		`self.yaml: not read: symbolic link to "self.yaml": too many levels of symbolic links`,
	}, mfErrors(inv, dir))
	for _, e := range inv.Errors() {
		assert.ErrorIs(t, e, ErrNotRead)
	}
	var names []string
	for _, o := range inv.Objects() {
		names = append(names, o.Name())
	}
	assert.ElementsMatch(t, []string{"ok", "shared"}, names)
}

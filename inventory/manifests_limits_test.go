package inventory

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless is a reader that never ends, as /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// trickle is a reader that never ends and reads slowly.
type trickle struct{}

func (trickle) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	n := min(len(p), 1024)
	clear(p[:n])
	return n, nil
}

// blocked is a reader whose Read blocks until it is closed, as a terminal no one types into.
type blocked chan struct{}

func (b blocked) Read([]byte) (int, error) {
	<-b
	return 0, io.EOF
}

// TestLoadManifestsInputLimit checks that an input larger than the input limit is an error
// naming it and the limit, that nothing of it loads, and that the other inputs do.
func TestLoadManifestsInputLimit(t *testing.T) {
	dir := t.TempDir()
	small := mfWrite(t, dir, "small.yaml", mfNamespace("small"))
	big := mfWrite(t, dir, "big.yaml", mfNamespace("big")+"---\n"+strings.Repeat("# padding\n", 100))
	const limit = 200

	t.Run("file", func(t *testing.T) {
		inv := mfLoad(t, []string{small, big}, WithMaxInputBytes(limit))
		assert.Equal(t, []string{"big.yaml: read: larger than the limit of 200 bytes for one input"}, mfErrors(inv, dir))
		assert.ErrorIs(t, inv.Errors()[0], ErrTooLarge)
		assert.Equal(t, 1, inv.Len())
	})
	t.Run("standard input", func(t *testing.T) {
		inv := mfLoad(t, []string{"-", small}, WithStdin(endless{}), WithMaxInputBytes(limit))
		assert.Equal(t, []string{"-: read: larger than the limit of 200 bytes for one input"}, mfErrors(inv, dir))
		assert.Equal(t, 1, inv.Len())
	})
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		t.Run(dev, func(t *testing.T) {
			if _, err := os.Stat(dev); err != nil {
				t.Skipf("%s: %v", dev, err)
			}
			inv := mfLoad(t, []string{dev}, WithMaxInputBytes(1<<20))
			assert.Equal(t, []string{dev + ": read: larger than the limit of 1 MiB for one input"}, mfErrors(inv, ""))
		})
	}
	t.Run("no limit", func(t *testing.T) {
		inv := mfLoad(t, []string{small, big}, WithMaxInputBytes(0))
		assert.Empty(t, inv.Errors())
		assert.Equal(t, 2, inv.Len())
	})
}

// TestLoadManifestsDocumentLimit checks that a document larger than the document limit is an
// error naming its line, that the rest loads, and that a List larger than the limit loads
// when each of its items is within it.
func TestLoadManifestsDocumentLimit(t *testing.T) {
	var list, jsonList strings.Builder
	list.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	jsonList.WriteString("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n")
	for i := range 30 {
		fmt.Fprintf(&list, "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: n%d\n", i)
		if i > 0 {
			jsonList.WriteString(",\n")
		}
		fmt.Fprintf(&jsonList, " {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n%d\"}}", i)
	}
	jsonList.WriteString("]}\n")
	bigCM := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: " + strings.Repeat("x", 300) + "\n"
	tests := []struct {
		name       string
		file       string
		content    string
		wantErrors []string
		wantObjs   int
	}{
		{
			name: "YAML document", file: "docs.yaml",
			content:    mfNamespace("before") + "---\n" + bigCM + "---\n" + mfNamespace("after"),
			wantErrors: []string{"docs.yaml:5: document of 366 bytes: larger than the limit of 256 bytes for one document"},
			wantObjs:   2,
		},
		{
			name: "YAML List of small items", file: "list.yaml", content: list.String(),
			wantObjs: 30,
		},
		{
			name: "YAML List with an item too large", file: "list2.yaml",
			content:    list.String() + indent(bigCM, "- ", "  "),
			wantErrors: []string{"list2.yaml:124: List item of 375 bytes: larger than the limit of 256 bytes for one document"},
			wantObjs:   30,
		},
		{
			name: "JSON value", file: "big.json",
			content:    `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "` + strings.Repeat("x", 300) + "\"}}\n" + `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}`,
			wantErrors: []string{"big.json:1: ConfigMap big: document of 389 bytes: larger than the limit of 256 bytes for one document"},
			wantObjs:   1,
		},
		{
			name: "JSON List of small items", file: "list.json", content: jsonList.String(),
			wantObjs: 30,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, tt.file, tt.content)}, WithMaxDocumentBytes(256))
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			for _, e := range inv.Errors() {
				assert.ErrorIs(t, e, ErrTooLarge)
			}
			assert.Equal(t, tt.wantObjs, inv.Len())
		})
	}
}

// TestLoadManifestsReadsWithTheContext checks that a read that does not end (a terminal, a
// FIFO with no writer) does not keep LoadManifests from returning when ctx is done.
func TestLoadManifestsReadsWithTheContext(t *testing.T) {
	t.Run("standard input", func(t *testing.T) {
		stdin := make(blocked)
		defer close(stdin)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := LoadManifests(ctx, []string{"-"}, WithStdin(stdin))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("endless input with no limit", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := LoadManifests(ctx, []string{"-"}, WithStdin(trickle{}), WithMaxInputBytes(0))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

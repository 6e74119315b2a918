// Command decode-floor measures the decode floor of hack/compare.sh: it reads the given
// manifest files and directories (*.yaml, *.yml) and decodes every YAML document with
// sigs.k8s.io/yaml into map[string]any on one goroutine, doing nothing else. Run it with
// GOMAXPROCS=1 for a single-core figure.
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// documents splits a YAML stream at its "---" lines, without looking at the content.
func documents(data []byte) [][]byte {
	var docs [][]byte
	start := 0
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		if line := bytes.TrimRight(data[pos:end], " \t\r"); bytes.Equal(line, []byte("---")) {
			docs = append(docs, data[start:pos])
			start = next
		}
		pos = next
	}
	return append(docs, data[start:])
}

func main() {
	objects, failed := 0, 0
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, doc := range documents(data) {
				if len(bytes.TrimSpace(doc)) == 0 {
					continue
				}
				var m map[string]any
				if err := yaml.Unmarshal(doc, &m); err != nil {
					failed++
					continue
				}
				objects++
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(os.Stderr, "decode-floor: %v\n", err)
			os.Exit(1)
		}
	}
	fmt.Printf("%d objects decoded, %d failed\n", objects, failed)
}

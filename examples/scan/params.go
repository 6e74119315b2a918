package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// maxParamsFileBytes bounds a --params file.
const maxParamsFileBytes = 1 << 20

// maxParamsErrors bounds the problems of --params files named one by one; the rest are
// counted.
const maxParamsErrors = 20

// paramsFile is a --params file as readParams read it: its path and top mapping.
type paramsFile struct {
	path string
	root *yaml.Node
}

// readParams reads the --params files, each a mapping of check ID to a mapping of parameter
// names to values (empty files are left out); a problem is an error naming the file and line.
func readParams(paths []string) ([]paramsFile, error) {
	var out []paramsFile
	for _, path := range paths {
		root, err := readParamsFile(path)
		if err != nil {
			return nil, err
		}
		if root != nil {
			out = append(out, paramsFile{path, root})
		}
	}
	return out, nil
}

// bindParams returns the parameters of files by check ID. Every ID must name a check of bms
// and every parameter one it takes (check.ResolveParams); a problem is an error naming the
// file and line.
func bindParams(files []paramsFile, bms []benchmark.Benchmark) (map[string]map[string]any, error) {
	if len(files) == 0 {
		return nil, nil
	}
	checks := map[string]check.Check{}
	for _, b := range bms {
		for _, c := range b.Checks {
			checks[c.Meta().ID] = c
		}
	}
	out := map[string]map[string]any{}
	where := map[string]string{}
	var errs []error
	for _, f := range files {
		path, root := f.path, f.root
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			at := fmt.Sprintf("--params %s:%d", path, k.Line)
			id := k.Value
			c, ok := checks[id]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: check %q is not in the run (see --list; a benchmark's checks need -b)", at, id))
				continue
			case where[id] != "":
				errs = append(errs, fmt.Errorf("%s: check %s is set already, at %s", at, id, where[id]))
				continue
			case v.Kind != yaml.MappingNode:
				errs = append(errs, fmt.Errorf("%s: check %s: want a mapping of parameter names to values", at, id))
				continue
			}
			var params map[string]any
			if err := v.Decode(&params); err != nil {
				errs = append(errs, fmt.Errorf("%s: check %s: %s", at, id, strings.TrimPrefix(err.Error(), "yaml: ")))
				continue
			}
			if _, err := check.ResolveParams(c, params); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", at, err))
				continue
			}
			where[id] = fmt.Sprintf("%s:%d", path, k.Line)
			out[id] = params
		}
	}
	if len(errs) > maxParamsErrors {
		errs = append(errs[:maxParamsErrors], fmt.Errorf("--params: %d more problems", len(errs)-maxParamsErrors))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// readParamsFile reads one --params file, at most maxParamsFileBytes, and returns its top
// mapping (nil for an empty file).
func readParamsFile(path string) (*yaml.Node, error) {
	// A FIFO is refused before it is opened, which would wait for a writer.
	data, err := inventory.ReadRegularFile(path, maxParamsFileBytes)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, fmt.Errorf("--params: %w", err) // it names the path
	} else if err != nil {
		return nil, fmt.Errorf("--params %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("--params %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// One mapping: parameters in a document after it would be left out unsaid.
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		line := next.Line
		if len(next.Content) > 0 {
			line = next.Content[0].Line
		}
		return nil, fmt.Errorf("--params %s:%d: a second YAML document: a file holds one mapping of check IDs to parameters", path, line)
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("--params %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("--params %s:%d: want a mapping of check IDs to parameters", path, root.Line)
	}
	ids := make(map[string]bool, len(root.Content)/2)
	for i := 0; i+1 < len(root.Content); i += 2 {
		if ids[root.Content[i].Value] {
			return nil, fmt.Errorf("--params %s:%d: check %s is set twice", path, root.Content[i].Line, root.Content[i].Value)
		}
		ids[root.Content[i].Value] = true
	}
	return root, nil
}

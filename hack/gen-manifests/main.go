// Command gen-manifests writes a synthetic corpus of realistic Kubernetes manifests (see
// internal/synth) for hack/compare.sh: one multi-document file, or a tree of many small
// files (in folders of 1,000 files, as charts and kustomize output are laid out).
//
//	go run ./hack/gen-manifests -n 50000 -o /tmp/c/one.yaml
//	go run ./hack/gen-manifests -n 50000 -files 11000 -o /tmp/c/many
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/internal/synth"
)

func main() {
	n := flag.Int("n", 10_000, "number of objects (the generator may add a few to finish a namespace)")
	seed := flag.Uint64("seed", 1, "generator seed")
	files := flag.Int("files", 0, "spread the objects evenly over this many files under -o; 0 writes one file at -o")
	out := flag.String("o", "", "output file, or directory with -files")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen-manifests: -o is required")
		os.Exit(2)
	}
	objs := synth.Generate(*seed, *n)
	if err := write(*out, objs, *files); err != nil {
		fmt.Fprintf(os.Stderr, "gen-manifests: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d objects\n", len(objs))
}

func write(out string, objs []runtime.Object, files int) error {
	if files <= 0 {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return synth.WriteOneFile(out, objs)
	}
	files = min(files, len(objs))
	for i := range files {
		sub := filepath.Join(out, fmt.Sprintf("part-%03d", i/1000))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		lo, hi := i*len(objs)/files, (i+1)*len(objs)/files
		if err := synth.WriteOneFile(filepath.Join(sub, fmt.Sprintf("m-%06d.yaml", i)), objs[lo:hi]); err != nil {
			return err
		}
	}
	return nil
}

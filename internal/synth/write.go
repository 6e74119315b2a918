package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// WriteOneFile writes objs as one multi-document YAML file at path.
func WriteOneFile(path string, objs []runtime.Object) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, o := range objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			f.Close()
			return fmt.Errorf("marshal: %w", err)
		}
		w.WriteString("---\n")
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteManyFiles writes objs into dir, perFile objects to a file (as charts and kustomize
// output are laid out), in one subfolder per 1,000 files.
func WriteManyFiles(dir string, objs []runtime.Object, perFile int) error {
	if perFile < 1 {
		perFile = 1
	}
	for i := 0; i < len(objs); i += perFile {
		n := i / perFile
		sub := filepath.Join(dir, fmt.Sprintf("part-%03d", n/1000))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		end := min(i+perFile, len(objs))
		if err := WriteOneFile(filepath.Join(sub, fmt.Sprintf("m-%06d.yaml", n)), objs[i:end]); err != nil {
			return err
		}
	}
	return nil
}

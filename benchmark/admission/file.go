package admission

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/yamldoc"
	"github.com/kspm-dev/kspm/inventory"

	"github.com/kspm-dev/kspm/internal/regularfile"
)

// MaxFileDocuments is the most documents LoadFile reads from one file.
const MaxFileDocuments = 1000

// LoadFile reads a file of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
// documents (admissionregistration.k8s.io/v1), mixed or not with kspm CheckList documents
// (see check.ParseCELChecks), as the scanner's --checks takes it. A file with no policy or
// binding is read as check.ParseCELChecks reads it, errors included. It returns the policies and
// bindings, each with its file and line as Source, for WithObjects, and the CEL checks of the
// CheckList documents. A file larger than check.MaxCELFileSize, or holding more than
// MaxFileDocuments documents, is refused.
//
// Every problem is returned, joined, each naming the file and line: a document of another
// kind, YAML that does not parse, an unknown field, and a policy or binding the API server
// would refuse (an expression that does not compile, a required field missing).
func LoadFile(path string) ([]*inventory.Object, []check.Check, error) {
	f, err := regularfile.Open(path) // a FIFO would be waited on for ever
	if err != nil {
		return nil, nil, fmt.Errorf("load policies: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, check.MaxCELFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("load policies: %w", err)
	}
	if len(data) > check.MaxCELFileSize {
		return nil, nil, fmt.Errorf("%s: more than a check file may hold (%d bytes)", path, check.MaxCELFileSize)
	}
	return parseFile(data, path)
}

func parseFile(data []byte, path string) ([]*inventory.Object, []check.Check, error) {
	docs := yamldoc.Split(data)
	if len(docs) > MaxFileDocuments {
		return nil, nil, fmt.Errorf("%s: more than %d documents", path, MaxFileDocuments)
	}
	policies := 0
	for _, d := range docs {
		if isPolicyDocument(d.Data) {
			policies++
		}
	}
	if policies == 0 { // a file of CheckLists only, read as ever
		checks, err := check.ParseCELChecks(data, path)
		return nil, checks, err
	}
	var (
		errs     []error
		checkDoc = make([]bool, len(docs))
		anyCheck bool
		b        = inventory.NewBuilder(inventory.ModeManifests)
	)
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...)))
	}
	for i, d := range docs {
		var head struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
		}
		if err := yamlv3.Unmarshal(d.Data, &head); err != nil {
			line, _, msg := yamldoc.SyntaxErrorPos(d.Data, err)
			fail(d.Line+max(line, 1)-1, "parse YAML: %s", strings.TrimPrefix(msg, "yaml: "))
			continue
		}
		var obj runtime.Object
		switch {
		case head.APIVersion == check.CheckListAPIVersion && head.Kind == check.CheckListKind:
			checkDoc[i], anyCheck = true, true
			continue
		case head.APIVersion == admissionregistrationv1.SchemeGroupVersion.String() && head.Kind == "ValidatingAdmissionPolicy":
			obj = &admissionregistrationv1.ValidatingAdmissionPolicy{}
		case head.APIVersion == admissionregistrationv1.SchemeGroupVersion.String() && head.Kind == "ValidatingAdmissionPolicyBinding":
			obj = &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		default:
			fail(d.ContentLine, "apiVersion %q, kind %q: want a ValidatingAdmissionPolicy or ValidatingAdmissionPolicyBinding "+
				"of %s, or a %s of %s", head.APIVersion, head.Kind, admissionregistrationv1.SchemeGroupVersion,
				check.CheckListKind, check.CheckListAPIVersion)
			continue
		}
		js, err := yaml.YAMLToJSONStrict(d.Data)
		if err != nil {
			fail(d.ContentLine, "%s: %v", head.Kind, err)
			continue
		}
		strict, err := sigsjson.UnmarshalStrict(js, obj)
		if err == nil && len(strict) > 0 {
			err = errors.Join(strict...)
		}
		if err != nil {
			fail(d.ContentLine, "%s: %v", head.Kind, err)
			continue
		}
		if err := validateObject(obj); err != nil {
			fail(d.ContentLine, "%s %s: the API server would refuse it: %v", head.Kind, nameOf(obj), err)
			continue
		}
		if err := b.Add(obj, inventory.Source{File: path, Line: d.ContentLine}); err != nil {
			fail(d.ContentLine, "%v", err)
		}
	}
	var checks []check.Check
	if anyCheck {
		cs, err := check.ParseCELChecks(keepDocuments(data, docs, checkDoc), path)
		if err != nil {
			errs = append(errs, err)
		}
		checks = cs
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return b.Build().Objects(), checks, nil
}

func nameOf(obj runtime.Object) string {
	switch o := obj.(type) {
	case *admissionregistrationv1.ValidatingAdmissionPolicy:
		return o.Name
	case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
		return o.Name
	}
	return ""
}

// validateObject defaults, validates and, for a policy, compiles obj as the API server would
// before storing it.
func validateObject(obj runtime.Object) error {
	switch o := obj.(type) {
	case *admissionregistrationv1.ValidatingAdmissionPolicy:
		p := defaultPolicy(o)
		if err := validatePolicy(p); err != nil {
			return err
		}
		_, err := compile(p)
		return err
	case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
		return validateBinding(defaultBinding(o))
	}
	return nil
}

// keepDocuments returns data with every line blanked that is not part of a document kept (a
// document opened by a "---" marker includes it), so that what is left parses as those
// documents alone, with their line numbers unchanged.
func keepDocuments(data []byte, docs []yamldoc.Document, keep []bool) []byte {
	kept := make(map[int]bool) // line → kept
	for i, d := range docs {
		if keep[i] {
			last := d.Line + bytes.Count(bytes.TrimSuffix(d.Data, []byte("\n")), []byte("\n"))
			for l := d.Line; l <= last; l++ {
				kept[l] = true
			}
		}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	out := make([]byte, 0, len(data))
	for i, line := range lines {
		switch {
		case kept[i+1]: // a kept document's range starts on its own "---" marker line
			out = append(out, line...)
		case bytes.HasSuffix(line, []byte("\n")):
			out = append(out, '\n')
		}
	}
	return out
}

// isPolicyDocument reports whether a document is a ValidatingAdmissionPolicy or binding of
// admissionregistration.k8s.io/v1 (one that does not parse is not).
func isPolicyDocument(data []byte) bool {
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
	}
	if yamlv3.Unmarshal(data, &head) != nil {
		return false
	}
	return head.APIVersion == admissionregistrationv1.SchemeGroupVersion.String() &&
		(head.Kind == "ValidatingAdmissionPolicy" || head.Kind == "ValidatingAdmissionPolicyBinding")
}

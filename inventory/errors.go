package inventory

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SourceError is a problem with one document or object of the input. It names the file and
// line (or, for API objects, the object) so the user can find it.
type SourceError struct {
	// Source is the file and line of the document or object (empty for API objects).
	Source Source
	// Object names the object when it is known, e.g. "Deployment shop/web".
	Object string
	// Err is the problem.
	Err error
}

// Error implements error.
func (e *SourceError) Error() string {
	var where string
	switch {
	case e.Source.File != "" && e.Object != "":
		where = e.Source.String() + ": " + e.Object
	case e.Source.File != "":
		where = e.Source.String()
	default:
		where = e.Object
	}
	if where == "" {
		return e.Err.Error()
	}
	return where + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *SourceError) Unwrap() error { return e.Err }

// ListError is a failure to list one kind from an API server.
type ListError struct {
	// Kind is the kind that could not be listed.
	Kind schema.GroupKind
	// State is the kind's coverage as a result: Forbidden, NotServed or Failed.
	State State
	// Err is the API server's (or the transport's) error.
	Err error
}

// Error implements error.
func (e *ListError) Error() string {
	return fmt.Sprintf("list %s: %v", kindPlural(e.Kind), e.Err)
}

// Unwrap returns the underlying error.
func (e *ListError) Unwrap() error { return e.Err }

// ErrNoInput is returned when a loader is given nothing to read.
var ErrNoInput = errors.New("no input")

// ErrNotRead is wrapped by the error recorded for an entry of a directory walk that is not
// read: a symbolic link that leads nowhere or to itself, or a file named like a manifest that
// is not a regular file (a FIFO, socket or device). The rest of the walk goes on. It is also
// wrapped by the error recorded for a path given to LoadManifests that is not a regular file
// nor one of the process's own descriptors (/dev/fd/N: see LoadManifests).
var ErrNotRead = errors.New("not read")

// ErrUnknownKind is wrapped by the error recorded for a manifest whose kind its API group
// does not have, when the group is one the Kubernetes API server serves itself (apps/v1
// Deploymnet, v1 pod, apps/v1 Pod): the API server would reject it, so it is not loaded.
var ErrUnknownKind = errors.New("unknown kind")

// ErrTooLarge is wrapped by the error recorded for an input or a document larger than the
// manifest loader's limits (see WithMaxInputBytes and WithMaxDocumentBytes), and by the
// error FromKubeconfig returns for a kubeconfig file of more than 32 MiB.
var ErrTooLarge = errors.New("too large")

// ErrNotObject is wrapped by the notice (a warning: see Inventory.Warnings) recorded for a
// document of a manifest file that is no Kubernetes object: a mapping with neither an
// apiVersion nor a kind field (an application's configuration file, a Helm values file, a
// docker-compose file), a scalar, or a list holding no mapping. It is read and not loaded;
// the API server would take it for no object, so it leaves every kind's coverage as it is.
// A document with a kind and no apiVersion, or with either and something wrong, is an error
// (see LoadManifests), as is an item of a List that is no object.
var ErrNotObject = errors.New("not a Kubernetes object")

// ErrDuplicateKey is wrapped by the warning recorded for a field written more than once in
// one mapping of a manifest. The object loads with the value written last, as kubectl, Helm
// and the API server read it (see LoadManifests).
var ErrDuplicateKey = errors.New("field written more than once")

// remark is a warning with its own text that wraps one of the sentinel errors above.
type remark struct {
	msg string
	is  error
}

func (e *remark) Error() string { return e.msg }
func (e *remark) Unwrap() error { return e.is }

// notObject returns the notice about a document that is no Kubernetes object; what says why.
func notObject(what string) error {
	return &remark{fmt.Sprintf("not a Kubernetes object (%s): skipped", what), ErrNotObject}
}

// duplicateKeyWarning returns the warning about the field at path written again; first is
// the line of the first time.
func duplicateKeyWarning(path string, first int) error {
	return &remark{fmt.Sprintf("field %q written again (first at line %d); the last value is used", path, first), ErrDuplicateKey}
}

// unknownFieldWarning returns the warning about a field at path that the object's kind does
// not have.
func unknownFieldWarning(path string) error {
	return &remark{fmt.Sprintf("%s %q: dropped, as the API server drops it", ErrUnknownField, path), ErrUnknownField}
}

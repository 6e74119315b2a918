package inventory

import "github.com/kspm-dev/kspm/internal/yamldoc"

// fastYAML turns the fast path off, for tests that compare the two paths.
var fastYAML = true

// fastYAMLDocument loads the YAML document d without a YAML node tree when it is written in
// the plain block layout that YAML writers emit (see yamldoc.FastJSON), which is most
// manifests and several times faster to read. It reports false, having recorded nothing,
// when d must go through the parser instead: FastJSON does not take it, it has items
// (perhaps a List), or loading it records any problem or warning at all. The parser path then
// loads it again and records the problem with the line it is about, so that what is recorded
// does not depend on which path read a document.
func (l *manifestLoader) fastYAMLDocument(s objectSink, d yamldoc.Document, sc *decodeScratch) bool {
	if !fastYAML {
		return false
	}
	out, yh, ok := yamldoc.FastJSON(sc.json[:0], d.Data)
	if cap(out) > cap(sc.json) {
		sc.json = out[:0]
	}
	if !ok {
		return false
	}
	h := docHeader{apiVersion: yh.APIVersion, kind: yh.Kind, name: yh.Name, namespace: yh.Namespace}
	if yh.Items {
		return false // perhaps a List (see isList): the parser path reads it
	}
	gvk, err := h.gvk()
	if err != nil {
		return false
	}
	line := d.Line + yh.Line - 1
	var b bufferedSink
	decodeManifestObject(&b, out, gvk, line, h, jsonFieldLocator{yamldoc.Document{Data: out, Line: line}}, l.defaultNamespace, nil, true)
	if len(b.errs) > 0 || len(b.warnings) > 0 {
		return false
	}
	b.commit(s)
	return true
}

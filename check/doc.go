// Package check is kspm's SDK for writing controls.
//
// A Check is a descriptor (Meta) plus a run function that inspects an inventory and reports
// findings through a Pass, in the manner of golang.org/x/tools/go/analysis. Go checks are made
// with New; CEL checks with CEL or loaded from YAML files. The runner (package kspm) is
// separate from the checks: it runs any set of them concurrently, turns panics, errors and
// timeouts into error results, and returns typed Results in a stable order.
//
// Meta.Depends (Dependencies) lets a driver that keeps results current while objects change
// (package monitor) re-run a check only for the changes, and the objects, that can alter its
// results; a run for some objects only hands the check a Pass whose Targets, PodTemplates and
// Objects name them.
//
// A verdict is one of the Status values. A check that cannot see what it needs reports
// StatusNotEvaluated with the reason (or declares the kinds it needs in Meta.Requires and lets the
// runner do so): a scanner's worst bug is a false pass.
package check

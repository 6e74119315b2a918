// Package report turns scan results into documents: the typed Report, and writers for JSON
// and a human-readable text view; for a scan of several clusters, the Fleet document that
// FleetWriter writes one cluster's report at a time. It never loads anything.
package report

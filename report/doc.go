// Package report turns scan results into documents: the typed Report, and writers for JSON
// and a human-readable text view. It never loads anything.
package report

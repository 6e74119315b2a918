// Package report turns scan results into documents: the typed Report, and writers for JSON,
// a human-readable text view, and the formats people act on elsewhere (Write): SARIF for
// code scanning, JUnit XML for CI, Markdown for a pull request comment, a self-contained
// HTML page, and CSV for spreadsheets; for a scan of several clusters, the Fleet document
// that FleetWriter writes one cluster's report at a time. The compliance score of a
// benchmark or section is defined once, in SectionSummary. It never loads anything.
package report

package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kspm-dev/kspm/internal/printable"
)

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"benchmark", "section", "check", "title", "severity", "status", "kind", "namespace", "name",
	"source", "field", "message"}

// WriteCSV writes r as CSV (RFC 4180: comma-separated, fields with a comma, quote or line
// break quoted, CRLF line ends) for spreadsheets: a header row, then one row per result, in
// report order, of every status, with the columns benchmark (the benchmarks holding the
// check, separated by "; "), section, check, title, severity, status, kind, namespace,
// name (of the object; empty for a result about none), source (file:line, relative to
// opts.BaseDir), field and message.
//
// Cells are made safe for spreadsheets: values from the input are escaped as Escape does (no
// line breaks or control characters: a leading tab or carriage return is written as the
// text \t or \r), and a cell that then starts with =, +, - or @, which a spreadsheet would
// run as a formula, is prefixed with a single quote.
func WriteCSV(w io.Writer, r *Report, opts Options) error {
	if r == nil {
		return errors.New("write CSV report: nil report")
	}
	c := newCatalog(r, opts)
	paths := newSourcePaths(opts.BaseDir)
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	row := make([]string, len(csvHeader))
	for i := range r.Results {
		res := &r.Results[i]
		var kind, namespace, name string
		if o := res.Object; o != nil {
			kind, namespace, name = o.Kind, o.Namespace, o.Name
		}
		row = append(row[:0], strings.Join(c.benchmarks[res.CheckID], "; "), res.Section, res.CheckID, oneLine(res.Title),
			string(res.Severity), string(res.Status), kind, namespace, name, paths.label(res), res.Field,
			resultMessage(res))
		for j, cell := range row {
			row[j] = csvCell(cell)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write CSV report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	return nil
}

// csvCell returns s escaped, and prefixed with a quote when a spreadsheet would read it as a
// formula (see WriteCSV). A tab or carriage return, which spreadsheets also read as the start of a formula, cannot
// start the escaped cell: Escape writes them as the two characters \t and \r.
func csvCell(s string) string {
	s = printable.Escape(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

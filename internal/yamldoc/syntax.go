package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
)

var (
	yamlLineRE      = regexp.MustCompile(`^yaml: line (\d+): `)
	unknownAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// parserProblems are the messages of go-yaml's parser (as opposed to its scanner). The
// parser's errors give 0-based line numbers.
var parserProblems = []string{
	"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle",
}

// readerProblems are the messages of go-yaml's reader about a UTF-8 input; they have no line.
var readerProblems = []string{
	"invalid leading UTF-8 octet", "incomplete UTF-8 octet sequence", "invalid trailing UTF-8 octet",
	"invalid length of a UTF-8 sequence", "invalid Unicode character", "control characters are not allowed",
}

const (
	tabViolates   = "found a tab character"
	cannotStart   = "found character that cannot start any token"
	unclosedFlow  = "did not find expected ','"
	controlChars  = "control characters are not allowed"
	yamlMsgPrefix = "yaml: "
)

// SyntaxErrorPos returns where in data the syntax error err, which go-yaml (v3) returned
// while decoding data, is: its 1-based line and column (each 0 when unknown), and its
// message without the line go-yaml put in it ("yaml: did not find expected key"). data is
// all the decoder read: one document, or a stream (go-yaml counts a stream's lines from its
// start). The caller adds the line data starts on in its file.
//
// go-yaml's own line is corrected where it is known to be off:
//   - a tab in indentation ("found a tab character ..."): go-yaml reports the line of the
//     scalar (plain or block) that the tab's line continues; the tab's line and column are
//     returned;
//   - "found character that cannot start any token" on a line whose indentation holds a
//     tab: the tab's column;
//   - parser errors count lines from 0, and v3 reports where the construct that failed
//     started ("while parsing a block mapping"), which for an indentation mistake can be far
//     above it; v2 (which kubectl uses) reports where the problem was found. So data is
//     parsed again with v2 and its line taken when it fails with the same message, except
//     for an unclosed flow collection, whose start is the useful line;
//   - go-yaml gives no line for a problem on the first line, for an alias of an anchor that
//     is not defined (the first alias of that name is returned) and for a character YAML
//     does not allow (the first one; a control character's code point is added to the
//     message).
func SyntaxErrorPos(data []byte, err error) (line, col int, msg string) {
	if err == nil {
		return 0, 0, ""
	}
	full := err.Error()
	rel, msg, ok := splitLine(full)
	if !ok {
		if m := unknownAnchorRE.FindStringSubmatch(full); m != nil {
			if line, col, found := aliasPos(data, m[1]); found {
				return line, col, full
			}
			return 0, 0, full
		}
		problem := strings.TrimPrefix(full, yamlMsgPrefix)
		if hasAnyPrefix(problem, readerProblems) {
			if off, r, found := InvalidChar(data); found {
				if r != utf8.RuneError && strings.HasSuffix(full, controlChars) {
					full = fmt.Sprintf("%s (%U)", full, r)
				}
				line, col := lineCol(data, off)
				return line, col, full
			}
			return 0, 0, full
		}
		if !strings.HasPrefix(problem, tabViolates) && !strings.HasPrefix(problem, cannotStart) && !hasAnyPrefix(problem, parserProblems) {
			return 0, 0, full
		}
		// A scanner or parser problem on the first line: go-yaml leaves out a line 0.
		rel, msg = 0, problem // the parser's lines count from 0
		if !hasAnyPrefix(problem, parserProblems) {
			rel = 1 // the scanner's from 1
		}
	}
	switch {
	case strings.HasPrefix(msg, tabViolates):
		// Reported at the line of the scalar (plain or block) that the tab's line continues.
		if tab, found := TabIndentLine(data, rel+1); found {
			return tab, tabColumn(lineText(data, tab)), yamlMsgPrefix + msg
		}
		return rel, tabColumn(lineText(data, rel)), yamlMsgPrefix + msg
	case strings.HasPrefix(msg, cannotStart):
		return rel, tabColumn(lineText(data, rel)), yamlMsgPrefix + msg
	case hasAnyPrefix(msg, parserProblems):
		rel++
		if !strings.HasPrefix(msg, unclosedFlow) {
			if rel2, msg2, ok := splitLine(errorText(parseV2(data))); ok && msg2 == msg {
				rel = rel2 + 1
			}
		}
	}
	return rel, 0, yamlMsgPrefix + msg
}

// parseV2 decodes every document of data with go-yaml v2 and returns the first error.
func parseV2(data []byte) error {
	dec := yamlv2.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// splitLine splits "yaml: line N: message".
func splitLine(s string) (line int, msg string, ok bool) {
	m := yamlLineRE.FindStringSubmatch(s)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, "", false
	}
	return n, s[len(m[0]):], true
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// lineText returns line n (1-based) of data without its line end; nil past the end.
func lineText(data []byte, n int) []byte {
	for i := 1; n > 0 && len(data) > 0; i++ {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		if i == n {
			return bytes.TrimSuffix(data[:end], []byte{'\r'})
		}
		data = data[min(end+1, len(data)):]
	}
	return nil
}

// tabColumn returns the 1-based column of the first tab in the indentation of line s, or 0
// when its indentation holds none or nothing follows it.
func tabColumn(s []byte) int {
	n := len(s) - len(bytes.TrimLeft(s, " \t"))
	if n == len(s) || s[n] == '\r' {
		return 0
	}
	return bytes.IndexByte(s[:n], '\t') + 1
}

// lineCol returns the 1-based line and column (in characters, as go-yaml counts them) of
// byte offset off of data.
func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return 1 + bytes.Count(data[:off], []byte{'\n'}), 1 + utf8.RuneCount(data[start:off])
}

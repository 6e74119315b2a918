package cis

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
)

// controlIDs are the 131 controls of CIS Kubernetes Benchmark v1.12.0, kept here so that
// the benchmark's completeness does not depend on the reference table at run time.
var controlIDs = strings.Fields(`
1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 1.1.7 1.1.8 1.1.9 1.1.10 1.1.11 1.1.12 1.1.13 1.1.14 1.1.15
1.1.16 1.1.17 1.1.18 1.1.19 1.1.20 1.1.21
1.2.1 1.2.2 1.2.3 1.2.4 1.2.5 1.2.6 1.2.7 1.2.8 1.2.9 1.2.10 1.2.11 1.2.12 1.2.13 1.2.14 1.2.15
1.2.16 1.2.17 1.2.18 1.2.19 1.2.20 1.2.21 1.2.22 1.2.23 1.2.24 1.2.25 1.2.26 1.2.27 1.2.28 1.2.29 1.2.30
1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7
1.4.1 1.4.2
2.1 2.2 2.3 2.4 2.5 2.6 2.7
3.1.1 3.1.2 3.1.3 3.2.1 3.2.2
4.1.1 4.1.2 4.1.3 4.1.4 4.1.5 4.1.6 4.1.7 4.1.8 4.1.9 4.1.10
4.2.1 4.2.2 4.2.3 4.2.4 4.2.5 4.2.6 4.2.7 4.2.8 4.2.9 4.2.10 4.2.11 4.2.12 4.2.13 4.2.14
4.3.1
5.1.1 5.1.2 5.1.3 5.1.4 5.1.5 5.1.6 5.1.7 5.1.8 5.1.9 5.1.10 5.1.11 5.1.12 5.1.13
5.2.1 5.2.2 5.2.3 5.2.4 5.2.5 5.2.6 5.2.7 5.2.8 5.2.9 5.2.10 5.2.11 5.2.12
5.3.1 5.3.2 5.4.1 5.4.2 5.5.1 5.6.1 5.6.2 5.6.3 5.6.4
`)

func TestBenchmarkHasEveryControl(t *testing.T) {
	require.Len(t, controlIDs, 131)
	for _, b := range []struct {
		name   string
		checks []check.Check
	}{{"cis-1.12", V112().Checks}, {"cis-2.0", V20().Checks}} {
		t.Run(b.name, func(t *testing.T) {
			var got []string
			for _, c := range b.checks {
				got = append(got, strings.TrimPrefix(c.Meta().ID, "cis:"))
			}
			assert.Equal(t, controlIDs, got, "all 131 controls, in CIS order")
		})
	}
}

func TestBenchmarksValidate(t *testing.T) {
	for _, b := range []struct {
		name string
		err  error
	}{{"cis-1.12", V112().Validate()}, {"cis-2.0", V20().Validate()}} {
		assert.NoError(t, b.err, b.name)
	}
	assert.Equal(t, "cis-1.12", V112().Name)
	assert.Equal(t, "cis-2.0", V20().Name)
}

func TestBenchmarkMetadata(t *testing.T) {
	for _, c := range V112().Checks {
		m := c.Meta()
		t.Run(m.ID, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(m.ID, "cis:"))
			assert.NotEmpty(t, m.Section)
			assert.True(t, strings.HasPrefix(m.Section, sectionKey(strings.TrimPrefix(m.ID, "cis:"))+" "), m.Section)
			assert.Contains(t, []string{"L1", "L2"}, m.Level)
			assert.True(t, m.Severity.Valid())
			assert.NotEmpty(t, m.Description)
			assert.True(t, strings.HasSuffix(m.Remediation, "."), "remediation ends a sentence: %q", m.Remediation)
			if !m.Manual {
				assert.NotNil(t, c.(interface{ Meta() check.Meta }), "runnable")
			}
		})
	}
}

func sectionKey(id string) string { return id[:strings.LastIndexByte(id, '.')] }

// The benchmark agrees with the reference table: IDs, levels and CIS assessments.
func TestReferenceTable(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "reference", "cis-1.12-controls.tsv"))
	if os.IsNotExist(err) {
		t.Skip("reference table ../shared/reference/cis-1.12-controls.tsv is not present")
	}
	require.NoError(t, err)
	defer f.Close()
	type row struct{ section, level, assessment string }
	ref := map[string]row{}
	var ids []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		require.GreaterOrEqual(t, len(cols), 6)
		ids = append(ids, cols[0])
		ref[cols[0]] = row{section: cols[1], level: cols[5], assessment: cols[3]}
	}
	require.NoError(t, sc.Err())
	assert.ElementsMatch(t, ids, controlIDs, "the Go list matches the reference table")

	metas := map[string]check.Meta{}
	for _, c := range V112().Checks {
		metas[strings.TrimPrefix(c.Meta().ID, "cis:")] = c.Meta()
	}
	cisManual := map[string]bool{}
	for _, c := range allControls() {
		cisManual[c.id] = c.cisManual
	}
	for _, id := range ids {
		m, ok := metas[id]
		if !assert.True(t, ok, "missing %s", id) {
			continue
		}
		assert.Equal(t, ref[id].level, m.Level, "%s level", id)
		assert.Equal(t, ref[id].section, m.Section, "%s section", id)
		assert.Equal(t, ref[id].assessment == "Manual", cisManual[id], "%s assessment", id)
		assert.Contains(t, m.Description, "CIS assessment: "+ref[id].assessment, id)
	}
	for _, c := range V20().Checks {
		m := c.Meta()
		want := ref[strings.TrimPrefix(m.ID, "cis:")].level
		if m.ID == "cis:5.2.9" {
			want = "L2"
		}
		assert.Equal(t, want, m.Level, "cis-2.0 %s level", m.ID)
	}
}

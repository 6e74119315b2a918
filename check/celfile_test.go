package check_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestLoadCELFile(t *testing.T) {
	checks, err := check.LoadCELFile(filepath.Join("testdata", "checks.yaml"))
	require.NoError(t, err)
	require.NoError(t, check.Validate(checks))
	require.Len(t, checks, 3)

	reg := checks[0].Meta()
	assert.Equal(t, "custom:allowed-registries", reg.ID)
	assert.Equal(t, "Images come from approved registries", reg.Title)
	assert.Equal(t, check.High, reg.Severity)
	assert.Equal(t, []string{"https://kubernetes.io/docs/concepts/containers/images/"}, reg.References)
	assert.Equal(t, []schema.GroupKind{inventory.KindPod, inventory.KindDeployment, inventory.KindStatefulSet,
		inventory.KindDaemonSet, inventory.KindJob, inventory.KindCronJob, inventory.KindReplicaSet,
		inventory.KindReplicationController}, reg.Kinds)
	netpol := checks[1].Meta()
	assert.Equal(t, []schema.GroupKind{inventory.KindNetworkPolicy}, netpol.Requires)
	assert.Equal(t, "custom:owner-label", checks[2].Meta().ID, "checks of every document")

	// The loaded checks work: registries from the params default, pod templates, messages.
	inv := mustInventory(t,
		deployment("shop", "web", func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers = []corev1.Container{
				{Name: "app", Image: "registry.example.com/web:1"},
				{Name: "sidecar", Image: "docker.io/envoy:1"},
			}
		}),
		pod("shop", "ok"),
	)
	assert.Equal(t, []finding{
		{Object: "Pod shop/ok", Status: check.StatusPass, Field: "spec"},
		{Object: "Deployment shop/web", Status: check.StatusFail, Field: "spec.template.spec",
			Message: "images not from an approved registry: docker.io/envoy:1"},
	}, mustRun(t, checks[0], inv, nil))
}

const header = "apiVersion: kspm.dev/v1alpha1\nkind: CheckList\nchecks:\n"

const goodEntry = `- id: custom:good
  title: Good
  severity: low
  remediation: None needed.
  kinds: [Pod]
  expression: "true"
`

func TestParseCELChecksErrors(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		wants []string // substrings of the joined error, each expected
	}{
		{
			name: "unknown field is an error with a suggestion",
			yaml: header + goodEntry + `- id: custom:typo
  title: Typo
  severity: high
  remediation: Fix it.
  kinds: [Pod]
  expresion: object.spec.hostNetwork == false
`,
			wants: []string{
				`src.yaml:15:3: check custom:typo: unknown field "expresion" (did you mean "expression"?)`,
				`src.yaml:10:3: check custom:typo: no expression`,
			},
		},
		{
			name: "bad severity",
			yaml: header + `- id: custom:sev
  title: Severity
  severity: urgent
  remediation: Fix it.
  expression: "true"
`,
			wants: []string{`src.yaml:6:13: check custom:sev: unknown severity "urgent"`},
		},
		{
			name: "missing metadata",
			yaml: header + `- id: custom:bare
  severity: low
  expression: "true"
`,
			wants: []string{"src.yaml:4:3: check custom:bare: no title", "src.yaml:4:3: check custom:bare: no remediation"},
		},
		{
			name: "duplicate IDs across documents",
			yaml: header + goodEntry + "---\n" + header + goodEntry,
			wants: []string{
				"src.yaml:14:7: check custom:good: duplicate ID: also defined at line 4",
			},
		},
		{
			name: "compile error names the file line of the expression",
			yaml: header + `- id: custom:cel
  title: CEL
  severity: low
  remediation: Fix it.
  kinds: [Pod]
  expression: |
    object.spec.containers.all(c,
      c.securityContext.privileged == flase)
`,
			wants: []string{
				"src.yaml:11:39: check custom:cel: expression: line 2, column 35: undeclared reference to 'flase'",
			},
		},
		{
			name: "wrong result type",
			yaml: header + `- id: custom:type
  title: Type
  severity: low
  remediation: Fix it.
  expression: size(object.metadata.name)
`,
			wants: []string{"src.yaml:8:15: check custom:type: expression: wrong result type: got int, want bool"},
		},
		{
			name: "bad kinds",
			yaml: header + `- id: custom:kinds
  title: Kinds
  severity: low
  remediation: Fix it.
  kinds: [Pod, deploymnets, foos.example.com]
  expression: "true"
`,
			wants: []string{
				`src.yaml:8:16: check custom:kinds: kinds: unknown kind "deploymnets"`,
				`src.yaml:8:29: check custom:kinds: kinds: unknown kind "foos.example.com"`,
			},
		},
		{
			name:  "wrong header",
			yaml:  "apiVersion: v1\nkind: List\nchecks: []\n",
			wants: []string{`src.yaml:1:1: apiVersion "v1", kind "List": want apiVersion kspm.dev/v1alpha1, kind CheckList`},
		},
		{
			name:  "unknown top-level field",
			yaml:  header + goodEntry + "check: []\n",
			wants: []string{`src.yaml:10:1: unknown field "check" (did you mean "checks"?)`},
		},
		{
			name:  "not a list of checks",
			yaml:  "apiVersion: kspm.dev/v1alpha1\nkind: CheckList\nchecks: {id: x}\n",
			wants: []string{"src.yaml:3:9: checks: want a list, got a YAML mapping"},
		},
		{
			name:  "YAML syntax error",
			yaml:  header + "- id: [unclosed\n",
			wants: []string{"src.yaml:4: parse YAML: did not find expected ',' or ']'"},
		},
		{
			name:  "tab in indentation",
			yaml:  header + "- id: custom:tab\n  title: Tab\n\tseverity: high\n",
			wants: []string{"src.yaml:6:1: parse YAML: found a tab character that violates indentation"},
		},
		{
			name:  "tab in the indentation of a list",
			yaml:  header + goodEntry + "  references:\n  \t- https://example.com\n",
			wants: []string{"src.yaml:11:3: parse YAML: "},
		},
		{
			name:  "alias of an anchor that is not defined",
			yaml:  header + goodEntry + "  references: [\"*x\", *x]\n",
			wants: []string{"src.yaml:10:22: parse YAML: unknown anchor 'x' referenced"},
		},
		{
			name:  "control character",
			yaml:  header + goodEntry + "  description: \"a\x1bb\"\n",
			wants: []string{"src.yaml:10:18: parse YAML: control characters are not allowed (U+001B)"},
		},
		{
			name:  "bad indentation: the line of the problem, not of its mapping",
			yaml:  header + "- id: custom:indent\n  params:\n    a: 1\n    b: 2\n   c: 3\n",
			wants: []string{"src.yaml:8: parse YAML: did not find expected key"},
		},
		{
			name:  "character that cannot start a token, before a tab in indentation",
			yaml:  header + "- id: `x\n\ttitle: T\n",
			wants: []string{"src.yaml:4: parse YAML: found character that cannot start any token"},
		},
		{
			name: "type errors do not hide the entry's other errors",
			yaml: header + `- id: custom:types
  title: [not, a, string]
  severity: high
  kinds: Pod
  costLimit: lots
  expression: nope == 1
`,
			wants: []string{
				"src.yaml:5:10: check custom:types: title: want a string, got a list",
				"src.yaml:4:3: check custom:types: no remediation",
				"src.yaml:7:10: check custom:types: kinds: want a list of kinds, got `Pod`",
				"src.yaml:8:14: check custom:types: costLimit: want a non-negative integer, got `lots`",
				"src.yaml:9:15: check custom:types: expression: line 1, column 1: undeclared reference to 'nope'",
			},
		},
		{
			name:  "cost limit above the maximum",
			yaml:  header + goodEntry + "  costLimit: 18446744073709551615\n",
			wants: []string{"src.yaml:10:14: check custom:good: costLimit: 18446744073709551615 is above the maximum, 10000000"},
		},
		{
			name:  "scan cost limit above the maximum",
			yaml:  header + goodEntry + "  scanCostLimit: 500000001\n",
			wants: []string{"src.yaml:10:18: check custom:good: scanCostLimit: 500000001 is above the maximum, 500000000"},
		},
		{
			name:  "empty input",
			yaml:  "# nothing\n",
			wants: []string{"src.yaml: no CheckList document"},
		},
		{
			name: "pod templates of a kind without them",
			yaml: header + `- id: custom:svc
  title: Svc
  severity: low
  remediation: Fix it.
  kinds: [Service]
  podTemplates: true
  expression: "true"
`,
			wants: []string{"src.yaml:8:10: check custom:svc: kinds: kind Service has no pod template; podTemplates checks apply to Pod,"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks, err := check.ParseCELChecks([]byte(tt.yaml), "src.yaml")
			require.Error(t, err)
			assert.Nil(t, checks, "no checks from an input with errors")
			for _, w := range tt.wants {
				assert.Contains(t, err.Error(), w)
			}
			var fe *check.CELFileError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "src.yaml", fe.File)
			assert.Len(t, unjoin(err), len(tt.wants), "one error per problem")
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Every problem of every entry is reported, each with its file, line and column: a problem in
// one field hides neither the entry's other problems nor those of its expressions.
func TestParseCELChecksPositionsEveryError(t *testing.T) {
	yaml := header + `- id: custom:a
  severity: extreme
  kinds: [Pod, nopods]
  expression: ""
  message: "'x' + nope"
  match: object.kind = 'Pod'
  frobnicate: true
- id: custom:a
  title: B
  severity: low
  remediation: Fix.
  podTemplates: true
  kinds: [Service]
  params: [1]
  expression: |
    object.spec.containers.all(c,
      c.image.startsWith(params.registry) &&
      c.imagePullPolicy == Always)
`
	_, err := check.ParseCELChecks([]byte(yaml), "all.yaml")
	require.Error(t, err)
	var got []string
	for _, e := range unjoin(err) {
		var fe *check.CELFileError
		require.ErrorAs(t, e, &fe)
		assert.Positive(t, fe.Line, "%v", e)
		assert.Positive(t, fe.Column, "%v", e)
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{
		`all.yaml:10:3: check custom:a: unknown field "frobnicate"`,
		`all.yaml:4:3: check custom:a: no title`,
		`all.yaml:4:3: check custom:a: no remediation`,
		`all.yaml:5:13: check custom:a: unknown severity "extreme" (want one of critical, high, medium, low, info)`,
		`all.yaml:7:15: check custom:a: no expression`,
		`all.yaml:6:16: check custom:a: kinds: unknown kind "nopods" (write a Kind such as Deployment, or Kind.group for other kinds)`,
		`all.yaml:8:19: check custom:a: message: line 1, column 7: undeclared reference to 'nope'`,
		`all.yaml:9:22: check custom:a: match: line 1, column 13: Syntax error: token recognition error at: '= '; Syntax error: extraneous input ''Pod'' expecting <EOF>`,
		`all.yaml:17:11: check custom:a: params: want a mapping, got a list`,
		`all.yaml:11:7: check custom:a: duplicate ID: also defined at line 4`,
		`all.yaml:16:10: check custom:a: kinds: kind Service has no pod template; podTemplates checks apply to Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob`,
		`all.yaml:21:28: check custom:a: expression: line 3, column 24: undeclared reference to 'Always'`,
	}, got)
}

func TestParseCELChecksReportsEveryError(t *testing.T) {
	yaml := header + `- id: custom:a
  title: A
  severity: high
  remediation: Fix.
  expression: nope == 1
- id: custom:b
  title: B
  severity: extreme
  remediation: Fix.
  expression: "true"
` + goodEntry
	_, err := check.ParseCELChecks([]byte(yaml), "many.yaml")
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 2)
	assert.Contains(t, err.Error(), "many.yaml:8:15: check custom:a: expression: line 1, column 1: undeclared reference to 'nope'")
	assert.Contains(t, err.Error(), `many.yaml:11:13: check custom:b: unknown severity "extreme"`)
	var ce *check.CELError
	require.ErrorAs(t, err, &ce, "compile errors stay inspectable")
	assert.Equal(t, "custom:a", ce.CheckID)
}

func TestLoadCELFileNamesTheFile(t *testing.T) {
	path := filepath.Join("testdata", "bad", "typo.yaml")
	_, err := check.LoadCELFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+`:9:3: check custom:typo: unknown field "expresion"`)

	_, err = check.LoadCELFile(filepath.Join("testdata", "missing.yaml"))
	require.Error(t, err)
	var fe *check.CELFileError
	assert.False(t, errors.As(err, &fe))
	assert.Contains(t, err.Error(), "missing.yaml")
}

// A check file is bounded: in size, in number of checks and in the length of each
// expression; and YAML that expands without bound (aliases of aliases) or nests without
// bound is an error, not a hang.
func TestParseCELChecksBounds(t *testing.T) {
	entry := func(i int, expr string) string {
		return fmt.Sprintf("- id: custom:c%d\n  title: T\n  severity: low\n  remediation: R\n  expression: %q\n", i, expr)
	}
	t.Run("file size", func(t *testing.T) {
		big := header + entry(0, "true") + "# " + strings.Repeat("x", check.MaxCELFileSize) + "\n"
		_, err := check.ParseCELChecks([]byte(big), "big.yaml")
		assert.EqualError(t, err, fmt.Sprintf("big.yaml: %d bytes, more than a check file may hold (%d)", len(big), check.MaxCELFileSize))
		path := filepath.Join(t.TempDir(), "big.yaml")
		require.NoError(t, os.WriteFile(path, []byte(big), 0o600))
		_, err = check.LoadCELFile(path)
		assert.ErrorContains(t, err, path+": more than a check file may hold")
	})
	t.Run("number of checks", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header)
		for i := range check.MaxCELFileChecks + 1 {
			b.WriteString(entry(i, "true"))
		}
		_, err := check.ParseCELChecks([]byte(b.String()), "many.yaml")
		line := 4 + 5*check.MaxCELFileChecks
		assert.EqualError(t, err, fmt.Sprintf("many.yaml:%d:3: more than %d checks in one file", line, check.MaxCELFileChecks))
	})
	t.Run("expression length", func(t *testing.T) {
		long := strings.Repeat("true && ", check.MaxCELExpressionLength/8) + "true"
		_, err := check.ParseCELChecks([]byte(header+entry(0, long)), "long.yaml")
		assert.EqualError(t, err, fmt.Sprintf("long.yaml:8:15: check custom:c0: expression: %d bytes, more than an expression may have (%d)",
			len(long), check.MaxCELExpressionLength))
	})
	t.Run("alias expansion", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header + entry(0, "true") + "  params:\n    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
		for c := 'b'; c <= 'i'; c++ {
			fmt.Fprintf(&b, "    %c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c-1, c-1, c-1, c-1, c-1, c-1, c-1, c-1, c-1)
		}
		_, err := check.ParseCELChecks([]byte(b.String()), "bomb.yaml")
		assert.EqualError(t, err, "bomb.yaml:10:5: check custom:c0: params: document contains excessive aliasing")
	})
	t.Run("nesting", func(t *testing.T) {
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		_, err := check.ParseCELChecks([]byte(header+entry(0, "true")+"  params: {a: "+deep+"}\n"), "deep.yaml")
		assert.ErrorContains(t, err, "deep.yaml:9: parse YAML: exceeded max depth of 10000")
	})
}

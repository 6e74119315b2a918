package checktest_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
)

// printer is a testing.TB that prints what it is told; in a real test, pass t.
type printer struct{ testing.TB }

func (printer) Helper()                           {}
func (printer) Errorf(format string, args ...any) { fmt.Printf("ERROR: "+format+"\n", args...) }
func (printer) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// Run loads each fixture case of a directory, runs the check and compares its verdicts with
// the kspm.dev/expect annotations of the fixtures. In a test:
//
//	func TestHostNetwork(t *testing.T) {
//		checktest.Run(t, hostNetwork, "testdata/hostnetwork")
//	}
func Example() {
	hostNetwork, err := check.CEL(check.CELSpec{
		Meta: check.Meta{ID: "custom:host-network", Title: "Pods do not use the host network",
			Severity: check.High, Remediation: "Remove hostNetwork."},
		PodTemplates: true,
		Expression:   "podSpec.?hostNetwork.orValue(false) == false",
		Message:      "object.kind + ' ' + object.metadata.name + ' uses the host network'",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	results := checktest.Run(printer{}, hostNetwork, filepath.Join("testdata", "hostnetwork"))
	for _, r := range results {
		fmt.Println(strings.TrimSpace(fmt.Sprint(r.Status, " ", r.Object, " ", r.Message)))
	}
	// Output:
	// fail Pod shop/agent Pod agent uses the host network
	// pass Pod shop/web
	// fail Deployment monitoring/node-exporter Deployment node-exporter uses the host network
}

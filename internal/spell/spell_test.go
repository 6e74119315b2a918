package spell

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"pod", "pod", 0}, {"", "abc", 3}, {"deploymnet", "deployment", 1},
		{"cronjobs", "cronjob", 1}, {"secret", "secrte", 1}, {"ingres", "ingress", 1}, {"abc", "xyz", 3},
		{"ca", "abc", 3}, // optimal string alignment: a swapped pair is not edited again
	} {
		assert.Equal(t, tt.want, Distance(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, Distance(tt.b, tt.a), "%q %q", tt.b, tt.a)
	}
}

func TestClosest(t *testing.T) {
	kinds := []string{"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Pod", "Pods"}
	for _, tt := range []struct{ in, want string }{
		{"Deploymnet", "Deployment"},
		{"deployment", "Deployment"},
		{"POD", "Pod"},
		{"Statefulset", "StatefulSet"},
		{"Pos", ""}, // Pod and Pods: as near as each other
		{"Everything", ""},
	} {
		assert.Equal(t, tt.want, Closest(tt.in, kinds), tt.in)
	}
}

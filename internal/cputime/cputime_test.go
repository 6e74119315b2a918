package cputime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProcessCountsWorkNotWaiting(t *testing.T) {
	start := Process()
	time.Sleep(50 * time.Millisecond)
	slept := Process() - start
	start = Process()
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
	}
	worked := Process() - start
	assert.Less(t, slept, 25*time.Millisecond, "sleeping uses no CPU")
	assert.Greater(t, worked, slept, "spinning does")
}

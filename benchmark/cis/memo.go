package cis

import (
	"sync"
	"weak"

	"github.com/kspm-dev/kspm/inventory"
)

// memo keeps one value computed from the inventory most recently asked about, so that the
// many checks of one scan (run concurrently over the same inventory) share work such as
// finding the component pods or building the RBAC engine. It holds the inventory weakly:
// a finished scan's inventory can be collected.
type memo[T any] struct {
	mu   sync.Mutex
	last *memoEntry[T]
}

type memoEntry[T any] struct {
	inv  weak.Pointer[inventory.Inventory]
	once sync.Once
	val  T
}

// get returns build(inv), computed once per inventory while it stays the latest one.
func (m *memo[T]) get(inv *inventory.Inventory, build func(*inventory.Inventory) T) T {
	m.mu.Lock()
	e := m.last
	if e == nil || e.inv.Value() != inv {
		e = &memoEntry[T]{inv: weak.Make(inv)}
		m.last = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.val = build(inv) })
	return e.val
}

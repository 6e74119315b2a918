package inventory

import (
	"cmp"
	"context"
	"time"
)

// The listing of namespace default's other resources (WithDefaultNamespaceListing) by a
// Watch: those resources are not watched (a watch per resource type of every group the
// server serves, kept open for good, would cost the server far more than a periodic list of
// one namespace); they are listed before the first inventory and again every
// WithDefaultNamespaceRefresh period, and a listing that says something new is installed in
// the next snapshot (see Watch.apply).

// defaultNamespaceLoader returns the loader that lists namespace default for w, with the
// options of a one-shot load (parallelism, request timeout and retries at FromClientset's
// defaults unless set).
func (w *Watch) defaultNamespaceLoader() *clusterLoader {
	o := w.opts
	return &clusterLoader{cs: w.cs, md: o.metadata, pageSize: o.pageSize,
		parallelism: cmp.Or(o.parallelism, defaultListParallelism), requestTimeout: cmp.Or(o.requestTimeout, defaultRequestTimeout),
		retries: o.retries}
}

// listDefaultNamespace lists namespace default once, for the first inventory, and drops a
// listing a refresh may have left pending meanwhile (this one is as new).
func (w *Watch) listDefaultNamespace(ctx context.Context) *DefaultNamespaceListing {
	w.mu.Lock()
	w.pendingNS = nil
	w.mu.Unlock()
	return w.defaultNamespaceLoader().listDefaultNamespace(ctx)
}

// refreshDefaultNamespace lists namespace default every refresh period until ctx ends,
// leaving each listing pending for the next snapshot.
func (w *Watch) refreshDefaultNamespace(ctx context.Context) {
	every := cmp.Or(w.opts.defaultNamespaceEvery, DefaultNamespaceRefresh)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l := w.defaultNamespaceLoader().listDefaultNamespace(ctx)
		if ctx.Err() != nil {
			return // cut short: not a listing
		}
		w.mu.Lock()
		w.pendingNS = l
		w.stats.DefaultNamespaceListings++
		w.mu.Unlock()
		w.notify()
	}
}

package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// tableAccept asks the API server for a Table (the form kubectl get prints): for Secrets its
// columns hold the name, the type and the number of keys, never a value.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

// withSecretTables lists Secrets as server-side Tables through rc (core/v1), so their Type is
// known as well as their metadata; a server that does not answer with a Table falls back to
// the metadata client.
func withSecretTables(rc rest.Interface) ClusterOption {
	return clusterOptionFunc(func(o *clusterOptions) { o.secretTables = rc })
}

// tableSecretPages lists Secrets as Tables with each row's object as metadata
// (includeObject=Metadata), reading the Type column. When the server answers with something
// other than a Table, it switches to fallback (metadata only) for good.
func tableSecretPages(rc rest.Interface, fallback pageFunc) pageFunc {
	var noTables atomic.Bool
	return func(ctx context.Context, opts metav1.ListOptions, dst []runtime.Object) ([]runtime.Object, string, error) {
		if noTables.Load() && fallback != nil {
			return fallback(ctx, opts, dst)
		}
		secrets, meta, err := secretTable(ctx, rc.Get().Resource("secrets").VersionedParams(&opts, metav1.ParameterCodec))
		switch {
		case errors.Is(err, errNoTable) && fallback != nil:
			noTables.Store(true)
			return fallback(ctx, opts, dst)
		case err != nil:
			return dst, "", err
		}
		for _, s := range secrets {
			dst = append(dst, s)
		}
		return dst, meta.Continue, nil
	}
}

// errNoTable is the error of secretTable when the server answers with something else than a
// Table.
var errNoTable = errors.New("secrets: the server did not answer with a Table")

// secretTable asks req (a list of Secrets, or a get of one) for a Table with each row's
// object as metadata (includeObject=Metadata), and returns the Secrets it describes, each
// with its metadata (scrubbed, see scrubSecretMeta) and its type, and the Table's list
// metadata (resource version, continue token).
func secretTable(ctx context.Context, req *rest.Request) ([]*corev1.Secret, metav1.ListMeta, error) {
	raw, err := req.Param("includeObject", string(metav1.IncludeMetadata)).SetHeader("Accept", tableAccept).DoRaw(ctx)
	if err != nil {
		// Keep the server's own words (e.g. which user cannot list what).
		var status metav1.Status
		if json.Unmarshal(raw, &status) == nil && status.Kind == "Status" && status.Message != "" {
			return nil, metav1.ListMeta{}, apierrors.FromObject(&status)
		}
		return nil, metav1.ListMeta{}, err
	}
	var table metav1.Table
	if err := json.Unmarshal(raw, &table); err != nil || table.Kind != "Table" {
		return nil, metav1.ListMeta{}, errNoTable
	}
	typeCol := -1
	for i, c := range table.ColumnDefinitions {
		if c.Name == "Type" {
			typeCol = i
		}
	}
	out := make([]*corev1.Secret, 0, len(table.Rows))
	for _, row := range table.Rows {
		var pom metav1.PartialObjectMetadata
		if err := json.Unmarshal(row.Object.Raw, &pom); err != nil {
			return nil, metav1.ListMeta{}, fmt.Errorf("secrets: table row object: %w", err)
		}
		s := &corev1.Secret{ObjectMeta: pom.ObjectMeta}
		scrubSecretMeta(&s.ObjectMeta)
		if typeCol >= 0 && typeCol < len(row.Cells) {
			if t, ok := row.Cells[typeCol].(string); ok {
				s.Type = corev1.SecretType(t)
			}
		}
		out = append(out, s)
	}
	return out, table.ListMeta, nil
}

// secretPager returns how Secrets are listed: as Tables (metadata and type) when a REST
// client for them is set, else as metadata, else nil (typed, values dropped on arrival).
func secretPager(tables rest.Interface, md metadata.Interface, gvr schema.GroupVersionResource) pageFunc {
	var fallback pageFunc
	if md != nil {
		fallback = metadataSecretPages(md, gvr)
	}
	if tables != nil {
		return tableSecretPages(tables, fallback)
	}
	return fallback
}

// secretManagedFields reduces a Secret's managedFields to what tells when its data was last
// written: each entry's manager, operation, API version and time, and the top-level fields it
// owns, as a FieldsV1 set without what is under them ({"f:data":{},"f:metadata":{}}). An
// entry whose fields cannot be read is dropped.
func secretManagedFields(mf []metav1.ManagedFieldsEntry) []metav1.ManagedFieldsEntry {
	if len(mf) == 0 {
		return nil
	}
	out := make([]metav1.ManagedFieldsEntry, 0, len(mf))
	for _, e := range mf {
		if e.FieldsV1 == nil {
			continue
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(e.FieldsV1.Raw, &top); err != nil {
			continue
		}
		reduced := make(map[string]struct{}, len(top))
		for k := range top {
			reduced[k] = struct{}{}
		}
		raw, err := json.Marshal(reduced)
		if err != nil {
			continue
		}
		out = append(out, metav1.ManagedFieldsEntry{Manager: e.Manager, Operation: e.Operation, APIVersion: e.APIVersion,
			Time: e.Time, FieldsType: e.FieldsType, FieldsV1: &metav1.FieldsV1{Raw: raw}, Subresource: e.Subresource})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

package yamldoc

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []doc
		wantErr string
	}{
		{"one object", "{\"a\": 1}\n", []doc{{1, 1, `{"a": 1}`}}, ""},
		{"stream", "\ufeff{\"a\": \"}\"}\n\n[1,\n2] {}", []doc{{1, 1, `{"a": "}"}`}, {3, 3, "[1,\n2]"}, {4, 4, "{}"}}, ""},
		{"escaped quote", `{"a": "x\"}"}`, []doc{{1, 1, `{"a": "x\"}"}`}}, ""},
		{"unterminated", "{}\n{\"a\": [1,\n", []doc{{1, 1, "{}"}}, "line 2: unterminated object"},
		{"mismatched", "{\n]", nil, "line 2: unexpected ']'"},
		{"stray close", "}", nil, "line 1: unexpected '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitJSON([]byte(tt.in))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tt.want != nil {
				assert.Equal(t, tt.want, docsOf(got))
			}
		})
	}
}

func TestJSONMembersAndElements(t *testing.T) {
	obj := Document{Line: 10, Data: []byte("{\n \"kind\": \"Pod\",\n \"k\\u0065y\": [ {\"a\": 1},\n {\"b\": 2} ],\n \"n\": null\n}")}
	members, err := JSONMembers(obj)
	require.NoError(t, err)
	require.Len(t, members, 3)
	assert.Equal(t, "kind", members[0].Key)
	assert.Equal(t, 11, members[0].KeyLine)
	s, ok := JSONString(members[0].Value)
	assert.True(t, ok)
	assert.Equal(t, "Pod", s)
	assert.Equal(t, "key", members[1].Key, "escapes in keys are decoded")
	assert.Equal(t, "null", string(members[2].Value.Data))

	elems, err := JSONElements(members[1].Value)
	require.NoError(t, err)
	assert.Equal(t, []doc{{12, 12, `{"a": 1}`}, {13, 13, `{"b": 2}`}}, docsOf(elems))

	_, err = JSONMembers(Document{Line: 1, Data: []byte(`{"a" 1}`)})
	assert.EqualError(t, err, "line 1: expected ':' after object key")
	_, err = JSONMembers(Document{Line: 1, Data: []byte("{1: 2}")})
	assert.EqualError(t, err, "line 1: object key is not a string")
	_, err = JSONElements(Document{Line: 4, Data: []byte("[1\n 2]")})
	assert.EqualError(t, err, "line 5: expected ',' or ']' after an array element")
}

func TestJSONLookup(t *testing.T) {
	d := Document{Line: 3, Data: []byte(`{
  "metadata": {"annotations": {"a.b/c": "x"}},
  "spec": {
    "containers": [
      {"name": "a"},
      {"name": "b",
       "foo": 1,
       "foo": 2}
    ]
  }
}`)}
	tests := []struct {
		path   string
		last   bool
		want   int
		wantOK bool
	}{
		{"spec", false, 5, true},
		{"spec.containers[1].foo", false, 9, true},
		{"spec.containers[1].foo", true, 10, true},
		{"metadata.annotations.a.b/c", false, 4, true},
		{"spec.containers[2]", false, 0, false},
		{"spec.nothing", false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			line, ok := JSONLookup(d, tt.path, tt.last)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, line)
		})
	}
	assert.Equal(t, 6, LineAt(d, bytes.Index(d.Data, []byte("containers"))))
	assert.Equal(t, 3, LineAt(d, -1))
}

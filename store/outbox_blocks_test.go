package store

import (
	"encoding/json"
	"testing"
)

// FuzzJSONArrayLen holds jsonArrayLen to what decoding into a slice says:
// the same count, and refused exactly when decoding fails.
func FuzzJSONArrayLen(f *testing.F) {
	for _, s := range []string{`[]`, ` [ ] `, `null`, `{}`, `"x"`, `1`, `[1,2,3]`, `[[],{}]`, `[{"a":[1,2],"b":"x,]"}]`,
		`["\"",","]`, `[{"type":"section","text":{"type":"mrkdwn","text":"a, b"}}]`, `[`, `[1,]`, "\t[\n1\n]\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var blocks []json.RawMessage
		err := json.Unmarshal(b, &blocks)
		n, ok := jsonArrayLen(b)
		if ok != (err == nil) || (ok && n != len(blocks)) {
			t.Fatalf("jsonArrayLen(%q) = %d, %v; decoding gives %d, %v", b, n, ok, len(blocks), err)
		}
	})
}

// Package promtext is the Prometheus text exposition format as kambot
// serves it on /metrics: series names whose label values are escaped, so
// that a value taken from a request cannot end a line or a label early, and
// a strict reader of an exposition, for tests that read metrics back.
package promtext

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/VictoriaMetrics/metrics"
)

// Series returns name{l1="v1",l2="v2"} for the given pairs of label name and
// value, the values escaped. Labels keep the order given: kambot gives them
// sorted by name, as Prometheus exposes them.
func Series(name string, labels ...string) string {
	if len(labels) == 0 {
		return name
	}
	if len(labels)%2 != 0 {
		panic("promtext: labels must come in name, value pairs")
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i := 0; i < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		b.WriteString(Escape(labels[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// Escape escapes a label value as the text format wants (backslash, double
// quote and line feed) and replaces invalid UTF-8, which Prometheus refuses.
func Escape(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return escaper.Replace(v)
}

// Sample is one line of an exposition.
type Sample struct {
	Name   string            // with its suffix: _bucket, _sum, _count
	Labels map[string]string // unescaped values
	Value  float64
}

// Key is the sample's series with its labels sorted by name and unescaped:
// name{a="x",b="y"}.
func (s Sample) Key() string {
	if len(s.Labels) == 0 {
		return s.Name
	}
	names := make([]string, 0, len(s.Labels))
	for n := range s.Labels {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + `="` + s.Labels[n] + `"`
	}
	return s.Name + "{" + strings.Join(parts, ",") + "}"
}

// Exposition is a parsed exposition.
type Exposition struct {
	Samples []Sample
	Types   map[string]string // metric family → counter, gauge, histogram, summary
}

// Value returns the value of the first sample named name whose labels
// include every one given, or -1 when there is none. For a histogram's
// family name it returns the series' sample count (name_count), as
// client_golang's readers did.
func (e *Exposition) Value(name string, labels map[string]string) float64 {
	if v := e.value(name, labels); v >= 0 {
		return v
	}
	return e.value(name+"_count", labels)
}

func (e *Exposition) value(name string, labels map[string]string) float64 {
next:
	for _, s := range e.Samples {
		if s.Name != name {
			continue
		}
		for k, v := range labels {
			if s.Labels[k] != v {
				continue next
			}
		}
		return s.Value
	}
	return -1
}

// Sum adds up the values of every sample named name.
func (e *Exposition) Sum(name string) float64 {
	var sum float64
	for _, s := range e.Samples {
		if s.Name == name {
			sum += s.Value
		}
	}
	return sum
}

// Gather writes set in the text format and parses it back.
func Gather(set *metrics.Set) (*Exposition, error) {
	var b bytes.Buffer
	set.WritePrometheus(&b)
	return Parse(b.String())
}

// Parse reads an exposition strictly: every line is a comment (# HELP,
// # TYPE) or a sample "name{labels} value", so that a line broken by a
// badly escaped label value is an error.
func Parse(text string) (*Exposition, error) {
	e := &Exposition{Types: map[string]string{}}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" && text == "" {
			break
		}
		if strings.HasPrefix(line, "#") {
			if f := strings.Fields(line); len(f) == 4 && f[1] == "TYPE" {
				e.Types[f[2]] = f[3]
			}
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		e.Samples = append(e.Samples, s)
	}
	return e, nil
}

func parseSample(line string) (Sample, error) {
	s := Sample{Labels: map[string]string{}}
	n := identLen(line)
	if n == 0 {
		return s, errors.New("no metric name")
	}
	s.Name, line = line[:n], line[n:]
	if strings.HasPrefix(line, "{") {
		line = line[1:]
		for !strings.HasPrefix(line, "}") {
			n := identLen(line)
			if n == 0 || !strings.HasPrefix(line[n:], `="`) {
				return s, errors.New("bad label name")
			}
			name := line[:n]
			v, rest, err := unquote(line[n+2:])
			if err != nil {
				return s, fmt.Errorf("label %s: %w", name, err)
			}
			if _, dup := s.Labels[name]; dup {
				return s, fmt.Errorf("label %s twice", name)
			}
			s.Labels[name] = v
			line = strings.TrimPrefix(rest, ",")
			if rest == line && !strings.HasPrefix(line, "}") {
				return s, errors.New("labels not separated by a comma")
			}
			line = strings.TrimLeft(line, " ") // the format allows "a=\"1\", b=\"2\""
		}
		line = line[1:]
	}
	if !strings.HasPrefix(line, " ") {
		return s, errors.New("no space before the value")
	}
	v, err := strconv.ParseFloat(line[1:], 64)
	if err != nil && !math.IsInf(v, 0) {
		return s, fmt.Errorf("value: %w", err)
	}
	s.Value = v
	return s, nil
}

// identLen is the length of the metric or label name that s starts with.
func identLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return i
	}
	return len(s)
}

// unquote reads an escaped label value up to its closing quote and returns
// it with the rest of s.
func unquote(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("escape at the end of the line")
			}
			i++
			switch s[i] {
			case '\\', '"':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("no closing quote")
}

package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// TestHealthCodecSameBytes: the encoder gives, byte for byte, what the
// plain reflection encoder it replaced (appendValueBefore, kept here as the
// reference) gave, for inputs drawn at random. Maps are cut to one entry
// at most, as their order is Go's random one.
func TestHealthCodecSameBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 2000 {
		var in kam.HealthInput
		hcFill(r, reflect.ValueOf(&in).Elem(), 0)
		hcOneEntry(reflect.ValueOf(&in).Elem())
		got, err := encodeHealth(&in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := appendValueBefore(nil, reflect.ValueOf(&in).Elem())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("input %d: encoded\n%x\nbefore\n%x", i, got, want)
		}
		// A value not addressable (as map entries are) is encoded the same.
		got, err = appendValue(nil, reflect.ValueOf(in))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("input %d, not addressable: %v\n%x\nbefore\n%x", i, err, got, want)
		}
	}
	// A struct with an unexported field is refused, every time.
	type hidden struct {
		A int
		b int
	}
	for range 2 {
		if _, err := appendValue(nil, reflect.ValueOf(&hidden{b: 1}).Elem()); err == nil {
			t.Fatal("a struct with an unexported field was encoded")
		}
	}
}

// hcOneEntry cuts every map in v to one entry at most.
func hcOneEntry(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		for i := range v.Len() {
			hcOneEntry(v.Index(i))
		}
	case reflect.Map:
		keys := v.MapKeys()
		for _, k := range keys[min(1, len(keys)):] {
			v.SetMapIndex(k, reflect.Value{})
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			hcOneEntry(e)
			v.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			hcOneEntry(v.Elem())
		}
	case reflect.Struct:
		if v.Type() != timeType {
			for i := range v.NumField() {
				hcOneEntry(v.Field(i))
			}
		}
	}
}

// appendValueBefore is appendValue as it was before its struct checks
// were kept by type and times read through a pointer.
func appendValueBefore(b []byte, v reflect.Value) ([]byte, error) {
	var err error
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return binary.AppendUvarint(b, v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return binary.AppendUvarint(b, math.Float64bits(v.Float())), nil
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...), nil
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0), nil
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		for i := range v.Len() {
			if b, err = appendValueBefore(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, 0), nil
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		for it := v.MapRange(); it.Next(); {
			if b, err = appendValueBefore(b, it.Key()); err != nil {
				return nil, err
			}
			if b, err = appendValueBefore(b, it.Value()); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), nil
		}
		return appendValueBefore(append(b, 1), v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t == (time.Time{}) {
				return append(b, 0), nil
			}
			if t.Location() != time.UTC || t != time.Unix(t.Unix(), int64(t.Nanosecond())).UTC() {
				return nil, fmt.Errorf("time %v is not a plain UTC instant", t)
			}
			b = append(b, 1)
			b = binary.AppendVarint(b, t.Unix())
			return binary.AppendUvarint(b, uint64(t.Nanosecond())), nil
		}
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				return nil, fmt.Errorf("%s.%s is not exported", v.Type(), v.Type().Field(i).Name)
			}
			if b, err = appendValueBefore(b, v.Field(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot keep a %s", v.Type())
}

package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/kambot/kambot/kam"
)

// The health cache keeps each entry as bytes rather than as the structs
// themselves: a tenth of the memory or less, and nothing in it for the
// garbage collector to trace, where 10,000 accounts' inputs as structs,
// with their slices, maps and pointers, held some 57 MB the collector
// walked at every cycle. The encoding follows the types by reflection,
// field by field, so a field added to any of them is kept with no change
// here. Strings read back point into the entry's bytes, which are never
// written after the entry is made: the strings cost nothing and stay
// immutable, as Go strings must.

// timeType is told apart from other structs: it is kept as its instant.
var timeType = reflect.TypeFor[time.Time]()

// encodeHealth encodes in.
func encodeHealth(in *kam.HealthInput) ([]byte, error) {
	return appendValue(make([]byte, 0, 2048), reflect.ValueOf(in).Elem())
}

// decodeHealth decodes what encodeHealth encoded.
func decodeHealth(b []byte) (kam.HealthInput, error) {
	var in kam.HealthInput
	d := decoder{b: b}
	d.value(reflect.ValueOf(&in).Elem())
	if d.err == nil && d.i != len(b) {
		d.err = fmt.Errorf("%d bytes left over", len(b)-d.i)
	}
	return in, d.err
}

// appendValue appends v: integers as varints, strings and slices with
// their length, and a nil slice, map or pointer apart from an empty one
// (as 0, a present one as its length + 1). A time is its instant in UTC,
// the zero time apart, which is how the store reads every time it holds.
func appendValue(b []byte, v reflect.Value) ([]byte, error) {
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
			if b, err = appendValue(b, v.Index(i)); err != nil {
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
			if b, err = appendValue(b, it.Key()); err != nil {
				return nil, err
			}
			if b, err = appendValue(b, it.Value()); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), nil
		}
		return appendValue(append(b, 1), v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			var t time.Time
			if v.CanAddr() {
				// Read through a pointer: v.Interface() would box every
				// time encoded on the heap.
				t = *v.Addr().Interface().(*time.Time)
			} else {
				t = v.Interface().(time.Time)
			}
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
		if err := exportedOnly(v.Type()); err != nil {
			return nil, err
		}
		for i := range v.NumField() {
			if b, err = appendValue(b, v.Field(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot keep a %s", v.Type())
}

// structChecks holds, by struct type, exportedOnly's answer (an error or
// nil): looking a type's fields up took a third of encoding's time.
var structChecks sync.Map

// exportedOnly refuses a struct type with an unexported field, which the
// decoder could not set.
func exportedOnly(t reflect.Type) error {
	if e, ok := structChecks.Load(t); ok {
		err, _ := e.(error)
		return err
	}
	var err error
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			err = fmt.Errorf("%s.%s is not exported", t, t.Field(i).Name)
			break
		}
	}
	structChecks.Store(t, err)
	return err
}

// decoder reads back what appendValue wrote; the first error stops it.
type decoder struct {
	b   []byte
	i   int
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.err = fmt.Errorf("bad number at %d", d.i)
		return 0
	}
	d.i += n
	return x
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b[d.i:])
	if n <= 0 {
		d.err = fmt.Errorf("bad number at %d", d.i)
		return 0
	}
	d.i += n
	return x
}

func (d *decoder) byte() byte {
	if d.err != nil || d.i >= len(d.b) {
		if d.err == nil {
			d.err = fmt.Errorf("short at %d", d.i)
		}
		return 0
	}
	d.i++
	return d.b[d.i-1]
}

// length reads a length written as n + 1, with 0 for nil.
func (d *decoder) length() (int, bool) {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return 0, false
	}
	if n-1 > uint64(len(d.b)-d.i) { // every element takes a byte at least
		d.err = fmt.Errorf("bad length at %d", d.i)
		return 0, false
	}
	return int(n - 1), true
}

func (d *decoder) value(v reflect.Value) {
	if d.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(d.byte() == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(d.varint())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(d.uvarint())
	case reflect.Float32, reflect.Float64:
		v.SetFloat(math.Float64frombits(d.uvarint()))
	case reflect.String:
		n := d.uvarint()
		if d.err != nil {
			return
		}
		if n > uint64(len(d.b)-d.i) {
			d.err = fmt.Errorf("bad string length at %d", d.i)
			return
		}
		if n > 0 {
			// Points into the entry's bytes, never written again.
			v.SetString(unsafe.String(&d.b[d.i], int(n)))
		}
		d.i += int(n)
	case reflect.Slice:
		n, ok := d.length()
		if !ok {
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			d.value(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		n, ok := d.length()
		if !ok {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		for range n {
			k.SetZero()
			e.SetZero()
			d.value(k)
			d.value(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if d.byte() == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.value(p.Elem())
		v.Set(p)
	case reflect.Struct:
		if v.Type() == timeType {
			if d.byte() == 0 {
				return
			}
			sec := d.varint()
			nsec := d.uvarint()
			t := time.Unix(sec, int64(nsec)).UTC()
			if v.CanAddr() {
				// Set through a pointer: reflect.ValueOf(t) would box
				// every time read on the heap.
				*v.Addr().Interface().(*time.Time) = t
			} else {
				v.Set(reflect.ValueOf(t))
			}
			return
		}
		for i := range v.NumField() {
			d.value(v.Field(i))
		}
	default:
		d.err = fmt.Errorf("cannot read a %s", v.Type())
	}
}

package model

import (
	"reflect"
	"sync"
)

// DeepCopy returns a copy of v sharing no mutable memory with it. The
// object store hands out copies so no component can change another's view.
//
// It walks exported fields by reflection; value types with unexported
// state (Quantity, time.Time) are immutable and copied as values.
func DeepCopy[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	out.Set(deepCopyValue(rv))
	return out.Interface().(T)
}

// DeepCopyObject copies any object.
func DeepCopyObject(o Object) Object {
	if o == nil {
		return nil
	}
	return deepCopyValue(reflect.ValueOf(o)).Interface().(Object)
}

// copyFields caches, per struct type, the exported fields that need a deep
// copy (pointers, slices, maps, structs, interfaces).
var copyFields sync.Map // reflect.Type -> []int

func fieldsToCopy(t reflect.Type) []int {
	if f, ok := copyFields.Load(t); ok {
		return f.([]int)
	}
	var idx []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Struct, reflect.Interface:
			idx = append(idx, i)
		}
	}
	copyFields.Store(t, idx)
	return idx
}

func deepCopyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopyValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		elem := v.Type().Elem().Kind()
		if elem != reflect.Pointer && elem != reflect.Slice && elem != reflect.Map && elem != reflect.Struct && elem != reflect.Interface {
			reflect.Copy(s, v)
			return s
		}
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(deepCopyValue(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			m.SetMapIndex(it.Key(), deepCopyValue(it.Value()))
		}
		return m
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for _, i := range fieldsToCopy(v.Type()) {
			out.Field(i).Set(deepCopyValue(v.Field(i)))
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := deepCopyValue(v.Elem())
		out := reflect.New(v.Type()).Elem()
		out.Set(c)
		return out
	}
	return v
}

package graph

import (
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// rewind prepares a tape machine for its next run while keeping the values
// in its registers, so that the next run computes into the same tensors
// instead of allocating every intermediate value again: every instruction of
// the programs compiled here overwrites its whole output, and gorgonia's
// alloc instruction keeps a register that already holds a value of the
// right type and shape. gorgonia v0.9.18 has no public way to do this
// (Reset also drops the registers), so rewind sets the machine's program
// counter through reflection; if the machine is not the tape machine it
// knows, it falls back to Reset.
func rewind(vm G.VM) {
	v := reflect.ValueOf(vm)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if pc := v.Elem().FieldByName("pc"); pc.IsValid() && pc.Kind() == reflect.Int && pc.CanAddr() {
			*(*int)(unsafe.Pointer(pc.UnsafeAddr())) = 0
			return
		}
	}
	vm.Reset()
}

package compute

import (
	"errors"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// Machine runs a compiled gorgonia tape machine again and again, for
// training steps and evaluation batches, with two changes to how
// gorgonia's RunAll runs it, neither of which changes what it computes:
//
//   - The values stay in the registers between runs. Every instruction of
//     the programs compiled here overwrites its whole output, and
//     gorgonia's alloc instruction keeps a register that already holds a
//     value of the right type and shape, so the next run computes into the
//     same tensors instead of allocating every intermediate value again.
//     gorgonia v0.9.18 has no public way to do this (Reset also drops the
//     registers): the machine's program counter is set back to 0 through
//     reflection.
//   - The program runs on the calling goroutine. RunAll locks the caller to
//     its OS thread (for CUDA), starts a goroutine that executes the
//     program, and waits on channels for it: on a CPU this costs two
//     thread wake-ups per run, which cost more than the small programs here
//     (docs/speed.md). Run calls that goroutine's body, the tape machine's
//     unexported runall, directly (go:linkname below), with channels that
//     have room for its one message, and then does what RunAll does after
//     it: flushes batched work and runs the machine's closure queue.
//
// Both reach into gorgonia v0.9.18's unexported fields and functions; if
// the VM is not the tape machine they know (another version), Run falls
// back to RunAll and Reset. TestMachineRunsLikeRunAll checks that the two
// ways give the same values.
type Machine struct {
	vm       G.VM
	tape     unsafe.Pointer  // the *tapeMachine, or nil to fall back
	pc       *int            // its program counter
	closures *[]func() error // its closure queue
	errc     chan error
	done     chan struct{}
}

// NewMachine returns a Machine that runs vm, the short way when vm is the
// tape machine of gorgonia v0.9.18, else through RunAll and Reset.
func NewMachine(vm G.VM) *Machine {
	m := &Machine{vm: vm}
	v := reflect.ValueOf(vm)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || v.Type().String() != "*gorgonia.tapeMachine" {
		return m
	}
	pc := v.Elem().FieldByName("pc")
	cq := v.Elem().FieldByName("closureQueue")
	if !pc.IsValid() || pc.Kind() != reflect.Int || !cq.IsValid() || cq.Type() != reflect.TypeFor[[]func() error]() {
		return m
	}
	m.tape = v.UnsafePointer()
	m.pc = (*int)(unsafe.Pointer(pc.UnsafeAddr()))
	m.closures = (*[]func() error)(unsafe.Pointer(cq.UnsafeAddr()))
	m.errc = make(chan error, 1)
	m.done = make(chan struct{}, 1)
	return m
}

// tapeRunAll is gorgonia's (*tapeMachine).runall: it executes the program
// from the current program counter and sends nil on done, or the error on
// errc.
//
//go:linkname tapeRunAll gorgonia.org/gorgonia.(*tapeMachine).runall
func tapeRunAll(m unsafe.Pointer, errc chan error, done chan struct{})

// Run executes the program once and prepares the machine for the next run.
func (m *Machine) Run() error {
	if m.tape == nil {
		defer m.vm.Reset()
		return m.vm.RunAll()
	}
	defer func() { *m.pc = 0 }()
	tapeRunAll(m.tape, m.errc, m.done)
	select {
	case err := <-m.errc:
		return err
	case <-m.done:
	default:
		return errors.New("tape machine stopped without a result")
	}
	if w, ok := m.vm.(interface{ DoWork() error }); ok {
		if err := w.DoWork(); err != nil {
			return err
		}
	}
	for _, f := range *m.closures {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the machine's resources.
func (m *Machine) Close() error { return m.vm.Close() }

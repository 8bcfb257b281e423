package scenarios

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubesim/kubesim/sim"
)

// outputs writes a run's files into a directory atomically: everything
// goes to hidden temporary files first and is renamed into place only when
// the run has succeeded, so a failed run leaves no partial outputs.
type outputs struct {
	dir    string
	temps  map[string]string // final name -> temp path
	order  []string
	events *os.File
	ew     *bufio.Writer
	buf    []byte
	err    error
}

func newOutputs(dir string) (*outputs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	o := &outputs{dir: dir, temps: map[string]string{}}
	f, err := o.create("events.jsonl")
	if err != nil {
		return nil, err
	}
	o.events = f
	o.ew = bufio.NewWriterSize(f, 1<<16)
	return o, nil
}

func (o *outputs) create(name string) (*os.File, error) {
	f, err := os.CreateTemp(o.dir, "."+name+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	o.temps[name] = f.Name()
	o.order = append(o.order, name)
	return f, nil
}

// subscriber streams journal events into events.jsonl.
func (o *outputs) subscriber() sim.Subscriber {
	return func(e *sim.Event) {
		if o.err != nil {
			return
		}
		o.buf = e.AppendJSON(o.buf[:0])
		o.buf = append(o.buf, '\n')
		if _, err := o.ew.Write(o.buf); err != nil {
			o.err = fmt.Errorf("writing events.jsonl: %w", err)
		}
	}
}

// writeFile writes one whole output file (to its temporary name).
func (o *outputs) writeFile(name string, write func(w *bufio.Writer) error) error {
	f, err := o.create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return f.Close()
}

func (o *outputs) writeJSON(name string, v any) error {
	return o.writeFile(name, func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// commit flushes and renames every temporary file into place.
func (o *outputs) commit() error {
	if o.err != nil {
		o.abort()
		return o.err
	}
	if err := o.ew.Flush(); err != nil {
		o.abort()
		return fmt.Errorf("writing events.jsonl: %w", err)
	}
	if err := o.events.Close(); err != nil {
		o.abort()
		return fmt.Errorf("writing events.jsonl: %w", err)
	}
	var errs []error
	for _, name := range o.order {
		if err := os.Rename(o.temps[name], filepath.Join(o.dir, name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// abort removes every temporary file.
func (o *outputs) abort() {
	if o.events != nil {
		o.events.Close()
	}
	for _, name := range o.order {
		os.Remove(o.temps[name])
	}
}

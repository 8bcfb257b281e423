package raft

import (
	"fmt"
	"sync"

	etcdraft "go.etcd.io/raft/v3"
)

// discardLogger is the raft.Logger every member gets. raft's default logger
// writes to stderr with wall-clock timestamps and its Fatal calls os.Exit;
// a simulation never prints (the journal is its output) and must never exit
// the process that may be running a whole sweep. So everything below Fatal
// is dropped, and Fatal and Panic panic with raft's message: they mean raft
// found its own invariants broken, which is a bug to surface, not to log.
type discardLogger struct{}

var _ etcdraft.Logger = discardLogger{}

func (discardLogger) Debug(...any)            {}
func (discardLogger) Debugf(string, ...any)   {}
func (discardLogger) Info(...any)             {}
func (discardLogger) Infof(string, ...any)    {}
func (discardLogger) Warning(...any)          {}
func (discardLogger) Warningf(string, ...any) {}
func (discardLogger) Error(...any)            {}
func (discardLogger) Errorf(string, ...any)   {}

func (discardLogger) Fatal(v ...any) { panic("raft: fatal: " + fmt.Sprint(v...)) }
func (discardLogger) Fatalf(format string, v ...any) {
	panic("raft: fatal: " + fmt.Sprintf(format, v...))
}
func (discardLogger) Panic(v ...any) { panic("raft: " + fmt.Sprint(v...)) }
func (discardLogger) Panicf(format string, v ...any) {
	panic("raft: " + fmt.Sprintf(format, v...))
}

var installLogger sync.Once

// installPackageLogger replaces raft's package-level logger, which
// MemoryStorage uses on its (panicking) error paths, so that nothing from
// raft ever reaches stderr. It is process-wide and idempotent.
func installPackageLogger() {
	installLogger.Do(func() { etcdraft.SetLogger(discardLogger{}) })
}

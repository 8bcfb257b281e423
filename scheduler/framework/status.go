package framework

import (
	"errors"
	"strings"
)

// Code is the outcome of a plugin call (upstream fwk.Code).
type Code int

// The codes. A nil *Status means Success.
const (
	// Success: the plugin ran and the pod (or node) passes.
	Success Code = iota
	// Error: an internal error; the pod is requeued with backoff.
	Error
	// Unschedulable: the node does not fit now but preemption may help.
	Unschedulable
	// UnschedulableAndUnresolvable: the node does not fit and preemption
	// cannot change that; such nodes are never preemption candidates.
	UnschedulableAndUnresolvable
	// Wait: a Permit plugin holds the pod.
	Wait
	// Skip: PreFilter/PreScore say the plugin's Filter/Score is not needed
	// for this pod; Bind says the plugin does not bind this pod.
	Skip
	// Pending: the pod waits for something outside the scheduler (e.g. a
	// PreEnqueue gate); it is not retried until that changes.
	Pending
)

var codeNames = [...]string{"Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Wait", "Skip", "Pending"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Unknown"
}

// Status is a plugin's verdict with human-readable reasons.
type Status struct {
	code    Code
	reasons []string
	err     error
	plugin  string
}

// NewStatus makes a status with reasons.
func NewStatus(code Code, reasons ...string) *Status {
	return &Status{code: code, reasons: reasons}
}

// AsStatus wraps an error as an Error status.
func AsStatus(err error) *Status {
	if err == nil {
		return nil
	}
	return &Status{code: Error, reasons: []string{err.Error()}, err: err}
}

// Code returns the code; nil is Success.
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// IsSuccess reports a nil or Success status.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// IsSkip reports Skip.
func (s *Status) IsSkip() bool { return s.Code() == Skip }

// IsWait reports Wait.
func (s *Status) IsWait() bool { return s.Code() == Wait }

// IsRejected reports Unschedulable, UnschedulableAndUnresolvable or Pending.
func (s *Status) IsRejected() bool {
	c := s.Code()
	return c == Unschedulable || c == UnschedulableAndUnresolvable || c == Pending
}

// Reasons returns the reasons.
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	if s.err != nil && len(s.reasons) == 0 {
		return []string{s.err.Error()}
	}
	return s.reasons
}

// Message joins the reasons with ", ".
func (s *Status) Message() string { return strings.Join(s.Reasons(), ", ") }

// Plugin names the plugin that produced the status.
func (s *Status) Plugin() string {
	if s == nil {
		return ""
	}
	return s.plugin
}

// WithPlugin records the plugin name and returns s.
func (s *Status) WithPlugin(name string) *Status {
	if s != nil {
		s.plugin = name
	}
	return s
}

// AsError returns the status as an error for non-success codes.
func (s *Status) AsError() error {
	if s.IsSuccess() || s.IsSkip() {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	return errors.New(s.Message())
}

// String formats code and message.
func (s *Status) String() string {
	if s == nil {
		return "Success"
	}
	if len(s.reasons) == 0 {
		return s.code.String()
	}
	return s.code.String() + ": " + s.Message()
}

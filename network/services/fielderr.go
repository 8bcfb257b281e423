package services

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// Field errors worded as k8s.io/apimachinery/pkg/util/validation/field
// words them ("<path>: <Type>: <value>: <detail>"), values printed the way
// its ErrorBody prints them: strings quoted, numbers bare, pointers
// dereferenced, anything else in Go syntax ([]string{"10.0.0.1"}).

func fieldValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case int, int32, int64, bool:
		return fmt.Sprintf("%v", x)
	case *int32:
		if x == nil {
			return "null"
		}
		return fmt.Sprintf("%d", *x)
	default:
		return fmt.Sprintf("%#v", x)
	}
}

func invalid(path string, value any, detail string) model.FieldError {
	return model.FieldError{Path: path, Message: "Invalid value: " + fieldValue(value) + ": " + detail}
}

func forbidden(path, detail string) model.FieldError {
	return model.FieldError{Path: path, Message: "Forbidden: " + detail}
}

func required(path, detail string) model.FieldError {
	m := "Required value"
	if detail != "" {
		m += ": " + detail
	}
	return model.FieldError{Path: path, Message: m}
}

func duplicate(path string, value any) model.FieldError {
	return model.FieldError{Path: path, Message: "Duplicate value: " + fieldValue(value)}
}

func notSupported(path string, value any, supported ...string) model.FieldError {
	q := make([]string, len(supported))
	for i, s := range supported {
		q[i] = fmt.Sprintf("%q", s)
	}
	return model.FieldError{Path: path, Message: "Unsupported value: " + fieldValue(value) + ": supported values: " + strings.Join(q, ", ")}
}

// invalidError is the apiserver's answer to a failed validation
// (apierrors.NewInvalid): one error as is, several as "[e1, e2]".
func invalidError(svc *model.Service, errs []model.FieldError) error {
	msg := errs[0].Error()
	if len(errs) > 1 {
		parts := make([]string, len(errs))
		for i, e := range errs {
			parts[i] = e.Error()
		}
		msg = "[" + strings.Join(parts, ", ") + "]"
	}
	return &model.StatusError{Reason: model.ReasonInvalid, Kind: "Service", Key: svc.Key(), Message: msg}
}

// internalError is apierrors.NewInternalError.
func internalError(svc *model.Service, format string, args ...any) error {
	return &model.StatusError{Reason: model.ReasonInternalError, Kind: "Service", Key: svc.Key(),
		Message: "Internal error occurred: " + fmt.Sprintf(format, args...)}
}

package defaultbinder

import (
	"errors"
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// bindClient records Bind calls; the other methods are unused.
type bindClient struct {
	model.Client
	bound []string
	err   error
}

func (c *bindClient) Bind(namespace, name, node string, done func(error)) {
	if c.err != nil {
		done(c.err)
		return
	}
	c.bound = append(c.bound, namespace+"/"+name+"->"+node)
	done(nil)
}

// Upstream default_binder_test.go TestDefaultBinder.
func TestDefaultBinder(t *testing.T) {
	pod := fwtest.Pod("foo", "", nil)
	tests := []struct {
		name      string
		injectErr error
		wantBound []string
		wantCode  framework.Code
	}{
		{name: "successful", wantBound: []string{"default/foo->foohost.kubernetes.mydomain.com"}, wantCode: framework.Success},
		{name: "binding error", injectErr: errors.New("binding error"), wantCode: framework.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := &bindClient{err: tt.injectErr}
			h := fwtest.NewHandle(nil, nil)
			h.Cl = cl
			p, err := New(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			var st *framework.Status
			p.(framework.BindPlugin).Bind(framework.NewCycleState(), pod, "foohost.kubernetes.mydomain.com", func(s *framework.Status) { st = s })
			if st.Code() != tt.wantCode {
				t.Fatalf("Bind = %v, want %v", st, tt.wantCode)
			}
			if tt.injectErr != nil && st.Message() != tt.injectErr.Error() {
				t.Fatalf("message %q, want %q", st.Message(), tt.injectErr.Error())
			}
			if len(cl.bound) != len(tt.wantBound) || (len(cl.bound) == 1 && cl.bound[0] != tt.wantBound[0]) {
				t.Fatalf("bound %v, want %v", cl.bound, tt.wantBound)
			}
		})
	}
}

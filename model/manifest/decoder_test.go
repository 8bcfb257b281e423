package manifest

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, in := range []string{
		"---\n---\n",
		"# just a comment\n",
		"---\n# c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n",
		"",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    v: 2\n",
		"apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\n",
		"a: b\n c: d\n",
		"apiVersion: v1\nkind: List\nitems: []\n",
		"null\n",
		"[]\n",
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      requests:\n        cpu: 1.5.5\n",
	} {
		objs, diags := DecodeBytes("f.yaml", []byte(in), Options{})
		fmt.Printf("%q -> %d objs\n", in, len(objs))
		for _, d := range diags {
			fmt.Println("   ", d)
		}
	}
}

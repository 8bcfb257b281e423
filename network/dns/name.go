package dns

import "strings"

// Name limits of RFC 1035 §2.3.4: a label is at most 63 octets and a name at
// most 255 octets on the wire, i.e. 253 characters in presentation form
// without the trailing dot.
const (
	maxLabelLen = 63
	maxNameLen  = 253
)

// isCanonical reports whether name is lower case ASCII and ends in a dot.
func isCanonical(name string) bool {
	if name == "" || name[len(name)-1] != '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// Canonical returns name in the form zones and caches key on: ASCII lower
// case (DNS names compare case-insensitively, RFC 4343) with the trailing
// dot. It allocates only when name is not canonical already.
func Canonical(name string) string {
	if isCanonical(name) {
		return name
	}
	b := make([]byte, 0, len(name)+1)
	b = appendLower(b, name)
	if len(b) == 0 || b[len(b)-1] != '.' {
		b = append(b, '.')
	}
	return string(b)
}

// appendLower appends s to b in ASCII lower case.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// validWireName reports whether a canonical name (trailing dot) can be put
// in a query: labels of 1 to 63 octets and at most 253 characters. The root
// "." is valid.
func validWireName(name []byte) bool {
	if len(name) == 1 && name[0] == '.' {
		return true
	}
	if len(name)-1 > maxNameLen {
		return false
	}
	label := 0
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			if label == 0 {
				return false
			}
			label = 0
			continue
		}
		label++
		if label > maxLabelLen {
			return false
		}
	}
	return true
}

// isSubdomain reports whether canonical name equals zone or lies under it
// (zone canonical, e.g. "cluster.local.").
func isSubdomain(name, zone string) bool {
	if zone == "." {
		return true
	}
	if !strings.HasSuffix(name, zone) {
		return false
	}
	return len(name) == len(zone) || name[len(name)-len(zone)-1] == '.'
}

// lastLabel splits "a.b.c" (no trailing dot) into "a.b" and "c".
func lastLabel(s string) (rest, label string) {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

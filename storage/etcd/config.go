package etcd

// Defaults, each etcd v3.6's unless marked as kubesim's.
const (
	// DefaultQuotaBytes is etcd's --quota-backend-bytes default, 2 GiB
	// (server/storage/quota.go DefaultQuotaBytes).
	DefaultQuotaBytes int64 = 2 * 1024 * 1024 * 1024
	// DefaultMaxRequestBytes is etcd's --max-request-bytes default, 1.5 MiB
	// (server/embed/config.go DefaultMaxRequestBytes).
	DefaultMaxRequestBytes = 1536 * 1024
	// DefaultMaxTxnOps is etcd's --max-txn-ops default
	// (server/embed/config.go DefaultMaxTxnOps).
	DefaultMaxTxnOps = 128
	// DefaultKVOverheadBytes is what one stored revision costs besides its key
	// and value. It is etcd's quota estimate kvOverhead (server/storage/quota.go),
	// used here as the size model itself, so that the quota check and the
	// database size agree.
	DefaultKVOverheadBytes int64 = 256
	// DefaultResponseCacheSize is how many responses Apply keeps for lookup by
	// request ID (kubesim's; etcd hands responses to waiting proposers and keeps
	// none). It only needs to cover the requests in flight.
	DefaultResponseCacheSize = 16384
)

// Config sizes a Store. The zero value means etcd's defaults. Every member of
// a cluster must use the same Config: it decides what Apply does.
type Config struct {
	// QuotaBytes is the space quota; 0 means DefaultQuotaBytes and a negative
	// value disables the quota (as etcd's --quota-backend-bytes).
	QuotaBytes int64
	// MaxRequestBytes limits an encoded request; 0 means DefaultMaxRequestBytes.
	MaxRequestBytes int
	// MaxTxnOps limits each of a transaction's compares, success ops and
	// failure ops; 0 means DefaultMaxTxnOps.
	MaxTxnOps int
	// KVOverheadBytes is the per-revision overhead of the size model; 0 means
	// DefaultKVOverheadBytes.
	KVOverheadBytes int64
	// ResponseCacheSize bounds the responses kept for Response(id); 0 means
	// DefaultResponseCacheSize.
	ResponseCacheSize int
}

func (c Config) withDefaults() Config {
	if c.QuotaBytes == 0 {
		c.QuotaBytes = DefaultQuotaBytes
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.MaxTxnOps <= 0 {
		c.MaxTxnOps = DefaultMaxTxnOps
	}
	if c.KVOverheadBytes <= 0 {
		c.KVOverheadBytes = DefaultKVOverheadBytes
	}
	if c.ResponseCacheSize <= 0 {
		c.ResponseCacheSize = DefaultResponseCacheSize
	}
	return c
}

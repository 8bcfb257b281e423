package etcd

// The space quota, after etcd's server/storage/quota.go and the appliers in
// server/etcdserver/apply:
//
//   - A put costs KVOverheadBytes + len(key) + len(value); a transaction costs
//     the larger of its two branches' put costs; everything else costs 0.
//   - A request with cost c fits when c == 0 or DBSize + c < QuotaBytes.
//   - While the NOSPACE alarm is raised, puts and transactions with puts are
//     rejected with ErrNoSpace and change nothing (the "capped" applier).
//     Reads, deletes, compaction, defrag and disarming still work.
//   - Otherwise a write that does not fit is still applied, answers
//     ErrNoSpace, and raises the alarm (etcd's quota applier; etcd raises the
//     alarm through a second raft proposal, kubesim in the same apply, which is
//     equivalent because every member computes the same size, see Defrag).
//
// The database size follows bbolt's: it grows as records are written, does
// not shrink when compaction frees records (the pages go to a free list and
// are reused first), and shrinks to the bytes in use on Defrag. Recovery is
// therefore etcd's runbook: compact, defrag, disarm.

func (s *Store) recordCost(r *record) int64 {
	return s.cfg.KVOverheadBytes + int64(len(r.key)) + int64(len(r.value))
}

func (s *Store) putCost(p *PutRequest) int64 {
	return s.cfg.KVOverheadBytes + int64(len(p.Key)) + int64(len(p.Value))
}

func (s *Store) txnCost(t *TxnRequest) int64 {
	var succ, fail int64
	for i := range t.Success {
		if p := t.Success[i].Put; p != nil {
			succ += s.putCost(p)
		}
	}
	for i := range t.Failure {
		if p := t.Failure[i].Put; p != nil {
			fail += s.putCost(p)
		}
	}
	return max(succ, fail)
}

// available reports whether a request of the given cost fits the quota.
func (s *Store) available(cost int64) bool {
	if cost == 0 || s.cfg.QuotaBytes < 0 {
		return true
	}
	return s.size+cost < s.cfg.QuotaBytes
}

// QuotaAvailable reports whether a request fits the quota now: what etcd's
// gRPC layer checks before proposing (a Server does the same).
func (s *Store) QuotaAvailable(req *Request) bool {
	switch {
	case req.Put != nil:
		return s.available(s.putCost(req.Put))
	case req.Txn != nil:
		return s.available(s.txnCost(req.Txn))
	}
	return true
}

// quotaResult marks an applied write that did not fit, and raises the alarm.
func (s *Store) quotaResult(resp *Response, fit bool) {
	if fit || resp.Err != nil {
		return
	}
	resp.Err = ErrNoSpace
	s.stats.NoSpace++
	s.raiseNoSpace()
}

func (s *Store) raiseNoSpace() {
	if s.noSpace {
		return
	}
	s.noSpace = true
	s.observe(notice{kind: "AlarmRaised", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
}

func (s *Store) alarm(a *AlarmRequest) {
	if a.Alarm != AlarmNoSpace {
		return
	}
	switch a.Action {
	case AlarmActivate:
		s.raiseNoSpace()
	case AlarmDeactivate:
		if s.noSpace {
			s.noSpace = false
			s.observe(notice{kind: "AlarmDisarmed", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
		}
	}
}

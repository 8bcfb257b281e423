package hardware

// cgroup arithmetic, as the kubelet and the kernel do it
// (pkg/kubelet/cm/helpers_linux.go, libcontainer's ConvertCPUSharesToCgroupV2Value).
const (
	MinShares     int64 = 2
	MaxShares     int64 = 262144
	SharesPerCPU  int64 = 1024
	MilliCPUToCPU int64 = 1000
	// QuotaPeriodMicros is the CFS period (100 ms); MinQuotaMicros the
	// smallest quota the kernel accepts (1 ms).
	QuotaPeriodMicros int64 = 100000
	MinQuotaMicros    int64 = 1000
)

// MilliCPUToShares converts a cpu request to cpu.shares (MilliCPUToShares).
func MilliCPUToShares(milliCPU int64) int64 {
	if milliCPU == 0 {
		return MinShares
	}
	shares := milliCPU * SharesPerCPU / MilliCPUToCPU
	return min(max(shares, MinShares), MaxShares)
}

// SharesToWeight converts cpu.shares to cgroup v2 cpu.weight (1..10000).
func SharesToWeight(shares int64) int64 {
	if shares == 0 {
		return 0
	}
	return 1 + ((shares-2)*9999)/262142
}

// MilliCPUToQuota converts a cpu limit to the CFS quota in microseconds
// per period (MilliCPUToQuota); 0 means no limit.
func MilliCPUToQuota(milliCPU int64) int64 {
	if milliCPU == 0 {
		return 0
	}
	return max(milliCPU*QuotaPeriodMicros/MilliCPUToCPU, MinQuotaMicros)
}

// quotaMilli is the CPU a quota allows, in millicores.
func quotaMilli(quotaMicros int64) int64 {
	return quotaMicros * MilliCPUToCPU / QuotaPeriodMicros
}

// cpuClaim is one running container's claim on the cores: its weight and
// the most it may get (the smaller of its demand and its quota).
type cpuClaim struct {
	weight int64
	cap    int64
}

// shareCPU splits capacity millicores among claims by weighted max-min
// fairness (what CFS converges to over a scheduling period): claims whose
// cap is below their weighted fair share get their cap, and what they
// leave is shared again among the rest, by weight. Millicores left over by
// integer division go one each to the first uncapped claims in order, so
// the split is exact and deterministic. out[i] receives claim i's share.
func shareCPU(capacity int64, claims []cpuClaim, out []int64, scratch []int) []int {
	active := scratch[:0]
	for i := range claims {
		out[i] = 0
		if claims[i].cap > 0 && claims[i].weight > 0 {
			active = append(active, i)
		}
	}
	remaining := capacity
	for len(active) > 0 && remaining > 0 {
		var w int64
		for _, i := range active {
			w += claims[i].weight
		}
		next := active[:0]
		var taken int64
		saturated := false
		for _, i := range active {
			c := claims[i]
			if c.cap*w <= remaining*c.weight {
				out[i] = c.cap
				taken += c.cap
				saturated = true
				continue
			}
			next = append(next, i)
		}
		if saturated {
			remaining -= taken
			active = next
			continue
		}
		var given int64
		for _, i := range active {
			out[i] = remaining * claims[i].weight / w
			given += out[i]
		}
		for j := 0; given < remaining && j < len(active); j++ {
			out[active[j]]++
			given++
		}
		break
	}
	return active
}

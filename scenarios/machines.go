package scenarios

import "github.com/kubesim/kubesim/model"

// builtinMachines are common cloud instance shapes with their public
// on-demand prices (USD per hour, us-east-1, Linux), so a scenario can name
// a node type without defining it. A scenario's cluster.machines entry of
// the same name wins.
var builtinMachines = map[string]Machine{
	"m5.large":       machine("2", "8Gi", 0.096),
	"m5.xlarge":      machine("4", "16Gi", 0.192),
	"m5.2xlarge":     machine("8", "32Gi", 0.384),
	"m5.4xlarge":     machine("16", "64Gi", 0.768),
	"m5.8xlarge":     machine("32", "128Gi", 1.536),
	"c5.xlarge":      machine("4", "8Gi", 0.17),
	"c5.2xlarge":     machine("8", "16Gi", 0.34),
	"c5.4xlarge":     machine("16", "32Gi", 0.68),
	"r5.xlarge":      machine("4", "32Gi", 0.252),
	"r5.2xlarge":     machine("8", "64Gi", 0.504),
	"n2-standard-4":  machine("4", "16Gi", 0.194),
	"n2-standard-8":  machine("8", "32Gi", 0.388),
	"n2-standard-16": machine("16", "64Gi", 0.777),
}

func machine(cpu, mem string, price float64) Machine {
	return Machine{
		CPU:              model.MustParseQuantity(cpu),
		Memory:           model.MustParseQuantity(mem),
		EphemeralStorage: model.Ptr(model.MustParseQuantity("100Gi")),
		Pods:             model.Ptr[int32](110),
		Disk:             "ssd",
		PricePerHour:     price,
	}
}

// BuiltinMachineNames lists the built-in machine profiles, sorted.
func BuiltinMachineNames() []string { return model.SortedKeys(builtinMachines) }

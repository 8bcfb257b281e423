package scenarios

// Version is kubesim's version, recorded in every run's summary. Release
// builds set it with -ldflags "-X github.com/kubesim/kubesim/scenarios.Version=v1.2.3".
var Version = "0.1.0-dev"

# Builds a static kubesim binary and ships it alone, for running sweeps as
# Kubernetes Indexed Jobs (kubesim sweep k8s-job prints the Job).
#   docker build -t kubesim:latest .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kubesim ./cmd/kubesim

FROM scratch
COPY --from=build /out/kubesim /usr/local/bin/kubesim
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/kubesim"]

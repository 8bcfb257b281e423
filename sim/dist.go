package sim

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DistKind names a distribution family.
type DistKind string

// The distribution families scenarios use.
const (
	DistConstant    DistKind = "constant"
	DistUniform     DistKind = "uniform"
	DistExponential DistKind = "exponential"
	DistNormal      DistKind = "normal"
	DistLogNormal   DistKind = "lognormal"
	DistEmpirical   DistKind = "empirical"
)

// Dist describes a distribution of float64 values; units are the caller's
// (seconds, millicores, bytes). The fields used depend on Kind:
//
//	constant     Value
//	uniform      Min, Max
//	exponential  Mean (rate = 1/Mean)
//	normal       Mean, StdDev
//	lognormal    Mu, Sigma (of the underlying normal)
//	empirical    Values, optional Weights (uniform when absent)
//
// Min and Max, when set on other kinds, clamp the samples (a normal
// duration must not go negative).
type Dist struct {
	Kind    DistKind
	Value   float64
	Min     float64
	Max     float64
	Mean    float64
	StdDev  float64
	Mu      float64
	Sigma   float64
	Values  []float64
	Weights []float64
	// Clamp enables Min/Max clamping on kinds other than uniform.
	Clamp bool
}

// Validate reports parameters the family does not accept.
func (d Dist) Validate() error {
	switch d.Kind {
	case DistConstant:
	case DistUniform:
		if d.Max < d.Min {
			return fmt.Errorf("uniform: max %g is less than min %g", d.Max, d.Min)
		}
	case DistExponential:
		if !(d.Mean > 0) {
			return fmt.Errorf("exponential: mean must be positive, got %g", d.Mean)
		}
	case DistNormal:
		if d.StdDev < 0 {
			return fmt.Errorf("normal: stddev must not be negative, got %g", d.StdDev)
		}
	case DistLogNormal:
		if d.Sigma < 0 {
			return fmt.Errorf("lognormal: sigma must not be negative, got %g", d.Sigma)
		}
	case DistEmpirical:
		if len(d.Values) == 0 {
			return errors.New("empirical: values must not be empty")
		}
		if len(d.Weights) != 0 && len(d.Weights) != len(d.Values) {
			return fmt.Errorf("empirical: %d weights for %d values", len(d.Weights), len(d.Values))
		}
		sum := 0.0
		for _, w := range d.Weights {
			if w < 0 || math.IsNaN(w) {
				return fmt.Errorf("empirical: weight %g is negative", w)
			}
			sum += w
		}
		if len(d.Weights) != 0 && sum == 0 {
			return errors.New("empirical: weights sum to zero")
		}
	case "":
		return errors.New("distribution kind is empty")
	default:
		return fmt.Errorf("unknown distribution %q (want constant, uniform, exponential, normal, lognormal or empirical)", d.Kind)
	}
	if d.Clamp && d.Max < d.Min {
		return fmt.Errorf("%s: max %g is less than min %g", d.Kind, d.Max, d.Min)
	}
	return nil
}

// ExpectedValue returns the distribution's mean (before clamping).
func (d Dist) ExpectedValue() float64 {
	switch d.Kind {
	case DistConstant:
		return d.Value
	case DistUniform:
		return (d.Min + d.Max) / 2
	case DistExponential, DistNormal:
		return d.Mean
	case DistLogNormal:
		return math.Exp(d.Mu + d.Sigma*d.Sigma/2)
	case DistEmpirical:
		if len(d.Weights) == 0 {
			s := 0.0
			for _, v := range d.Values {
				s += v
			}
			return s / float64(len(d.Values))
		}
		s, w := 0.0, 0.0
		for i, v := range d.Values {
			s += v * d.Weights[i]
			w += d.Weights[i]
		}
		return s / w
	}
	return math.NaN()
}

// Sampler draws values of one distribution from one stream.
type Sampler interface {
	Sample() float64
}

// Sampler binds d to the stream r. Every gonum distribution gets r as its
// explicit Src: a nil Src would fall back to unseeded global randomness.
func (d Dist) Sampler(r *Rand) (Sampler, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var s Sampler
	switch d.Kind {
	case DistConstant:
		s = constSampler(d.Value)
	case DistUniform:
		if d.Min == d.Max {
			s = constSampler(d.Min)
		} else {
			s = gonum{distuv.Uniform{Min: d.Min, Max: d.Max, Src: r}}
		}
	case DistExponential:
		s = gonum{distuv.Exponential{Rate: 1 / d.Mean, Src: r}}
	case DistNormal:
		if d.StdDev == 0 {
			s = constSampler(d.Mean)
		} else {
			s = gonum{distuv.Normal{Mu: d.Mean, Sigma: d.StdDev, Src: r}}
		}
	case DistLogNormal:
		if d.Sigma == 0 {
			s = constSampler(math.Exp(d.Mu))
		} else {
			s = gonum{distuv.LogNormal{Mu: d.Mu, Sigma: d.Sigma, Src: r}}
		}
	case DistEmpirical:
		w := d.Weights
		if len(w) == 0 {
			w = make([]float64, len(d.Values))
			for i := range w {
				w[i] = 1
			}
		}
		s = &empiricalSampler{values: d.Values, cat: distuv.NewCategorical(w, r)}
	}
	if d.Clamp && d.Kind != DistUniform {
		s = clampSampler{s: s, min: d.Min, max: d.Max}
	}
	return s, nil
}

type constSampler float64

func (c constSampler) Sample() float64 { return float64(c) }

type empiricalSampler struct {
	values []float64
	cat    distuv.Categorical
}

func (e *empiricalSampler) Sample() float64 { return e.values[int(e.cat.Rand())] }

type clampSampler struct {
	s        Sampler
	min, max float64
}

func (c clampSampler) Sample() float64 {
	return math.Min(c.max, math.Max(c.min, c.s.Sample()))
}

// gonum adapts a gonum distribution (anything with a Rand method).
type gonum struct{ d interface{ Rand() float64 } }

func (g gonum) Sample() float64 { return g.d.Rand() }

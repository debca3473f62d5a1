import Foundation

extension SeededGenerator {
    /// A Gamma(shape, 1) draw (Marsaglia and Tsang's squeeze method; for shape < 1, a draw at
    /// shape + 1 times U^(1/shape)). `shape` must be positive and finite.
    public mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            let u = max(nextUniform(), .leastNormalMagnitude)
            return nextGamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A Poisson(mean) draw: multiplication of uniforms below mean 10, Hörmann's transformed
    /// rejection with squeeze (PTRS, 1993) above. `mean` must be ≥ 0 and finite.
    public mutating func nextPoisson(mean: Double) -> Double {
        guard mean > 0 else { return 0 }
        if mean < 10 {
            var product = nextUniform(), k = 0.0
            if product <= 1 - mean { return 0 }  // e^−μ ≥ 1 − μ: the draw is 0 without computing e^−μ
            let limit = exp(-mean)
            while product > limit {
                product *= nextUniform()
                k += 1
            }
            return k
        }
        let root = mean.squareRoot(), logMean = log(mean)
        let b = 0.931 + 2.53 * root
        let a = -0.059 + 0.024_83 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUniform() - 0.5, v = nextUniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -mean + k * logMean - lgamma(k + 1) { return k }
        }
    }

    /// A negative-binomial draw with the given mean and inverse dispersion θ (variance
    /// μ + μ²/θ). Means up to `negativeBinomialInversionLimit` (most expected counts of
    /// single cells): inversion — one uniform against the cumulative probabilities, built from
    /// P(0) = (θ / (θ + μ))^θ by P(k + 1) = P(k) · (k + θ) / (k + 1) · μ / (θ + μ). Larger means:
    /// the Gamma–Poisson mixture, λ ~ Gamma(θ, μ/θ), then Poisson(λ). Both are exact.
    public mutating func nextNegativeBinomial(mean: Double, inverseDispersion theta: Double) -> Double {
        guard mean > 0 else { return 0 }
        if mean <= Self.negativeBinomialInversionLimit {
            let u = nextUniform()
            // A squeeze: P(0) = (1 + μ/θ)^−θ ≥ e^−μ ≥ 1 − μ, so below 1 − μ the draw is 0 without
            // computing P(0) (the same draw as the search below would give).
            if u < 1 - mean { return 0 }
            let zero = exp(theta * log1p(-mean / (theta + mean)))
            return Self.negativeBinomialCount(
                atUniform: u, mean: mean, inverseDispersion: theta, zero: zero, below: zero)
        }
        let rate = nextGamma(shape: theta) * mean / theta
        return nextPoisson(mean: rate)
    }

    /// The negative-binomial count at which the uniform `u` falls in the cumulative
    /// probabilities (inversion): the terms start at `zero` (P(0), times 1 − π under zero
    /// inflation) with `below` the whole probability of 0 (the same, or π + (1 − π) P(0)),
    /// then P(k + 1) = P(k) · (k + θ) / (k + 1) · μ / (θ + μ). A search of about μ steps.
    package static func negativeBinomialCount(
        atUniform u: Double, mean: Double, inverseDispersion theta: Double, zero: Double, below: Double
    ) -> Double {
        let p = mean / (theta + mean)
        var probability = zero, cumulative = below, k = 0.0
        // Stops where the terms no longer change the sum in doubles (the mass beyond is below
        // 1e-17 of it), so a uniform above the rounded total cannot send the search far out.
        while u >= cumulative && probability > 1e-17 * cumulative {
            probability *= (k + theta) / (k + 1) * p
            k += 1
            cumulative += probability
        }
        return k
    }

    /// The Poisson count at which the uniform `u` falls in the cumulative probabilities, from
    /// P(0) = `zero` = e^−μ by P(k + 1) = P(k) · μ / (k + 1) (inversion; about μ steps).
    package static func poissonCount(atUniform u: Double, mean: Double, zero: Double) -> Double {
        var probability = zero, cumulative = zero, k = 0.0
        while u >= cumulative && probability > 1e-17 * cumulative {
            probability *= mean / (k + 1)
            k += 1
            cumulative += probability
        }
        return k
    }

    /// The largest mean drawn by inversion in `nextNegativeBinomial` and by the count
    /// likelihoods' samplers (beyond it the search would take more steps than a Gamma–Poisson
    /// or PTRS draw costs).
    package static let negativeBinomialInversionLimit = 8.0
}

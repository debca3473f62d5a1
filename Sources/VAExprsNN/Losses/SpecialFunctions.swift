import Foundation

/// Special functions of the count likelihoods, in double precision.
enum SpecialFunctions {
    /// ψ(x), the digamma function, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to
    /// x ≥ 10, then the asymptotic series to x⁻¹⁰ (error below 3e-14 there).
    static func digamma(_ x: Double) -> Double {
        var x = x, result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let inverse = 1 / x, inverse2 = inverse * inverse
        let series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 / 132))))
        return result + log(x) - 0.5 * inverse - series
    }

    /// log Γ(x + θ) − log Γ(θ) and ψ(x + θ) − ψ(θ) for a count x ≥ 0 and θ > 0: exact sums
    /// Σₖ log(θ + k), Σₖ 1/(θ + k) for small x (faster and without cancellation), the
    /// functions themselves otherwise.
    static func gammaRatios(count x: Double, theta: Double) -> (logGamma: Double, digamma: Double) {
        if x <= 8 {
            var lg = 0.0, dg = 0.0, k = 0.0
            while k < x {
                lg += log(theta + k)
                dg += 1 / (theta + k)
                k += 1
            }
            return (lg, dg)
        }
        return (lgamma(x + theta) - lgamma(theta), digamma(x + theta) - digamma(theta))
    }

    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }
}

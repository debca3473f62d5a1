import CKernels

/// Special functions of the count likelihoods, in double precision (one implementation, in
/// CKernels, shared with the vectorised likelihood kernel).
enum SpecialFunctions {
    /// ψ(x), the digamma function, for x > 0 (see `vaexprs_digamma`).
    static func digamma(_ x: Double) -> Double { vaexprs_digamma(x) }

    /// log Γ(x + θ) − log Γ(θ) and ψ(x + θ) − ψ(θ) for a count x ≥ 0 and θ > 0: exact sums
    /// log Πₖ (θ + k), Σₖ 1/(θ + k) for small x (faster and without cancellation), lgamma and
    /// the digamma function (recurrence to x ≥ 10, then the asymptotic series) otherwise.
    static func gammaRatios(count x: Double, theta: Double) -> (logGamma: Double, digamma: Double) {
        var logGamma = 0.0, digamma = 0.0
        vaexprs_gamma_ratios(x, theta, &logGamma, &digamma)
        return (logGamma, digamma)
    }
}

/// Golden-section search, for the one-parameter maximum-likelihood re-estimates of the
/// likelihoods (dispersions, variances) after training.
enum GoldenSection {
    /// The maximum of a unimodal function on [a, b] (40 steps: the bracket shrinks to 2·10⁻⁸
    /// of its width).
    static func maximise(_ f: (Double) -> Double, from a: Double, to b: Double) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var lo = a, hi = b
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<40 {
            if f1 < f2 {
                lo = x1
                x1 = x2
                f1 = f2
                x2 = lo + ratio * (hi - lo)
                f2 = f(x2)
            } else {
                hi = x2
                x2 = x1
                f2 = f1
                x1 = hi - ratio * (hi - lo)
                f1 = f(x1)
            }
        }
        return (lo + hi) / 2
    }
}

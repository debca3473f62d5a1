import Testing

@testable import VAExprs

/// The one-standard-error rule that picks the latent shrinkage from the validation cells'
/// per-cell log-likelihoods (one array per candidate factor, the same cells in each).
struct ShrinkageChoiceTests {
    let factors = [0, 0.5, 1.0]

    @Test func aClearBestIsKept() {
        // Factor 0 beats the others by 2 nats on every cell, with some spread.
        let cells = (0..<20).map { Double($0 % 3) }
        let chosen = LatentShrinkageSelection.choice(
            factors: factors, logLikelihoods: [cells.map { $0 + 2 }, cells.map { $0 + 1 }, cells])
        #expect(chosen == 0)
    }

    @Test func withinOneStandardErrorTheLargerFactorIsTaken() {
        // Factor 0.5 is best on average by 0.05 nats, but the paired differences spread by
        // about 1: factor 1 is within a standard error.
        let best = (0..<20).map { Double($0) }
        let noisy = best.enumerated().map { $0.element - 0.05 + ($0.offset % 2 == 0 ? 1 : -1) }
        let chosen = LatentShrinkageSelection.choice(
            factors: factors, logLikelihoods: [best.map { $0 - 5 }, best, noisy])
        #expect(chosen == 2)
    }

    @Test func tiesLeaveTheLatentSpaceUnshrunk() {
        let same = [Double](repeating: -100, count: 10)
        let chosen = LatentShrinkageSelection.choice(
            factors: factors, logLikelihoods: [same.map { $0 + 1e-5 }, same.map { $0 + 2e-5 }, same])
        #expect(chosen == 2)
    }
}

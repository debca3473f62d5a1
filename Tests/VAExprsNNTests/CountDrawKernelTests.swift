import CKernels
import Foundation
import Testing
import VAExprsCore

/// `vaexprs_count_draws` (the C loop of `CountLikelihood.sample`, in AVX-512 lanes where the CPU
/// has them, else one search at a time) must draw what `SeededGenerator`'s scalar inversion
/// draws from the same uniforms, count for count, and stop at the first mean above the limit
/// with that gene's uniform.
@Suite(.serialized) struct CountDrawKernelTests {
    /// A row of genes with means from 0 to the limit (and two above it), inverse dispersions
    /// from 0.05 to 50, and probabilities of zero as the sampler computes them.
    static func row(_ g: Int, zeroInflated: Bool, poisson: Bool) -> (
        mean: [Double], theta: [Double], countZero: [Double], zero: [Double]
    ) {
        var rng = SeededGenerator(seed: 9)
        var mean = [Double](), theta = [Double](), countZero = [Double](), zero = [Double]()
        for j in 0..<g {
            let mu = j == 37 || j == 71 ? 8.5 + Double(j) : rng.nextUniform() * rng.nextUniform() * 8
            let th = 0.05 * pow(1_000, rng.nextUniform())
            let pi = zeroInflated ? rng.nextUniform() * 0.5 : 0
            let p0 = poisson ? exp(-mu) : exp(th * log1p(-mu / (th + mu)))
            mean.append(mu)
            theta.append(th)
            countZero.append((1 - pi) * p0)
            zero.append(pi + (1 - pi) * p0)
        }
        return (mean, theta, countZero, zero)
    }

    @Test(arguments: [
        (false, false, true), (true, false, true), (false, true, true),
        (false, false, false), (true, false, false), (false, true, false)
    ])
    func drawsEqualTheScalarInversion(zeroInflated: Bool, poisson: Bool, vectors: Bool) {
        vaexprs_count_draws_use_vectors(vectors ? 1 : 0)
        defer { vaexprs_count_draws_use_vectors(1) }
        let g = 203, limit = SeededGenerator.negativeBinomialInversionLimit
        let (mean, theta, countZero, zero) = Self.row(g, zeroInflated: zeroInflated, poisson: poisson)
        // The kernel, resumed after each gene above the limit as the sampler resumes it.
        var kernelRNG = SeededGenerator(seed: 21)
        var drawn = [Float](repeating: -1, count: g)
        var stops: [(Int, Double)] = []
        var j = 0
        while j < g {
            var u = 0.0
            let stop = kernelRNG.withStateWords { state in
                vaexprs_count_draws(
                    Int64(j), Int64(g), mean, countZero, zeroInflated ? zero : nil, poisson ? nil : theta, limit,
                    state, &drawn, &u)
            }
            j = Int(stop)
            if j < g {
                stops.append((j, u))
                _ = kernelRNG.nextUniform()  // the caller's own draws for that gene
                j += 1
            }
        }
        // The scalar definitions from the same stream.
        var rng = SeededGenerator(seed: 21)
        var expectedStops: [(Int, Double)] = []
        var differing = 0, nonZero = 0
        for j in 0..<g {
            let u = rng.nextUniform()
            if mean[j] > limit {
                expectedStops.append((j, u))
                _ = rng.nextUniform()
                continue
            }
            let below = zeroInflated ? zero[j] : countZero[j]
            let count =
                u < below
                ? 0
                : poisson
                    ? SeededGenerator.poissonCount(atUniform: u, mean: mean[j], zero: countZero[j])
                    : SeededGenerator.negativeBinomialCount(
                        atUniform: u, mean: mean[j], inverseDispersion: theta[j], zero: countZero[j], below: below)
            if Float(count) != drawn[j] { differing += 1 }
            if count > 0 { nonZero += 1 }
        }
        #expect(differing == 0, "\(differing) counts differ")
        #expect(nonZero > 40, "the row must exercise the search, not only zeros")
        #expect(stops.map(\.0) == expectedStops.map(\.0) && stops.map(\.1) == expectedStops.map(\.1))
        #expect(kernelRNG.next() == rng.next(), "the stream ends where the scalar draws leave it")
    }
}

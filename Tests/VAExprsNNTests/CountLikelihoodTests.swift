import CKernels
import Foundation
import Testing
import VAExprsConformance
import VAExprsCore

@testable import VAExprsNN

/// The count likelihoods: gradients against finite differences, values against the
/// distributions' formulas, draws against their moments.
struct CountLikelihoodTests {
    let registry: Registry = {
        let r = Registry()
        try! NeuralBuiltins.register(into: r)
        return r
    }()

    /// Counts 0…9 with many zeros, and each cell's total as its library size.
    func counts(rows: Int, columns: Int, seed: UInt64) -> (Matrix, CellContext) {
        var rng = SeededGenerator(seed: seed)
        var target = Matrix(rows: rows, columns: columns)
        for i in target.storage.indices { target.storage[i] = rng.nextUniform() < 0.4 ? 0 : Float(rng.next() % 10) }
        for r in 0..<rows { target[r, 0] += 1 }  // no empty cell
        let libraries = (0..<rows).map { r in (0..<columns).reduce(Float(0)) { $0 + target[r, $1] } }
        return (target, CellContext(librarySize: libraries, group: (0..<rows).map { Int32($0 % 2) }))
    }

    @Test(arguments: ["nb", "zinb", "poisson", "nb:dispersion=gene-label", "zinb:dispersion=gene-label"])
    func gradientsMatchFiniteDifferences(spec: String) throws {
        let likelihood = try registry.makeLikelihood(try ComponentSpec.parseItem(spec, source: "test"))
        let (target, context) = counts(rows: 6, columns: 5, seed: 3)
        try likelihood.build(features: 5, groups: 2, training: target, context: context, path: "likelihood")
        var rng = SeededGenerator(seed: 4)
        let output = GradientCheck.randomMatrix(rows: 6, columns: likelihood.outputWidth(features: 5), rng: &rng)
        // Move log θ away from its start so every group's values differ.
        for p in likelihood.parameters { for i in p.value.indices { p.value[i] += Float(rng.nextUniform() - 0.5) } }
        for r in GradientCheck.check(
            likelihood: likelihood, output: output, target: target, context: context, step: 1e-2)
        {
            #expect(r.relativeError < 2e-3, "\(spec) \(r)")
        }
    }

    @Test func negativeBinomialMatchesItsFormula() throws {
        let nb = try registry.makeLikelihood(ComponentSpec(name: "nb"))
        let target = Matrix(rows: 1, columns: 2, storage: [3, 0])
        let context = CellContext(librarySize: [10])
        try nb.build(features: 2, groups: 0, training: Matrix(rows: 0, columns: 2), context: context, path: "l")
        nb.parameters[0].value = [log(2), log(0.5)]
        // Logits (0, log 4): proportions 0.2, 0.8, so μ = (2, 8).
        let output = Matrix(rows: 1, columns: 2, storage: [0, Float(log(4.0))])
        let value = nb.evaluate(output: output, target: target, context: context, gradient: false, scale: 1).total
        func logNB(_ x: Double, _ mu: Double, _ theta: Double) -> Double {
            lgamma(x + theta) - lgamma(theta) - lgamma(x + 1) + theta * log(theta / (theta + mu)) + x
                * log(mu / (theta + mu))
        }
        let expected = -(logNB(3, 2, 2) + logNB(0, 8, 0.5))
        #expect(abs(value - expected) < 1e-5, "\(value) vs \(expected)")
        // The constant Σ log x! computed ahead gives the same value.
        let ahead = CellContext(librarySize: [10], constant: nb.constantTerms(target: target))
        #expect(
            abs(nb.evaluate(output: output, target: target, context: ahead, gradient: false, scale: 1).total - value)
                < 1e-9)
    }

    /// The ZINB value (the NB formula with dropout mixed in), and the dispersion re-estimate's
    /// per-gene objective against the same formulas, over counts that take both paths of
    /// the Gamma terms (≤ 8 and beyond).
    @Test func zeroInflatedValueAndTheDispersionObjectiveMatchTheirFormulas() throws {
        func logNB(_ x: Double, _ mu: Double, _ theta: Double) -> Double {
            lgamma(x + theta) - lgamma(theta) - lgamma(x + 1) + theta * log(theta / (theta + mu)) + x
                * log(mu / (theta + mu))
        }
        func logZINB(_ x: Double, _ mu: Double, _ theta: Double, _ pi: Double) -> Double {
            x > 0 ? log(1 - pi) + logNB(x, mu, theta) : log(pi + (1 - pi) * exp(logNB(0, mu, theta)))
        }
        let zinb = try registry.makeLikelihood(ComponentSpec(name: "zinb"))
        let target = Matrix(rows: 1, columns: 3, storage: [0, 4, 23])
        let context = CellContext(librarySize: [30])
        try zinb.build(features: 3, groups: 0, training: Matrix(rows: 0, columns: 3), context: context, path: "l")
        zinb.parameters[0].value = [Float(log(2.0)), Float(log(0.5)), Float(log(7.0))]
        // Mean logits (0, log 2, log 2): proportions 0.2, 0.4, 0.4, so μ = (6, 12, 12); dropout logits 1, -2, 0.
        let output = Matrix(rows: 1, columns: 6, storage: [0, Float(log(2.0)), Float(log(2.0)), 1, -2, 0])
        let value = zinb.evaluate(output: output, target: target, context: context, gradient: false, scale: 1).total
        let pis = [1.0, -2, 0].map { 1 / (1 + exp(-$0)) }
        let expected = -(logZINB(0, 6, 2, pis[0]) + logZINB(4, 12, 0.5, pis[1]) + logZINB(23, 12, 7, pis[2]))
        #expect(abs(value - expected) < 1e-5 * abs(expected), "\(value) vs \(expected)")

        let mu: [Float] = [0.5, 3, 12, 40, 0.01], x: [Float] = [0, 2, 9, 55, 1],
            dropout: [Float] = [0.3, 0.1, 0.05, 0.2, 0.6]
        var scratch = [Double](repeating: 0, count: 5)
        for theta in [0.05, 1.3, 80] {
            let nb = vaexprs_count_gene_loglik(5, log(theta), mu, x, nil, &scratch)
            let zi = vaexprs_count_gene_loglik(5, log(theta), mu, x, dropout, &scratch)
            // Without the log x! terms, which do not depend on θ.
            let factorials = x.reduce(0.0) { $0 + lgamma(Double($1) + 1) }
            let nbExpected = (0..<5).reduce(0.0) { $0 + logNB(Double(x[$1]), Double(mu[$1]), theta) } + factorials
            let ziExpected = (0..<5).reduce(0.0) { total, i in
                let pi = Double(dropout[i]),
                    nbValue = logNB(Double(x[i]), Double(mu[i]), theta) + lgamma(Double(x[i]) + 1)
                return total + (x[i] > 0 ? log(1 - pi) + nbValue : log(pi + (1 - pi) * exp(nbValue)))
            }
            #expect(abs(nb - nbExpected) < 1e-9 * max(1, abs(nbExpected)), "θ \(theta): \(nb) vs \(nbExpected)")
            #expect(abs(zi - ziExpected) < 1e-9 * max(1, abs(ziExpected)), "θ \(theta): \(zi) vs \(ziExpected)")
        }
    }

    @Test func zeroInflationAddsZeros() throws {
        let zinb = try registry.makeLikelihood(ComponentSpec(name: "zinb"))
        let context = CellContext(librarySize: [Float](repeating: 100, count: 4000))
        try zinb.build(features: 1, groups: 0, training: Matrix(rows: 0, columns: 1), context: context, path: "l")
        zinb.parameters[0].value = [Float(log(5.0))]
        // One gene (μ = 100) with dropout logit 0: half the cells are zeroed.
        let output = Matrix(rows: 4000, columns: 2)
        var rng = SeededGenerator(seed: 1)
        let draws = try zinb.sample(output: output, context: context, rng: &rng)
        let zeros = Double(draws.storage.filter { $0 == 0 }.count) / 4000
        #expect(abs(zeros - 0.5) < 0.03, "zero fraction \(zeros)")
        #expect(draws.storage.allSatisfy { $0 == $0.rounded() && $0 >= 0 })
        let mean = zinb.mean(output: output, context: context)
        #expect(abs(mean[0, 0] - 50) < 1e-3)
    }

    @Test func drawsHaveTheModelsMoments() {
        var rng = SeededGenerator(seed: 11)
        for (mu, theta) in [(0.3, 2.0), (4.0, 0.5), (40.0, 3.0), (2000.0, 10.0)] {
            let n = 40_000
            let x = (0..<n).map { _ in rng.nextNegativeBinomial(mean: mu, inverseDispersion: theta) }
            let mean = x.reduce(0, +) / Double(n)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            let expectedVariance = mu + mu * mu / theta
            #expect(
                abs(mean - mu) < 4 * (expectedVariance / Double(n)).squareRoot(), "NB(\(mu), \(theta)) mean \(mean)")
            #expect(
                abs(variance / expectedVariance - 1) < 0.08,
                "NB(\(mu), \(theta)) variance \(variance) vs \(expectedVariance)")
            #expect(x.allSatisfy { $0 == $0.rounded() && $0 >= 0 })
        }
        for lambda in [0.5, 7.0, 12.0, 500.0] {
            let x = (0..<40_000).map { _ in rng.nextPoisson(mean: lambda) }
            let mean = x.reduce(0, +) / 40_000
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 39_999
            #expect(abs(mean - lambda) < 4 * (lambda / 40_000).squareRoot(), "Poisson(\(lambda)) mean \(mean)")
            #expect(abs(variance / lambda - 1) < 0.05, "Poisson(\(lambda)) variance \(variance)")
        }
    }

    /// Pearson's χ² of `draws` against the probabilities `pmf(k)` of a count distribution,
    /// bins 0, 1, … while the expected count is ≥ 5, then one bin for the whole tail beyond.
    static func chiSquare(_ draws: [Double], pmf: (Int) -> Double) -> (statistic: Double, degrees: Int) {
        let n = Double(draws.count)
        var bins: [Double] = [], expected: [Double] = [], total = 0.0, k = 0
        while n * pmf(k) >= 5 || k < 1 {
            expected.append(n * pmf(k))
            total += pmf(k)
            bins.append(Double(draws.filter { $0 == Double(k) }.count))
            k += 1
        }
        expected.append(n * max(0, 1 - total))
        bins.append(Double(draws.filter { $0 >= Double(k) }.count))
        let statistic = zip(bins, expected).reduce(0) { $0 + ($1.1 > 0 ? ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 : $1.0) }
        return (statistic, bins.count - 1)
    }

    /// The χ² quantile at 1 − 1e-4 (Wilson–Hilferty), a bound a correct sampler exceeds once in
    /// 10 000 seeds.
    static func chiSquareBound(_ degrees: Int) -> Double {
        let d = Double(degrees), z = 3.719
        return d * pow(1 - 2 / (9 * d) + z * (2 / (9 * d)).squareRoot(), 3)
    }

    @Test func drawsFollowTheirExactDistributionsTailIncluded() {
        var rng = SeededGenerator(seed: 21)
        func logNB(_ k: Int, _ mu: Double, _ theta: Double) -> Double {
            let k = Double(k)
            return lgamma(k + theta) - lgamma(theta) - lgamma(k + 1) + theta * log(theta / (theta + mu))
                + k * log(mu / (theta + mu))
        }
        // Both sides of the inversion limit (8), heavy and light tails.
        for (mu, theta) in [(0.05, 0.2), (0.7, 2.0), (3.0, 0.3), (7.9, 5.0), (8.1, 0.8), (25.0, 2.0)] {
            let draws = (0..<50_000).map { _ in rng.nextNegativeBinomial(mean: mu, inverseDispersion: theta) }
            let (statistic, degrees) = Self.chiSquare(draws) { exp(logNB($0, mu, theta)) }
            #expect(
                statistic < Self.chiSquareBound(max(degrees, 1)), "NB(\(mu), \(theta)): χ² \(statistic) on \(degrees)")
        }
        for lambda in [0.2, 3.0, 9.5, 30.0] {
            let draws = (0..<50_000).map { _ in rng.nextPoisson(mean: lambda) }
            let (statistic, degrees) = Self.chiSquare(draws) {
                exp(Double($0) * log(lambda) - lambda - lgamma(Double($0) + 1))
            }
            #expect(statistic < Self.chiSquareBound(max(degrees, 1)), "Poisson(\(lambda)): χ² \(statistic)")
        }
    }

    /// What `generate` draws: the likelihoods' own samplers (one uniform per count, inversion of
    /// the whole distribution up to mean 8 with ZINB's zeros included, Gamma–Poisson or PTRS
    /// above) against the exact probabilities, gene by gene on both sides of the limit.
    @Test(arguments: ["nb", "zinb", "poisson"])
    func sampledCellsFollowTheirExactDistributions(_ name: String) throws {
        let means = [0.05, 0.7, 3.0, 7.9, 8.1, 25.0], thetas = [0.2, 2.0, 0.3, 5.0, 0.8, 2.0]
        let dropouts = [0.1, 0.5, 0.3, 0.05, 0.4, 0.2]
        let g = means.count, rows = 40_000, zeroInflated = name == "zinb"
        let likelihood = try registry.makeLikelihood(ComponentSpec(name: name))
        let context = CellContext(librarySize: [Float](repeating: Float(means.reduce(0, +)), count: rows))
        try likelihood.build(features: g, groups: 0, training: Matrix(rows: 0, columns: g), context: context, path: "l")
        if name != "poisson" { likelihood.parameters[0].value = thetas.map { Float(log($0)) } }
        // Logits log μ: library × softmax gives μ back; dropout logits log(π / (1 − π)).
        var output = Matrix(rows: rows, columns: zeroInflated ? 2 * g : g)
        for r in 0..<rows {
            for j in 0..<g {
                output[r, j] = Float(log(means[j]))
                if zeroInflated { output[r, g + j] = Float(log(dropouts[j] / (1 - dropouts[j]))) }
            }
        }
        var rng = SeededGenerator(seed: 23)
        let drawn = try likelihood.sample(output: output, context: context, rng: &rng)
        for j in 0..<g {
            // The parameters as the sampler sees them (floats: log θ, log μ, the dropout logit).
            let theta = Double(exp(Float(log(thetas[j])))), logit = Float(log(dropouts[j] / (1 - dropouts[j])))
            let pi = zeroInflated ? 1 / (1 + exp(-Double(logit))) : 0
            let mu = means[j]
            let draws = (0..<rows).map { Double(drawn[$0, j]) }
            let (statistic, degrees) = Self.chiSquare(draws) { k in
                let count: Double
                if name == "poisson" {
                    count = exp(Double(k) * log(mu) - mu - lgamma(Double(k) + 1))
                } else {
                    count = exp(
                        lgamma(Double(k) + theta) - lgamma(theta) - lgamma(Double(k) + 1) + theta
                            * log(theta / (theta + mu))
                            + Double(k) * log(mu / (theta + mu)))
                }
                return (k == 0 ? pi : 0) + (1 - pi) * count
            }
            #expect(statistic < Self.chiSquareBound(max(degrees, 1)), "\(name) gene \(j) (μ \(mu)): χ² \(statistic)")
        }
    }

    @Test func drawnCellsDoNotDependOnTheThreadCount() throws {
        let zinb = try registry.makeLikelihood(ComponentSpec(name: "zinb"))
        let context = CellContext(librarySize: (0..<300).map { Float(500 + $0) })
        try zinb.build(features: 20, groups: 0, training: Matrix(rows: 0, columns: 20), context: context, path: "l")
        var output = Matrix(rows: 300, columns: 40)
        for i in output.storage.indices { output.storage[i] = Float((i * 7) % 11) / 5 - 1 }
        func draw(threads: Int) throws -> Matrix {
            let before = WorkerPool.shared.threads
            WorkerPool.shared.setThreads(threads)
            defer { WorkerPool.shared.setThreads(before) }
            var rng = SeededGenerator(seed: 4)
            return try zinb.sample(output: output, context: context, rng: &rng)
        }
        #expect(try draw(threads: 1) == draw(threads: 2))
    }

    @Test func digammaMatchesKnownValues() {
        #expect(abs(SpecialFunctions.digamma(1) + 0.577_215_664_901_532_9) < 1e-12)
        #expect(abs(SpecialFunctions.digamma(0.5) - (-0.577_215_664_901_532_9 - 2 * log(2.0))) < 1e-12)
        #expect(abs(SpecialFunctions.digamma(10) - 2.251_752_589_066_721) < 1e-12)
        let r = SpecialFunctions.gammaRatios(count: 5, theta: 0.7)
        #expect(abs(r.logGamma - (lgamma(5.7) - lgamma(0.7))) < 1e-12)
        #expect(abs(r.digamma - (SpecialFunctions.digamma(5.7) - SpecialFunctions.digamma(0.7))) < 1e-12)
    }

    @Test func geneLabelDispersionNeedsLabels() throws {
        let nb = try registry.makeLikelihood(
            try ComponentSpec.parseItem("nb:dispersion=gene-label", source: "--likelihood"))
        #expect(throws: VAExprsError.self) {
            try nb.build(features: 3, groups: 0, training: Matrix(rows: 0, columns: 3), context: .none, path: "l")
        }
        #expect(throws: VAExprsError.self) {
            _ = try registry.makeLikelihood(try ComponentSpec.parseItem("nb:dispersion=cell", source: "x"))
        }
    }
}

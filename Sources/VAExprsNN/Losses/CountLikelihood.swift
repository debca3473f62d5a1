import Foundation
import VAExprsCore

/// Likelihoods of raw counts with library size, as scVI's: the mean of gene g in a cell is
/// μ_g = ℓ · softmax(decoder output)_g, where ℓ is the cell's library size (its observed
/// total in training; drawn from the training cells' library sizes when generating).
///
/// - `poisson`: x ~ Poisson(μ).
/// - `nb`: x ~ NB(μ, θ), variance μ + μ²/θ, with a learned log θ per gene, or per gene and
///   label group with `dispersion=gene-label`.
/// - `zinb`: with probability π = sigmoid(h) the count is zero, else NB(μ, θ); the dropout
///   logits h are a second block of decoder outputs (so the decoder emits 2 × genes values).
///
/// The parameter-free Σ log x! is computed once per training cell (`constantTerms`).
/// Draws are Gamma–Poisson (NB), then zeroed with probability π (ZINB): whole counts.
/// After training θ is re-estimated at the training cells' latent means (`refitAtLatentMeans`).
/// Spec: `nb[:dispersion=gene|gene-label][:refit=true|false]`, `zinb[:dispersion=…][:refit=…]`, `poisson`.
public final class CountLikelihood: Likelihood {
    /// The observation model.
    public enum Family: String, Sendable {
        /// Poisson.
        case poisson
        /// Negative binomial.
        case negativeBinomial = "nb"
        /// Zero-inflated negative binomial.
        case zeroInflatedNegativeBinomial = "zinb"
    }

    /// Whether θ is shared by all cells of a gene or learned per label group too.
    public enum Dispersion: String, Sendable {
        /// One θ per gene.
        case gene
        /// One θ per gene and label group (conditional models).
        case geneLabel = "gene-label"
    }

    public let spec: ComponentSpec
    /// The observation model.
    public let family: Family
    /// How θ is shared.
    public let dispersion: Dispersion
    public var defaultDecodeMode: DecodeMode { .sample }
    public var data: LikelihoodData { .counts }
    private var logTheta: Parameter?
    private var genes = 0
    private var groups = 1

    /// Whether θ is re-estimated at the training cells' latent means after training.
    public let refitsDispersion: Bool

    /// A count likelihood; `dispersion` and `refitsDispersion` are ignored by `poisson`.
    public init(spec: ComponentSpec, family: Family, dispersion: Dispersion, refitsDispersion: Bool = true) {
        self.spec = spec
        self.family = family
        self.dispersion = dispersion
        self.refitsDispersion = refitsDispersion
    }

    public var parameters: [Parameter] { [logTheta].compactMap { $0 } }

    public func outputWidth(features: Int) -> Int { family == .zeroInflatedNegativeBinomial ? 2 * features : features }

    public func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {
        genes = features
        self.groups = 1
        guard family != .poisson else { return }
        if dispersion == .geneLabel {
            guard groups > 0 else {
                throw VAExprsError.usage("\(spec.source): \(spec.name) dispersion=gene-label needs labels (a conditional model); use dispersion=gene")
            }
            self.groups = groups
        }
        // Start θ at each gene's method-of-moments estimate on depth-normalised counts,
        // μ² / (σ² − μ), kept within [0.1, 100] (θ = 10 where there is nothing to go on).
        var initial = [Float](repeating: log(10), count: features)
        if training.rows > 1 && training.columns == features {
            let libraries = context.librarySize ?? rowSums(training)
            let meanLibrary = Double(libraries.reduce(0, +)) / Double(libraries.count)
            for j in 0..<features {
                var sum = 0.0, squares = 0.0
                for i in 0..<training.rows {
                    let v = Double(training[i, j]) * meanLibrary / max(Double(libraries[i]), 1)
                    sum += v
                    squares += v * v
                }
                let n = Double(training.rows), mean = sum / n
                let variance = (squares - n * mean * mean) / (n - 1)
                if mean > 0 && variance > mean {
                    initial[j] = Float(log(min(max(mean * mean / (variance - mean), 0.1), 100)))
                }
            }
        }
        var values: [Float] = []
        for _ in 0..<self.groups { values += initial }
        logTheta = Parameter(path: path + ".log_theta", shape: self.groups > 1 ? [self.groups, features] : [features], value: values)
    }

    private func rowSums(_ m: Matrix) -> [Float] {
        (0..<m.rows).map { r in (0..<m.columns).reduce(Float(0)) { $0 + m[r, $1] } }
    }

    public func constantTerms(target: Matrix) -> [Double]? {
        target.storage.withUnsafeBufferPointer { values in
            (0..<target.rows).map { r in
                var sum = 0.0
                for v in values[(r * target.columns)..<((r + 1) * target.columns)] where v > 1 { sum += Self.logFactorial(v) }
                return sum
            }
        }
    }

    /// Σ log x! over the stored counts of each cell (zeros and ones add nothing).
    public func constantTerms(sparseTarget target: SparseMatrix) -> [Double]? {
        (0..<target.rows).map { r in
            var sum = 0.0
            for k in target.rowStarts[r]..<target.rowStarts[r + 1] where target.values[k] > 1 { sum += Self.logFactorial(target.values[k]) }
            return sum
        }
    }

    /// log x! (from the table for whole x < 4 096, from lgamma otherwise).
    static func logFactorial(_ v: Float) -> Double {
        if let whole = Int(exactly: v), whole < logFactorials.count { return logFactorials[whole] }
        return lgamma(Double(v) + 1)
    }

    /// log x! for x < 4 096, the same values `lgamma` gives, looked up instead of computed
    /// for every count of every batch (training streamed from disk prepares each batch anew).
    static let logFactorials: [Double] = (0..<4096).map { lgamma(Double($0) + 1) }

    /// θ = exp(log θ), with log θ held within ±15 so that no value overflows.
    static func thetas(_ logTheta: [Float]) -> [Double] { logTheta.map { exp(Double(min(max($0, -15), 15))) } }

    /// The θ row of a cell (its group's row with gene-label dispersion).
    private func thetaOffset(_ context: CellContext, row: Int) -> Int {
        groups > 1 ? Int(context.group?[row] ?? 0) * genes : 0
    }

    public func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float) -> LikelihoodEvaluation {
        let n = output.rows, g = genes, width = output.columns
        let libraries = context.librarySize ?? rowSums(target)
        let constants = context.constant ?? constantTerms(target: target)!
        let theta = logTheta.map { Self.thetas($0.value) } ?? []
        var rowLoss = [Double](repeating: 0, count: n)
        var grad = gradient ? Matrix(rows: n, columns: width) : nil
        // dNLL/d log θ per cell and gene, reduced over cells in row order afterwards so the
        // result does not depend on how rows were split between threads.
        var dLogTheta = gradient && family != .poisson ? [Float](repeating: 0, count: n * g) : []
        let parts = n * g >= 1 << 14 ? WorkerPool.shared.threads : 1
        let blocks = WorkerPool.blocks(n, parts: parts)
        output.storage.withUnsafeBufferPointer { out in
            target.storage.withUnsafeBufferPointer { x in
                rowLoss.withUnsafeMutableBufferPointer { loss in
                    dLogTheta.withUnsafeMutableBufferPointer { dTheta in
                        withOptionalPointer(&grad) { dOut in
                            WorkerPool.shared.run(parts: blocks.count) { part in
                                var p = [Double](repeating: 0, count: g), t = [Double](repeating: 0, count: g)
                                for r in blocks[part] {
                                    loss[r] = evaluateRow(out.baseAddress! + r * width, x.baseAddress! + r * g,
                                                          library: Double(libraries[r]), theta: theta, thetaOffset: thetaOffset(context, row: r),
                                                          gradient: dOut.map { $0 + r * width }, dLogTheta: dTheta.isEmpty ? nil : dTheta.baseAddress! + r * g,
                                                          scale: Double(scale), p: &p, t: &t) + constants[r]
                                }
                            }
                        }
                    }
                }
            }
        }
        if gradient, let logTheta {
            var sums = [Float](repeating: 0, count: logTheta.value.count)
            for r in 0..<n {
                let offset = thetaOffset(context, row: r)
                for j in 0..<g { sums[offset + j] += dLogTheta[r * g + j] }
            }
            // Beyond ±15, θ is held (`thetas`): no gradient pushes further.
            for k in sums.indices where abs(logTheta.value[k]) > 15 { sums[k] = 0 }
            logTheta.gradient = sums
        }
        return LikelihoodEvaluation(total: rowLoss.reduce(0, +), outputGradient: grad)
    }

    /// One cell's negative log-likelihood without its constant; with `gradient`, writes
    /// scale × d/d(output) and scale × d/d(log θ) for the cell.
    private func evaluateRow(_ out: UnsafePointer<Float>, _ x: UnsafePointer<Float>, library: Double,
                             theta: [Double], thetaOffset: Int, gradient: UnsafeMutablePointer<Float>?,
                             dLogTheta: UnsafeMutablePointer<Float>?, scale: Double,
                             p: inout [Double], t: inout [Double]) -> Double {
        let g = genes
        var maxLogit = -Double.infinity
        for j in 0..<g { maxLogit = max(maxLogit, Double(out[j])) }
        var partition = 0.0
        for j in 0..<g { let e = exp(Double(out[j]) - maxLogit); p[j] = e; partition += e }
        let logPartition = log(partition)
        let logLibrary = log(max(library, .leastNormalMagnitude))
        var nll = 0.0, tSum = 0.0
        for j in 0..<g {
            p[j] /= partition
            let count = Double(x[j])
            let logMu = logLibrary + Double(out[j]) - maxLogit - logPartition
            let mu = library * p[j]
            switch family {
            case .poisson:
                nll += mu - (count > 0 ? count * logMu : 0)
                t[j] = mu - count
            case .negativeBinomial, .zeroInflatedNegativeBinomial:
                let th = theta[thetaOffset + j]
                let logThetaMu = log(th + mu)
                let zeroLog = th * (log(th) - logThetaMu)  // log NB(0)
                var ll: Double, dLLdLogTheta: Double
                var dLLdMuTimesMu: Double
                if count == 0 {
                    ll = zeroLog
                    dLLdMuTimesMu = -th * mu / (th + mu)
                    dLLdLogTheta = th * (log(th) + 1 - logThetaMu - th / (th + mu))
                } else {
                    let ratios = SpecialFunctions.gammaRatios(count: count, theta: th)
                    ll = ratios.logGamma + zeroLog + count * (logMu - logThetaMu)
                    dLLdMuTimesMu = th * (count - mu) / (th + mu)
                    dLLdLogTheta = th * (ratios.digamma + log(th) + 1 - logThetaMu - (th + count) / (th + mu))
                }
                if family == .zeroInflatedNegativeBinomial {
                    let h = Double(out[g + j])
                    // log(1 − π) = −softplus(h) and log π = h − softplus(h): one softplus.
                    let logNotPi = -SpecialFunctions.softplus(h), logPi = h + logNotPi
                    let pi = exp(logPi)
                    var dLLdh: Double
                    if count == 0 {
                        // log(π + (1 − π)·NB(0)) with one exponential: top + log1p(e^(low − top)).
                        let a = logPi, b = logNotPi + ll
                        let top = max(a, b), spread = exp(min(a, b) - top)
                        let total = top + log1p(spread)
                        // Posterior weight of the NB component.
                        let notDropout = b >= a ? 1 / (1 + spread) : spread / (1 + spread)
                        dLLdh = (1 - notDropout) - pi
                        dLLdMuTimesMu *= notDropout
                        dLLdLogTheta *= notDropout
                        ll = total
                    } else {
                        ll += logNotPi
                        dLLdh = -pi
                    }
                    gradient?[g + j] = Float(-scale * dLLdh)
                }
                nll -= ll
                t[j] = -dLLdMuTimesMu
                dLogTheta?[j] = Float(-scale * dLLdLogTheta)
            }
            tSum += t[j]
        }
        if let gradient {
            // Through the softmax: d/dl_k = t_k − p_k Σ_g t_g, with t_g = μ_g · dNLL/dμ_g.
            for j in 0..<g { gradient[j] = Float(scale * (t[j] - p[j] * tSum)) }
        }
        return nll
    }

    /// Most cells the θ re-estimate reads (an evenly spaced subset of larger data).
    static let refitCells = 5_000

    /// θ by maximum likelihood per gene (and label group) with the decoder's means and
    /// dropout held fixed: a golden-section search of log θ over [−10, 12] (the likelihood is
    /// unimodal in θ for fixed means), on at most `refitCells` evenly spaced cells.
    public func refitAtLatentMeans(output: Matrix, target: Matrix, context: CellContext) -> String? {
        guard family != .poisson, refitsDispersion, let logTheta, output.rows > 0 else { return nil }
        let step = max(1, output.rows / Self.refitCells)
        let rows = Array(stride(from: 0, to: output.rows, by: step))
        let batch = context.gatherRows(rows)
        let (mean, dropout) = parameters(output: output.gatherRows(rows), context: batch)
        let counts = target.gatherRows(rows)
        let before = logTheta.value
        var after = before
        let groupOf = (0..<rows.count).map { groups > 1 ? Int(batch.group?[$0] ?? 0) : 0 }
        let cellsOf = (0..<groups).map { g in (0..<rows.count).filter { groupOf[$0] == g } }
        let jobs = (0..<groups).flatMap { g in (0..<genes).map { (g, $0) } }
        after.withUnsafeMutableBufferPointer { out in
            let blocks = WorkerPool.blocks(jobs.count, parts: WorkerPool.shared.threads)
            WorkerPool.shared.run(parts: blocks.count) { part in
                for k in blocks[part] {
                    let (g, j) = jobs[k]
                    guard !cellsOf[g].isEmpty else { continue }
                    func logLikelihood(_ s: Double) -> Double {
                        let theta = exp(s), logTheta = s
                        var total = 0.0
                        for i in cellsOf[g] {
                            let mu = Double(mean[i, j]), x = Double(counts[i, j])
                            let logThetaMu = log(theta + mu)
                            var ll = theta * (logTheta - logThetaMu)
                            if x > 0 { ll += SpecialFunctions.gammaRatios(count: x, theta: theta).logGamma + x * (log(max(mu, .leastNormalMagnitude)) - logThetaMu) }
                            if let dropout {
                                let pi = Double(dropout[i, j])
                                ll = x > 0 ? ll + log1p(-pi) : log(pi + (1 - pi) * exp(ll))
                            }
                            total += ll
                        }
                        return total
                    }
                    out[g * genes + j] = Float(GoldenSection.maximise(logLikelihood, from: -10, to: 12))
                }
            }
        }
        logTheta.value = after
        let median = { (v: [Float]) in v.sorted()[v.count / 2] }
        return String(format: "%@: dispersion re-estimated at the training cells' latent means (median θ %.3g → %.3g)",
                      spec.name, exp(Double(median(before))), exp(Double(median(after))))
    }

    /// Per-cell expected counts ℓ · softmax(output) (times 1 − π for ZINB), and the dropout
    /// probabilities for ZINB.
    private func parameters(output: Matrix, context: CellContext) -> (mean: Matrix, dropout: Matrix?) {
        let g = genes
        var mean = Matrix(rows: output.rows, columns: g)
        var dropout = family == .zeroInflatedNegativeBinomial ? Matrix(rows: output.rows, columns: g) : nil
        for r in 0..<output.rows {
            let library = Double(context.librarySize?[r] ?? 1)
            var maxLogit = -Double.infinity
            for j in 0..<g { maxLogit = max(maxLogit, Double(output[r, j])) }
            var partition = 0.0
            for j in 0..<g { partition += exp(Double(output[r, j]) - maxLogit) }
            for j in 0..<g {
                mean[r, j] = Float(library * exp(Double(output[r, j]) - maxLogit) / partition)
                if dropout != nil { dropout![r, j] = Float(1 / (1 + exp(-Double(output[r, g + j])))) }
            }
        }
        return (mean, dropout)
    }

    /// Expected counts (library × softmax; × (1 − π) for ZINB). Without library sizes in
    /// `context`, the expected proportions.
    public func mean(output: Matrix, context: CellContext) -> Matrix {
        var (mean, dropout) = parameters(output: output, context: context)
        if let dropout { for i in mean.storage.indices { mean.storage[i] *= 1 - dropout.storage[i] } }
        return mean
    }

    public func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        guard context.librarySize != nil else {
            throw VAExprsError.usage("\(spec.name): drawing counts needs each cell's library size")
        }
        var (mean, dropout) = parameters(output: output, context: context)
        let theta = logTheta.map { Self.thetas($0.value) }
        for r in 0..<mean.rows {
            let offset = thetaOffset(context, row: r)
            for j in 0..<genes {
                let mu = Double(mean[r, j])
                var draw: Double
                if let theta {
                    draw = rng.nextNegativeBinomial(mean: mu, inverseDispersion: theta[offset + j])
                } else {
                    draw = rng.nextPoisson(mean: mu)
                }
                if let dropout, rng.nextUniform() < Double(dropout[r, j]) { draw = 0 }
                mean[r, j] = Float(draw)
            }
        }
        return mean
    }
}

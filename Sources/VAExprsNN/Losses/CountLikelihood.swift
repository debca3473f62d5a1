import CKernels
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
package final class CountLikelihood: Likelihood {
    /// The observation model.
    package enum Family: String, Sendable {
        /// Poisson.
        case poisson
        /// Negative binomial.
        case negativeBinomial = "nb"
        /// Zero-inflated negative binomial.
        case zeroInflatedNegativeBinomial = "zinb"
    }

    /// Whether θ is shared by all cells of a gene or learned per label group too.
    package enum Dispersion: String, Sendable {
        /// One θ per gene.
        case gene
        /// One θ per gene and label group (conditional models).
        case geneLabel = "gene-label"
    }

    package let spec: ComponentSpec
    /// The observation model.
    package let family: Family
    /// How θ is shared.
    package let dispersion: Dispersion
    package var defaultDecodeMode: DecodeMode { .sample }
    package var data: LikelihoodData { .counts }
    private var logTheta: Parameter?
    private var genes = 0
    private var groups = 1

    /// Whether θ is re-estimated at the training cells' latent means after training.
    package let refitsDispersion: Bool

    /// A count likelihood; `dispersion` and `refitsDispersion` are ignored by `poisson`.
    package init(spec: ComponentSpec, family: Family, dispersion: Dispersion, refitsDispersion: Bool = true) {
        self.spec = spec
        self.family = family
        self.dispersion = dispersion
        self.refitsDispersion = refitsDispersion
    }

    package var parameters: [Parameter] { [logTheta].compactMap { $0 } }

    package func outputWidth(features: Int) -> Int { family == .zeroInflatedNegativeBinomial ? 2 * features : features }

    package func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {
        genes = features
        self.groups = 1
        guard family != .poisson else { return }
        if dispersion == .geneLabel {
            guard groups > 0 else {
                throw VAExprsError.usage(
                    """
                    \(spec.source): \(spec.name) dispersion=gene-label needs labels (a conditional model); use \
                    dispersion=gene
                    """
                )
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
        logTheta = Parameter(
            path: path + ".log_theta", shape: self.groups > 1 ? [self.groups, features] : [features], value: values)
    }

    private func rowSums(_ m: Matrix) -> [Float] {
        (0..<m.rows).map { r in (0..<m.columns).reduce(Float(0)) { $0 + m[r, $1] } }
    }

    package func constantTerms(target: Matrix) -> [Double]? {
        target.storage.withUnsafeBufferPointer { values in
            (0..<target.rows).map { r in
                var sum = 0.0
                for v in values[(r * target.columns)..<((r + 1) * target.columns)] where v > 1 {
                    sum += Self.logFactorial(v)
                }
                return sum
            }
        }
    }

    /// Σ log x! over the stored counts of each cell (zeros and ones add nothing).
    package func constantTerms(sparseTarget target: SparseMatrix) -> [Double]? {
        (0..<target.rows).map { r in
            var sum = 0.0
            for k in target.rowStarts[r]..<target.rowStarts[r + 1] where target.values[k] > 1 {
                sum += Self.logFactorial(target.values[k])
            }
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
    static func thetas(_ logTheta: [Float]) -> [Double] { heldLogThetas(logTheta).map { exp($0) } }

    /// log θ held within ±15, in double precision (what `thetas` exponentiates).
    static func heldLogThetas(_ logTheta: [Float]) -> [Double] { logTheta.map { Double(min(max($0, -15), 15)) } }

    /// The θ row of a cell (its group's row with gene-label dispersion).
    private func thetaOffset(_ context: CellContext, row: Int) -> Int {
        groups > 1 ? Int(context.group?[row] ?? 0) * genes : 0
    }

    package func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float)
        -> LikelihoodEvaluation
    {
        let n = output.rows, g = genes, width = output.columns
        let libraries = context.librarySize ?? rowSums(target)
        let constants = context.constant ?? constantTerms(target: target)!
        let logThetaHeld = logTheta.map { Self.heldLogThetas($0.value) } ?? []
        let theta = logThetaHeld.map { exp($0) }
        var rowLoss = [Double](repeating: 0, count: n)
        var grad = gradient ? Matrix(rows: n, columns: width) : nil
        // dNLL/d log θ per cell and gene, reduced over cells in row order afterwards so the
        // result does not depend on how rows were split between threads.
        var dLogTheta = gradient && family != .poisson ? [Float](repeating: 0, count: n * g) : []
        let parts = n * g >= 1 << 14 ? WorkerPool.shared.threads : 1
        let blocks = WorkerPool.blocks(n, parts: parts)
        let code: Int32
        switch family {
        case .poisson: code = Int32(VAEXPRS_COUNT_POISSON)
        case .negativeBinomial: code = Int32(VAEXPRS_COUNT_NB)
        case .zeroInflatedNegativeBinomial: code = Int32(VAEXPRS_COUNT_ZINB)
        }
        output.storage.withUnsafeBufferPointer { out in
            target.storage.withUnsafeBufferPointer { x in
                theta.withUnsafeBufferPointer { th in
                    logThetaHeld.withUnsafeBufferPointer { logTh in
                        rowLoss.withUnsafeMutableBufferPointer { loss in
                            dLogTheta.withUnsafeMutableBufferPointer { dTheta in
                                withOptionalPointer(&grad) { dOut in
                                    WorkerPool.shared.run(parts: blocks.count) { part in
                                        var scratch = [Double](repeating: 0, count: 4 * g)
                                        scratch.withUnsafeMutableBufferPointer { work in
                                            for r in blocks[part] {
                                                let offset = thetaOffset(context, row: r)
                                                loss[r] =
                                                    vaexprs_count_nll_row(
                                                        code, Int64(g), out.baseAddress! + r * width,
                                                        x.baseAddress! + r * g, Double(libraries[r]),
                                                        th.baseAddress.map { $0 + offset },
                                                        logTh.baseAddress.map { $0 + offset }, Double(scale),
                                                        dOut.map { $0 + r * width },
                                                        dTheta.isEmpty ? nil : dTheta.baseAddress! + r * g,
                                                        work.baseAddress!) + constants[r]
                                            }
                                        }
                                    }
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

    /// Most cells the θ re-estimate reads (an evenly spaced subset of larger data).
    static let refitCells = 5_000

    /// θ by maximum likelihood per gene (and label group) with the decoder's means and
    /// dropout held fixed: a golden-section search of log θ over [−10, 12] (the likelihood is
    /// unimodal in θ for fixed means), on at most `refitCells` evenly spaced cells.
    package func refitAtLatentMeans(output: Matrix, target: Matrix, context: CellContext) -> String? {
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
        // Each gene's cells contiguous (genes × cells), so the objective runs over a column.
        let meanByGene = mean.transposed(), countsByGene = counts.transposed(), dropoutByGene = dropout?.transposed()
        let cells = rows.count
        after.withUnsafeMutableBufferPointer { out in
            let blocks = WorkerPool.blocks(jobs.count, parts: WorkerPool.shared.threads)
            WorkerPool.shared.run(parts: blocks.count) { part in
                var muColumn = [Float](repeating: 0, count: cells), xColumn = muColumn, piColumn = muColumn
                var scratch = [Double](repeating: 0, count: cells)
                for k in blocks[part] {
                    let (g, j) = jobs[k]
                    guard !cellsOf[g].isEmpty else { continue }
                    let members = cellsOf[g]
                    for (c, i) in members.enumerated() {
                        muColumn[c] = meanByGene[j, i]
                        xColumn[c] = countsByGene[j, i]
                        if let dropoutByGene { piColumn[c] = dropoutByGene[j, i] }
                    }
                    let logLikelihood = { (s: Double) -> Double in
                        muColumn.withUnsafeBufferPointer { mu in
                            xColumn.withUnsafeBufferPointer { x in
                                piColumn.withUnsafeBufferPointer { pi in
                                    scratch.withUnsafeMutableBufferPointer { work in
                                        vaexprs_count_gene_loglik(
                                            Int64(members.count), s, mu.baseAddress!, x.baseAddress!,
                                            dropoutByGene == nil ? nil : pi.baseAddress!, work.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                    out[g * genes + j] = Float(GoldenSection.maximise(logLikelihood, from: -10, to: 12))
                }
            }
        }
        logTheta.value = after
        let median = { (v: [Float]) in v.sorted()[v.count / 2] }
        return String(
            format: "%@: dispersion re-estimated at the training cells' latent means (median θ %.3g → %.3g)",
            spec.name, exp(Double(median(before))), exp(Double(median(after))))
    }

    /// Per-cell expected counts ℓ · softmax(output) (times 1 − π for ZINB), and the dropout
    /// probabilities for ZINB.
    func parameters(output: Matrix, context: CellContext) -> (mean: Matrix, dropout: Matrix?) {
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
    package func mean(output: Matrix, context: CellContext) -> Matrix {
        var (mean, dropout) = parameters(output: output, context: context)
        if let dropout { for i in mean.storage.indices { mean.storage[i] *= 1 - dropout.storage[i] } }
        return mean
    }

    package func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        guard let libraries = context.librarySize else {
            throw VAExprsError.usage("\(spec.name): drawing counts needs each cell's library size")
        }
        let g = genes, rows = output.rows
        let theta = logTheta.map { Self.thetas($0.value) }
        let thetaValues = theta ?? []
        let zeroInflated = family == .zeroInflatedNegativeBinomial
        var out = Matrix(rows: rows, columns: g)
        // Blocks of rows draw from streams of their own, seeded from one draw of `rng`, so the
        // cells do not depend on the number of threads drawing them.
        let base = rng.next()
        let blocks = (rows + Self.sampleBlock - 1) / Self.sampleBlock
        out.storage.withUnsafeMutableBufferPointer { values in
            let values = UncheckedPointer(values)
            WorkerPool.shared.run(parts: blocks) { block in
                var local = SeededGenerator(seed: base &+ UInt64(block) &* 0x9E37_79B9_7F4A_7C15)
                var mean = [Double](repeating: 0, count: g), countZero = mean
                var dropout = zeroInflated ? mean : [], zero = dropout
                let limit = SeededGenerator.negativeBinomialInversionLimit
                for r in (block * Self.sampleBlock)..<min(rows, (block + 1) * Self.sampleBlock) {
                    // μ = library × softmax(logits), every count's probability of zero and ZINB's
                    // dropout probabilities, vectorised (C).
                    let offset = thetaOffset(context, row: r)
                    output.storage.withUnsafeBufferPointer { logits in
                        thetaValues.withUnsafeBufferPointer { th in
                            let row = logits.baseAddress! + r * output.columns
                            vaexprs_count_sampling_row(
                                Int64(g), row, Double(libraries[r]), theta == nil ? nil : th.baseAddress! + offset,
                                zeroInflated ? row + g : nil, &mean, &countZero, &dropout, &zero)
                        }
                    }
                    // One uniform per count. Means up to the limit: inversion of the whole
                    // distribution (ZINB's zeros included), so most counts cost one comparison with
                    // P(0) — a C loop over the genes. Larger means (the loop stops there with the
                    // gene's uniform): ZINB's dropout by the same uniform, then a Gamma–Poisson (NB)
                    // or PTRS (Poisson) draw, and the loop goes on from the next gene.
                    var j = 0
                    while j < g {
                        var u = 0.0
                        let stop = local.withStateWords { state in
                            mean.withUnsafeBufferPointer { mu in
                                countZero.withUnsafeBufferPointer { cz in
                                    zero.withUnsafeBufferPointer { z in
                                        thetaValues.withUnsafeBufferPointer { th in
                                            vaexprs_count_draws(
                                                Int64(j), Int64(g), mu.baseAddress, cz.baseAddress,
                                                zeroInflated ? z.baseAddress : nil,
                                                theta == nil ? nil : th.baseAddress! + offset, limit, state,
                                                values.base.baseAddress! + r * g, &u)
                                        }
                                    }
                                }
                            }
                        }
                        j = Int(stop)
                        guard j < g else { break }
                        let mu = mean[j]
                        let draw: Double
                        if zeroInflated && u < dropout[j] {
                            draw = 0
                        } else if let theta {
                            draw = local.nextNegativeBinomial(mean: mu, inverseDispersion: theta[offset + j])
                        } else {
                            draw = local.nextPoisson(mean: mu)
                        }
                        values.base[r * g + j] = Float(draw)
                        j += 1
                    }
                }
            }
        }
        return out
    }

    /// Rows drawn from one random stream (and by one thread) when sampling.
    static let sampleBlock = 64
}

/// A buffer handed to the worker pool's threads, each writing its own rows.
private struct UncheckedPointer: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Float>
    init(_ base: UnsafeMutableBufferPointer<Float>) { self.base = base }
}

import Foundation
import Testing
import VAExprs
import VAExprsPreprocessing
import VAExprsTestSupport

/// Issue 31: log-normalised counts are recognised, the counts recovered exactly and modelled as
/// counts, and generated cells come back on the input's scale.
@Suite struct LogCountsRecoveryTests {
    /// Negative-binomial-like counts: 40 cells × 60 genes, every cell with some 1s.
    static let counts: ExpressionMatrix = {
        var rng = SeededGenerator(seed: 11)
        var storage: [Float] = []
        for i in 0..<40 {
            for j in 0..<60 {
                let mean = Double(1 + (j % 7)) * (i % 2 == 0 ? 1.5 : 0.5)
                storage.append(Float(rng.nextNegativeBinomial(mean: mean, inverseDispersion: 2)))
            }
            storage[i * 60] = 1  // every cell has a count of 1
        }
        return ExpressionMatrix(
            cellIDs: (0..<40).map { "c\($0)" }, geneNames: (0..<60).map { "g\($0)" },
            values: Matrix(rows: 40, columns: 60, storage: storage))
    }()

    /// `counts` log-normalised as scater (log2, mean library), Seurat (log1p, 10 000) or scanpy
    /// (log1p, median library) do, in float32.
    static func normalized(_ how: String, _ counts: ExpressionMatrix = counts) -> ExpressionMatrix {
        let m = counts.cells.dense()
        let libraries = (0..<m.rows).map { i in (0..<m.columns).reduce(0.0) { $0 + Double(m[i, $1]) } }
        let mean = libraries.reduce(0, +) / Double(libraries.count), median = libraries.sorted()[libraries.count / 2]
        var out = m
        for i in 0..<m.rows {
            for j in 0..<m.columns {
                let c = Double(m[i, j])
                out[i, j] =
                    switch how {
                    case "scater": Float(log2(c / (libraries[i] / mean) + 1))
                    case "seurat": Float(log1p(c / libraries[i] * 1e4))
                    default: Float(log1p(c / libraries[i] * median))
                    }
            }
        }
        return ExpressionMatrix(cellIDs: counts.cellIDs, geneNames: counts.geneNames, values: out)
    }

    @Test(arguments: [("scater", LogNormalizedInput.Base.two), ("seurat", .e), ("scanpy", .e)])
    func theCountsComeBackExactly(how: String, base: LogNormalizedInput.Base) throws {
        guard case .success(let recovered)? = LogCountsRecovery.recover(Self.normalized(how)) else {
            Issue.record("\(how): not recognised")
            return
        }
        #expect(recovered.base == base)
        #expect(recovered.counts.cells.dense() == Self.counts.cells.dense())
        // Sparse storage gives the same, in sparse storage.
        let sparse = Self.normalized(how)
        let asSparse = ExpressionMatrix(
            cellIDs: sparse.cellIDs, geneNames: sparse.geneNames, cells: .sparse(SparseMatrix(sparse.cells.dense())))
        guard case .success(let fromSparse)? = LogCountsRecovery.recover(asSparse) else {
            Issue.record("\(how): sparse not recognised")
            return
        }
        #expect(fromSparse.counts.cells.isSparse && fromSparse.counts.cells.dense() == Self.counts.cells.dense())
    }

    @Test func aCellWhoseSmallestCountIsTwoComesBackToo() throws {
        var m = Self.counts.cells.dense()
        for j in 0..<m.columns { m[0, j] = m[0, j] * 2 }  // cell 0: only even counts
        let doubled = ExpressionMatrix(cellIDs: Self.counts.cellIDs, geneNames: Self.counts.geneNames, values: m)
        guard case .success(let recovered)? = LogCountsRecovery.recover(Self.normalized("seurat", doubled)) else {
            Issue.record("not recognised")
            return
        }
        // One scale per cell cannot tell 2, 4, 6 from 1, 2, 3 at a fixed target: the smallest
        // count that makes every value whole is taken, so the cell's counts are halved...
        #expect(recovered.counts.cells.dense()[0, 0] == 1)
        // ... while every other cell is exact.
        let back = recovered.counts.cells.dense()
        #expect((1..<40).allSatisfy { i in (0..<60).allSatisfy { back[i, $0] == m[i, $0] } })
    }

    @Test func otherValuesAreNotTakenForLogCounts() {
        // Counts, and values below zero: not applicable.
        #expect(LogCountsRecovery.recover(Self.counts) == nil)
        var negative = Self.normalized("seurat").cells.dense()
        negative[3, 3] = -0.5
        #expect(
            LogCountsRecovery.recover(
                ExpressionMatrix(cellIDs: Self.counts.cellIDs, geneNames: Self.counts.geneNames, values: negative))
                == nil)
        // Continuous non-negative values (log-normalised counts with noise): refused, naming a cell.
        var rng = SeededGenerator(seed: 3)
        var noisy = Self.normalized("seurat").cells.dense()
        for k in noisy.storage.indices where noisy.storage[k] > 0 { noisy.storage[k] += Float(0.01 * rng.nextNormal()) }
        let refused = LogCountsRecovery.recover(
            ExpressionMatrix(cellIDs: Self.counts.cellIDs, geneNames: Self.counts.geneNames, values: noisy))
        guard case .failure(let refusal)? = refused else {
            Issue.record("noisy values taken for log-normalised counts")
            return
        }
        #expect(refusal.cell == 0)
        // Many cells of continuous values: refused by the first ones (before every value is copied).
        var many = Matrix(rows: 250, columns: 30)
        for k in many.storage.indices { many.storage[k] = Float(1 + 2 * rng.nextUniform()) }
        guard
            case .failure(let early)? = LogCountsRecovery.recover(
                ExpressionMatrix(
                    cellIDs: (0..<250).map { "m\($0)" }, geneNames: (0..<30).map { "g\($0)" }, values: many))
        else {
            Issue.record("continuous values taken for log-normalised counts")
            return
        }
        #expect(early.cell < 200)
        // Values too large to be logarithms of counts (intensities): not applicable.
        let intensities = Matrix(rows: 2, columns: 2, storage: [120.5, 3000.25, 80.5, 20.75])
        #expect(
            LogCountsRecovery.recover(ExpressionMatrix(cellIDs: ["a", "b"], geneNames: ["x", "y"], values: intensities))
                == nil)
    }

    @Test func aFitOnLogNormalisedCountsIsTheFitOnTheCountsAndGivesTheScaleBack() throws {
        let registry = try Builtins.makeRegistry()
        let labels = (0..<40).map { [$0 % 2 == 0 ? "a" : "b"] }
        func fit(_ data: ExpressionMatrix) throws -> (TrainedModel, [Notice]) {
            var request = FitRequest(cells: data, labels: labels, training: TrainingOptions(epochs: 5, seed: 4))
            request.validationSplit = 0.2
            request.threads = 1
            var notes: [Notice] = []
            return (try Fit.run(request, registry: registry, notes: { notes.append($0) }), notes)
        }
        let (fromCounts, _) = try fit(Self.counts)
        let (fromLog, notes) = try fit(Self.normalized("seurat"))
        #expect(notes.contains { $0.description.contains("log-normalised counts, log1p(count × s)") }, "\(notes)")
        #expect(fromLog.history.epochs.map(\.loss) == fromCounts.history.epochs.map(\.loss))
        let log = try #require(fromLog.preprocessing.logInput)
        #expect(log.base == .e && log.targets.count == 32 && log.targets.allSatisfy { abs($0 - 10_000) < 0.5 })
        // The same counts, given back on the input's scale unless counts are asked for.
        let options = GenerationOptions(count: 30, seed: 5)
        var asCounts = options
        asCounts.asCounts = true
        let counts = try Generator(model: fromCounts, registry: registry).generate(options).data.cells.dense()
        let again = try Generator(model: fromLog, registry: registry).generate(asCounts).data.cells.dense()
        #expect(counts == again)
        let logged = try Generator(model: fromLog, registry: registry).generate(options).data.cells.dense()
        for i in 0..<counts.rows {
            let total = (0..<counts.columns).reduce(0.0) { $0 + Double(counts[i, $1]) }
            for j in 0..<counts.columns {
                let expected = total > 0 ? log1p(Double(counts[i, j]) / total * 1e4) : 0
                #expect(abs(Double(logged[i, j]) - expected) < 1e-3)
            }
        }
        // Saved and loaded, the scale is kept.
        let path = TestPaths.scratch("logcounts") + "/m.vaexprs"
        try fromLog.save(to: path)
        #expect(try TrainedModel.load(path, registry: registry).preprocessing.logInput == log)
    }

    @Test func validationCellsMustBeNormalisedAlike() throws {
        var request = FitRequest(
            cells: Self.normalized("seurat"), labels: nil, training: TrainingOptions(epochs: 2, seed: 4))
        request.validation = .matrix(Self.normalized("scater"), labels: nil)
        #expect(throws: VAExprsError.self) { try Fit.run(request, registry: try Builtins.makeRegistry()) }
        // A continuous likelihood named: the values are modelled as given.
        var continuous = FitRequest(
            cells: Self.normalized("seurat"), labels: nil, training: TrainingOptions(epochs: 2, seed: 4))
        continuous.choices.likelihood = ComponentSpec(name: "censored_gaussian")
        #expect(try Fit.run(continuous, registry: try Builtins.makeRegistry()).preprocessing.logInput == nil)
    }
}

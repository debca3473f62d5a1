import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

@testable import VAExprsModels
@testable import VAExprsPreprocessing

/// `fit --top-genes`: our rankings against scanpy's on the same counts
/// (Tests/Fixtures/hvg, written by its make_fixture.py with scanpy 1.11).
@Suite struct GeneSelectionTests {
    let folder = TestPaths.packageRoot + "/Tests/Fixtures/hvg"

    /// scanpy's score and top-100 flag per gene, in gene order.
    func reference(_ file: String) throws -> (scores: [Double], top: Set<Int>) {
        let lines = try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n").dropFirst()
        var scores: [Double] = [], top = Set<Int>()
        for (j, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            scores.append(Double(fields[1]) ?? .nan)
            if fields[2] == "True" { top.insert(j) }
        }
        return (scores, top)
    }

    @Test func seuratV3MatchesScanpy() throws {
        let counts = try ExpressionReader.read(folder + "/counts.csv")
        let ours = GeneSelection.seuratV3Scores(counts.dense())
        let (theirs, top) = try reference("seurat_v3.csv")
        var worst = 0.0
        for j in ours.indices where theirs[j] > 0 { worst = max(worst, abs(ours[j] / theirs[j] - 1)) }
        // The loess is evaluated directly at each gene, skmisc interpolates between kd-tree
        // vertices: the normalised variances differ by at most a few per cent.
        #expect(worst < 0.05, "largest relative difference \(worst)")
        let selected = try GeneSelection.select(counts.dense(), count: 100, flavor: .seuratV3)
        let overlap = Set(selected.selected).intersection(top).count
        #expect(overlap >= 97, "top-100 overlap with scanpy: \(overlap)")
        #expect(selected.selected == selected.selected.sorted() && selected.inputGenes == 400)
    }

    @Test func dispersionMatchesScanpy() throws {
        let counts = try ExpressionReader.read(folder + "/counts.csv")
        let linear = try LogNormalization.linear(counts, source: "t")
        let ours = GeneSelection.dispersionScores(linear)
        let (theirs, top) = try reference("dispersion.csv")
        var worst = 0.0
        for j in ours.indices where !theirs[j].isNaN { worst = max(worst, abs(ours[j] - theirs[j])) }
        #expect(worst < 1e-3, "largest difference \(worst)")
        let selected = try GeneSelection.select(linear, count: 100, flavor: .dispersion)
        #expect(Set(selected.selected).intersection(top).count >= 99)
    }

    @Test func rejectsImpossibleCounts() {
        let m = Matrix(rows: 3, columns: 4, repeating: 1)
        for n in [0, 5] {
            #expect(throws: VAExprsError.self) { _ = try GeneSelection.select(m, count: n, flavor: .seuratV3) }
        }
    }

    @Test func loessReproducesAQuadratic() {
        let x = (0..<50).map { Double($0) / 7 }
        let y = x.map { 2 - 0.5 * $0 + 0.25 * $0 * $0 }
        for (a, b) in zip(Loess.fit(x: x, y: y, span: 0.3), y) { #expect(abs(a - b) < 1e-9) }
    }
}

/// Issue 28: one log-normalisation and one gene-selection home for every command.
@Suite struct LogNormalizationTests {
    @Test func isScatersLogNormCounts() throws {
        // Libraries 10 and 30 (mean 20): size factors 0.5 and 1.5; log2(x / sf + 1).
        let data = ExpressionMatrix(
            cellIDs: ["a", "b"], geneNames: ["g1", "g2"],
            values: Matrix(rows: 2, columns: 2, storage: [4, 6, 0, 30]))
        let values = try LogNormalization.normalized(data, source: "test")
        let expected: [Float] = [log2f(4 / 0.5 + 1), log2f(6 / 0.5 + 1), 0, log2f(30 / 1.5 + 1)]
        #expect(zip(values.storage, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(values.storage)")
        var back = values
        LogNormalization.invert(&back, sizeFactors: [0.5, 1.5])
        #expect(zip(back.storage, data.dense().storage).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func cellsComparedTogetherShareOneDepth() {
        // The same composition at two depths normalises to the same values; an empty cell stays 0.
        let shallow = Matrix(rows: 2, columns: 2, storage: [1, 3, 0, 0]),
            deep = Matrix(rows: 1, columns: 2, storage: [10, 30])
        let together = LogNormalization.normalizedTogether([shallow, deep])
        #expect(zip(together[0].storage[0..<2], together[1].storage).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(together[0].storage[2...].allSatisfy { $0 == 0 })
    }

    @Test func negativeValuesAreRefusedByName() {
        let data = ExpressionMatrix(
            cellIDs: ["a"], geneNames: ["g1"], values: Matrix(rows: 1, columns: 1, storage: [-1]))
        #expect { try LogNormalization.normalized(data, source: "x.csv") } throws: {
            ($0 as? VAExprsError)?.message.contains("x.csv: cell 'a', gene 'g1' is negative") == true
        }
    }

    @Test func topVarianceKeepsTheMostVariableGenesInInputOrder() {
        // Column variances 0, 4.5, 0.5, 2: the top two are columns 1 and 3.
        let x = DoubleMatrix(Matrix(rows: 2, columns: 4, storage: [1, 0, 1, 0, 1, 3, 2, 2]))
        #expect(GeneSelection.topVariance(x, count: 2) == [1, 3])
        #expect(GeneSelection.topVariance(x, count: 0) == [0, 1, 2, 3])
        #expect(GeneSelection.topVariance(x, count: 9) == [0, 1, 2, 3])
    }
}

import Foundation
import Testing
@testable import VAExprsModels
import VAExprs
import VAExprsTestSupport

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
        let linear = try Preprocessing.libraryNormalized(counts, source: "t")
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

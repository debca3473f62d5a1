import Foundation
import Testing
import VAExprsCore
import VAExprsIO
import VAExprsTestSupport

/// Seeded cell subsamples for plots, reductions and evaluation of large files.
@Suite struct CellSubsampleTests {
    @Test func chosenRowsAreIncreasingDistinctAndRepeatable() {
        let rows = CellSubsample.chooseRows(count: 1000, keep: 37, seed: 4)
        #expect(rows.count == 37)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 })
        #expect(rows.first! >= 0 && rows.last! < 1000)
        #expect(rows == CellSubsample.chooseRows(count: 1000, keep: 37, seed: 4))
        #expect(rows != CellSubsample.chooseRows(count: 1000, keep: 37, seed: 5))
        #expect(CellSubsample.chooseRows(count: 5, keep: 9, seed: 1) == [0, 1, 2, 3, 4])
    }

    @Test func everyRowIsEquallyLikely() {
        // 10 of 50 rows over 2 000 seeds: each row expected 400 times, binomial sd ≈ 17.9.
        var hits = [Int](repeating: 0, count: 50)
        for seed in 0..<2000 {
            for r in CellSubsample.chooseRows(count: 50, keep: 10, seed: UInt64(seed)) { hits[r] += 1 }
        }
        #expect(hits.allSatisfy { abs($0 - 400) < 90 }, "\(hits)")
    }

    @Test func rowsReadFromDiskAreTheRowsOfTheWholeMatrix() throws {
        let path = TestPaths.dataset("pbmc_small", "data.h5ad")
        let whole = try ExpressionReader.read(path)
        let picked = [0, 1, 2, 10, 11, 40, whole.cellCount - 1]
        let file = try SparseRowFile(path)
        #expect(try file.rows(at: picked).dense() == whole.selectingCells(picked).dense())
        #expect(try file.rows(at: []).rows == 0)

        let streamed = try CellSubsample.read(path, maxCells: 25, seed: 3)
        let csv = try CellSubsample.read(TestPaths.dataset("pbmc_small", "counts.csv.gz"), maxCells: 25, seed: 3)
        #expect(streamed.isSubsample && streamed.totalCells == whole.cellCount && streamed.matrix.cellCount == 25)
        #expect(streamed.matrix.cellIDs == csv.matrix.cellIDs)
        #expect(
            streamed.matrix.dense()
                == whole.selectingCells(CellSubsample.chooseRows(count: whole.cellCount, keep: 25, seed: 3)).dense())
        #expect(streamed.obs?["label"]?.count == 25)
        #expect(!(try CellSubsample.read(path, maxCells: 10_000, seed: 3)).isSubsample)
        #expect(throws: VAExprsError.self) { try CellSubsample.read(path, maxCells: 0, seed: 3) }
    }
}

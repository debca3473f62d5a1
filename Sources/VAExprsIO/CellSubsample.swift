import VAExprsCore

/// The cells of a matrix file, or a seeded random subsample of them when there are more
/// than a limit: what `plot aug`, `reduce` and `evaluate` work on, so they stay fast and
/// bounded in memory on files of millions of cells.
package struct SubsampledCells {
    /// The cells kept, in file order.
    package var matrix: ExpressionMatrix
    /// `obs` columns of an `.h5ad` for the cells kept (nil for other formats).
    package var obs: [String: [String]]?
    /// Cells in the file.
    package var totalCells: Int
    /// True when some cells were left out.
    package var isSubsample: Bool { matrix.cellCount < totalCells }
}

/// Reads all cells of a file, or a uniform random subsample of them without replacement.
public enum CellSubsample {
    /// Cells per file that the commands work on when the user does not say (`--max-cells`).
    public static let defaultMaxCells = 10_000

    /// Tells the user that a call works on a seeded subsample of a file's cells.
    package static func notice(path: String, kept: Int, total: Int) -> Notice {
        Notice(
            """
            \(path): \(total) cells; using a random subsample of \(kept) (\(parameter: "maxCells"), drawn with \
            \(parameter: "seed"))
            """
        )
    }

    /// At most `maxCells` cells of `path`, chosen uniformly at random with `seed` (every cell
    /// when there are no more). An `.h5ad` with CSR `X` and a Cell Ranger `.h5` are read
    /// cell by cell, only the chosen ones; other formats are read whole, then subsampled.
    package static func read(_ path: String, genesInRows: Bool = false, maxCells: Int, seed: UInt64) throws
        -> SubsampledCells
    {
        guard maxCells >= 1 else {
            throw VAExprsError.usage("\(parameter: "maxCells") must be at least 1, got \(maxCells)")
        }
        if !genesInRows, try SparseRowFile.storesRows(path) {
            let file = try SparseRowFile(path)
            let kept = chooseRows(count: file.rowCount, keep: maxCells, seed: seed)
            let cells = try file.rows(at: kept)
            let matrix = ExpressionMatrix(
                cellIDs: kept.map { file.cellIDs[$0] }, geneNames: file.geneNames, cells: .sparse(cells))
            let obs = file.obs?.mapValues { column in kept.map { column[$0] } }
            return SubsampledCells(matrix: matrix, obs: obs, totalCells: file.rowCount)
        }
        let (matrix, obs) = try ExpressionReader.readWithAnnotations(path, genesInRows: genesInRows)
        let kept = chooseRows(count: matrix.cellCount, keep: maxCells, seed: seed)
        guard kept.count < matrix.cellCount else {
            return SubsampledCells(matrix: matrix, obs: obs, totalCells: matrix.cellCount)
        }
        return SubsampledCells(
            matrix: matrix.selectingCells(kept), obs: obs?.mapValues { column in kept.map { column[$0] } },
            totalCells: matrix.cellCount)
    }

    /// `keep` of the row indices `0..<count` drawn uniformly without replacement (a partial
    /// Fisher–Yates shuffle), in increasing order; all of them when `keep ≥ count`.
    package static func chooseRows(count: Int, keep: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        return rng.choose(keep, of: count)
    }
}

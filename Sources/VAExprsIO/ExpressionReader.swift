import VAExprsCore

/// Reads an expression matrix from whatever the user has: a 10x Matrix Market folder, or a
/// CSV/TSV file (optionally gzipped; `genesInRows` for the transposed layout).
public enum ExpressionReader {
    /// The matrix at `path`, cells as rows.
    public static func read(_ path: String, genesInRows: Bool = false) throws -> ExpressionMatrix {
        if TenXMatrix.isTenXFolder(path) {
            if genesInRows {
                throw VAExprsError.usage("--genes-in-rows applies to CSV/TSV files; a 10x folder's layout is fixed (genes × cells)")
            }
            return try TenXMatrix.read(path)
        }
        return try ExpressionCSV.read(path, genesInRows: genesInRows)
    }
}

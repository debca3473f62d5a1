import Foundation
import VAExprsCore

/// Reads an expression matrix from whatever the user has: an `.h5ad` file, a Cell Ranger
/// `.h5`, a 10x Matrix Market folder, or a CSV/TSV file (optionally gzipped; `genesInRows` for the transposed
/// layout).
package enum ExpressionReader {
    /// The matrix at `path`, cells as rows.
    package static func read(_ path: String, genesInRows: Bool = false) throws -> ExpressionMatrix {
        try readWithAnnotations(path, genesInRows: genesInRows).matrix
    }

    /// Throws a clear error, naming `option`, when `path` is neither a readable file nor a
    /// folder: for inputs read only after long work, checked before it starts.
    package static func checkReadable(_ path: String, parameter: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VAExprsError(.missingInput, "\(parameter: parameter) \(path): no such file or folder; check the path")
        }
        guard access(path, isDirectory.boolValue ? R_OK | X_OK : R_OK) == 0 else {
            throw VAExprsError(
                .missingInput,
                "\(parameter: parameter) \(path): cannot be read (permission denied); check its permissions")
        }
    }

    /// The matrix (for an `.h5ad`, its `X` or the layer or `.raw` that `matrix` names) and, for
    /// an `.h5ad`, its `obs` columns (nil for other formats).
    package static func readWithAnnotations(_ path: String, genesInRows: Bool = false, matrix: AnnDataMatrix = .x)
        throws -> (
            matrix: ExpressionMatrix, obs: [String: [String]]?
        )
    {
        let isTenX = TenXMatrix.isTenXFolder(path), isH5AD = H5AD.isH5AD(path), isH5 = TenXH5.isTenXH5(path)
        if genesInRows && (isTenX || isH5AD || isH5) {
            throw VAExprsError.usage("\(parameter: "genesInRows") applies to CSV/TSV files; \(path) has a fixed layout")
        }
        if matrix != .x && !isH5AD {
            throw VAExprsError.usage(
                """
                \(path): \(matrix.description) is a matrix of an .h5ad file; this file has one matrix (drop \
                \(parameter: matrix == .raw ? "useRaw" : "layer"))
                """)
        }
        if isH5AD {
            let contents = try H5AD.read(path, matrix: matrix)
            return (contents.matrix, contents.obs)
        }
        if isH5 { return (try TenXH5.read(path), nil) }
        if isTenX { return (try TenXMatrix.read(path), nil) }
        return (try ExpressionCSV.read(path, genesInRows: genesInRows), nil)
    }
}

import Foundation
import VAExprs

/// Targets for the text readers.
enum DelimitedTargets {
    /// The input as a CSV (TSV when its first byte is odd; gzip when it starts with gzip's magic),
    /// read as an expression matrix (both layouts), a label table and a points table.
    static func csv(_ bytes: [UInt8]) {
        let gzip = bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
        let name = gzip ? "input.csv.gz" : (bytes.first.map { $0 & 1 == 1 } ?? false) ? "input.tsv" : "input.csv"
        let path = FuzzTargets.file(name, bytes)
        _ = try? ExpressionCSV.read(path)
        _ = try? ExpressionCSV.read(path, genesInRows: true)
        _ = try? LabelTable.read(path)
        _ = try? PointsCSV.read(path)
        FuzzTargets.remove(name)
    }

    /// The input split at NUL bytes into matrix.mtx, features.tsv and barcodes.tsv of a 10x folder.
    static func tenXFolder(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        let folder = FuzzTargets.scratch + "/tenx"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, name) in ["matrix.mtx", "features.tsv", "barcodes.tsv"].enumerated() {
            let path = folder + "/" + name
            if index < parts.count {
                _ = FileManager.default.createFile(atPath: path, contents: Data(parts[index]))
            } else {
                unlink(path)
            }
        }
        _ = try? TenXMatrix.read(folder)
    }
}

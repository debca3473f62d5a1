import Foundation
import VAExprsCore

/// Streams counts to a 10x Matrix Market folder (`matrix.mtx.gz`, genes × cells, 1-based
/// `integer general` coordinates; `features.tsv.gz` with id, name and "Gene Expression";
/// `barcodes.tsv.gz`). The entry count heads the `.mtx` but is known only at the end, so the
/// entries go to a temporary file first and are copied behind the header by `finish()`.
/// A new folder is assembled beside the destination and renamed into place; an existing one
/// (empty, or an earlier output: `FolderOutput.check`) gets its three files written as
/// temporaries inside it and renamed over their namesakes, and nothing else in it is touched.
final class TenXFolderCellWriter: CellWriter {
    private let destination: String
    /// Where the files are assembled: a new temporary folder, or the destination itself.
    private let folder: String
    private let intoExisting: Bool
    private let layout: CellOutputLayout
    private let entriesPath: String
    private let entries: ByteSink
    private let barcodes: ByteSink
    /// The temporary of each output file (by its name in the folder) that this writer created.
    private var written: [String: String] = [:]
    private var stored = 0
    private var cells = 0

    init(_ path: String, layout: CellOutputLayout) throws {
        destination = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        self.layout = layout
        intoExisting = try FolderOutput.check(destination, writes: FolderOutput.tenXFiles) == .intoExisting
        if intoExisting {
            folder = destination
        } else {
            folder = temporaryPath(beside: destination)
            try TemporaryFiles.createFolder(folder, for: destination)
        }
        entriesPath = Self.temporary("entries", in: folder, intoExisting: intoExisting)
        let barcodesPath = Self.temporary("barcodes.tsv.gz", in: folder, intoExisting: intoExisting)
        do {
            entries = try ByteSink(entriesPath, gzip: false)
        } catch {
            if !intoExisting {
                _ = rmdir(folder)
                TemporaryFiles.untrack(folder)
            }
            throw error
        }
        do {
            barcodes = try ByteSink(barcodesPath, gzip: true)
        } catch {
            TemporaryFiles.remove(entriesPath)
            if !intoExisting {
                _ = rmdir(folder)
                TemporaryFiles.untrack(folder)
            }
            throw error
        }
        written["barcodes.tsv.gz"] = barcodesPath
    }

    /// Where the file `name` is written before it is renamed into place: its own name in a new
    /// temporary folder, a hidden temporary name in an existing folder.
    private static func temporary(_ name: String, in folder: String, intoExisting: Bool) -> String {
        intoExisting ? temporaryPath(beside: folder + "/" + name) : folder + "/" + name
    }

    func append(_ block: CellBlock) throws {
        for (r, id) in block.cellIDs.enumerated() {
            try barcodes.write(id + "\n")
            let column = cells + r + 1
            for j in 0..<block.values.columns {
                let v = block.values[r, j]
                if v != 0 {
                    try entries.write("\(j + 1) \(column) \(Int64(v))\n")
                    stored += 1
                }
            }
        }
        cells += block.cellIDs.count
    }

    func finish() throws -> [StagedFile] {
        do {
            try entries.close()
            try barcodes.close()
            let featuresPath = Self.temporary("features.tsv.gz", in: folder, intoExisting: intoExisting)
            let features = try ByteSink(featuresPath, gzip: true)
            written["features.tsv.gz"] = featuresPath
            for gene in layout.geneNames { try features.write("\(gene)\t\(gene)\tGene Expression\n") }
            try features.close()
            let matrixPath = Self.temporary("matrix.mtx.gz", in: folder, intoExisting: intoExisting)
            let matrix = try ByteSink(matrixPath, gzip: true)
            written["matrix.mtx.gz"] = matrixPath
            try matrix.write(
                """
                %%MatrixMarket matrix coordinate integer general\n%metadata_json: {\"software_version\": \
                \"vaexprs\"}\n
                """
            )
            try matrix.write("\(layout.geneNames.count) \(cells) \(stored)\n")
            guard let input = fopen(entriesPath, "rb") else {
                throw VAExprsError(.cannotWrite, "\(entriesPath): cannot be read back")
            }
            defer { fclose(input) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                if n == 0 { break }
                try matrix.write(chunk[0..<n])
            }
            try matrix.close()
            TemporaryFiles.remove(entriesPath)
            guard intoExisting else { return [StagedFile(temporary: folder, destination: destination)] }
            return written.sorted { $0.key < $1.key }.map {
                StagedFile(temporary: $0.value, destination: folder + "/" + $0.key)
            }
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        // Only the files this writer created (unlinked, so never a folder), then its own new
        // folder if it made one (rmdir: only once empty); an existing folder's other files stay.
        for path in [entriesPath] + written.values { TemporaryFiles.remove(path) }
        if !intoExisting {
            _ = rmdir(folder)
            TemporaryFiles.untrack(folder)
        }
    }
}

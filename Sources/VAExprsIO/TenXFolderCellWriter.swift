import Foundation
import VAExprsCore

/// Streams counts to a 10x Matrix Market folder (`matrix.mtx.gz`, genes × cells, 1-based
/// `integer general` coordinates; `features.tsv.gz` with id, name and "Gene Expression";
/// `barcodes.tsv.gz`). The entry count heads the `.mtx` but is known only at the end, so the
/// entries go to a temporary file first and are copied behind the header by `finish()`.
/// The folder is assembled beside the destination and renamed into place.
final class TenXFolderCellWriter: CellWriter {
    private let destination: String
    private let folder: String
    private let layout: CellOutputLayout
    private let entries: ByteSink
    private let barcodes: ByteSink
    private var stored = 0
    private var cells = 0

    init(_ path: String, layout: CellOutputLayout) throws {
        destination = path.hasSuffix("/") ? String(path.dropLast()) : path
        folder = temporaryPath(beside: destination)
        self.layout = layout
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw VAExprsError(.cannotWrite, "\(destination): cannot create a folder beside it (\(error.localizedDescription))")
        }
        // Its files are tracked after the folder, so an interruption removes them first.
        for file in ["entries.tmp", "barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz"] { TemporaryFiles.track(folder + "/" + file) }
        entries = try ByteSink(folder + "/entries.tmp", gzip: false)
        barcodes = try ByteSink(folder + "/barcodes.tsv.gz", gzip: true)
    }

    func append(_ block: CellBlock) throws {
        for (r, id) in block.cellIDs.enumerated() {
            try barcodes.write(id + "\n")
            let column = cells + r + 1
            for j in 0..<block.values.columns {
                let v = block.values[r, j]
                if v != 0 {
                    try entries.write("\(j + 1) \(column) \(Int(v))\n")
                    stored += 1
                }
            }
        }
        cells += block.cellIDs.count
    }

    func finish() throws -> StagedFile {
        do {
            try entries.close()
            try barcodes.close()
            let features = try ByteSink(folder + "/features.tsv.gz", gzip: true)
            for gene in layout.geneNames { try features.write("\(gene)\t\(gene)\tGene Expression\n") }
            try features.close()
            let matrix = try ByteSink(folder + "/matrix.mtx.gz", gzip: true)
            try matrix.write("%%MatrixMarket matrix coordinate integer general\n%metadata_json: {\"software_version\": \"vaexprs\"}\n")
            try matrix.write("\(layout.geneNames.count) \(cells) \(stored)\n")
            guard let input = fopen(folder + "/entries.tmp", "rb") else {
                throw VAExprsError(.cannotWrite, "\(folder)/entries.tmp: cannot be read back")
            }
            defer { fclose(input) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                if n == 0 { break }
                try matrix.write(chunk[0..<n])
            }
            try matrix.close()
            try FileManager.default.removeItem(atPath: folder + "/entries.tmp")
            return StagedFile(temporary: folder, destination: destination)
        } catch {
            discard()
            throw error
        }
    }

    func discard() {
        try? FileManager.default.removeItem(atPath: folder)
        TemporaryFiles.untrack(folder)
    }
}

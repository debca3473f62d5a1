import Foundation
import Testing
import VAExprsCore
import VAExprsTestSupport

@testable import VAExprsIO

/// Counts with labels and latent points, written in two blocks.
private func sampleBlocks() -> (genes: [String], blocks: [CellBlock], dense: Matrix) {
    var rng = SeededGenerator(seed: 5)
    let genes = (1...7).map { "ENSG0000\($0)" }
    var dense = Matrix(rows: 9, columns: 7)
    for i in 0..<9 { for j in 0..<7 where rng.nextUniform() < 0.4 { dense[i, j] = Float(1 + rng.next() % 40) } }
    let labels = (0..<9).map { [$0 % 2 == 0 ? "T cell" : "B cell", "batch\($0 % 3)"] }
    var latent = Matrix(rows: 9, columns: 2)
    for k in latent.storage.indices { latent.storage[k] = Float(rng.nextNormal()) }
    let blocks = [0..<4, 4..<9].map { rows in
        CellBlock(
            cellIDs: rows.map { "gen\($0 + 1)" }, values: dense.gatherRows(rows), labels: rows.map { labels[$0] },
            latent: latent.gatherRows(rows))
    }
    return (genes, blocks, dense)
}

@Suite struct CellWriterTests {
    let dir = TestPaths.scratch("cellwriters")

    @Test(arguments: [("out.h5ad", CellOutputFormat.h5ad), ("out.h5", .tenXH5), ("outmtx", .mtx), ("out.csv.gz", .csv)])
    func countsRoundTripThroughOurReader(name: String, format: CellOutputFormat) throws {
        let (genes, blocks, dense) = sampleBlocks()
        let path = dir + "/" + name
        #expect(try CellOutputFormat.of(path: path, option: nil) == format)
        let layout = CellOutputLayout(
            geneNames: genes, integerCounts: true, labelColumns: ["label", "batch"],
            labelCategories: [["B cell", "T cell"], ["batch0", "batch1", "batch2"]],
            settings: [("likelihood", "zinb")])
        let writer = try CellWriters.open(path, format: format, layout: layout)
        for block in blocks { try writer.append(block) }
        try writer.commit()
        let read = try ExpressionReader.readWithAnnotations(path)
        #expect(read.matrix.cellIDs == (1...9).map { "gen\($0)" })
        #expect(read.matrix.geneNames == genes)
        #expect(read.matrix.dense() == dense)
        #expect(read.matrix.cells.isSparse == (format != .csv))
        if format == .h5ad {
            #expect(read.obs?["label"] == (0..<9).map { $0 % 2 == 0 ? "T cell" : "B cell" })
            #expect(read.obs?["batch"] == (0..<9).map { "batch\($0 % 3)" })
            let file = try HDF5File(path)
            #expect(try file.shape("/obsm/X_vaexprs") == [9, 2])
            #expect(try file.stringAttribute("/X", "encoding-type") == ["csr_matrix"])
            #expect(try file.strings("/uns/vaexprs/likelihood") == ["zinb"])
        }
        // No temporary file is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test func continuousValuesGoDenseAndCountFormatsRefuseThem() throws {
        let layout = CellOutputLayout(geneNames: ["a", "b"], integerCounts: false)
        let path = dir + "/continuous.h5ad"
        let writer = try CellWriters.open(path, format: .h5ad, layout: layout)
        try writer.append(
            CellBlock(cellIDs: ["x", "y"], values: Matrix(rows: 2, columns: 2, storage: [0.5, -1, 2.25, 0])))
        try writer.commit()
        let read = try ExpressionReader.read(path)
        #expect(!read.cells.isSparse && read.dense().storage == [0.5, -1, 2.25, 0])
        for format in [CellOutputFormat.tenXH5, .mtx] {
            #expect(throws: VAExprsError.self) {
                _ = try CellWriters.open(dir + "/c.h5", format: format, layout: layout)
            }
        }
    }

    @Test func denseFloatsCompressedOnAllCoresReadBackExactly() throws {
        // 300 genes: chunks of 873 rows (2¹⁸ values). Blocks of uneven sizes cross chunk
        // boundaries, several chunks arrive at once, and the last chunk is partial.
        let genes = (0..<300).map { "g\($0)" }
        let layout = CellOutputLayout(geneNames: genes, integerCounts: false)
        let path = dir + "/dense_chunks.h5ad"
        let writer = try CellWriters.open(path, format: .h5ad, layout: layout)
        var rng = SeededGenerator(seed: 9)
        var all: [Float] = []
        var ids: [String] = []
        for size in [37, 900, 1_063, 2_000, 1] {
            var values = Matrix(rows: size, columns: 300)
            for i in values.storage.indices where rng.nextUniform() < 0.5 {
                values.storage[i] = Float(rng.nextNormal())
            }
            let blockIDs = (0..<size).map { "c\(ids.count + $0)" }
            try writer.append(CellBlock(cellIDs: blockIDs, values: values))
            all += values.storage
            ids += blockIDs
        }
        try writer.commit()
        let read = try ExpressionReader.read(path)
        #expect(read.cellIDs == ids && read.dense().rows == 4_001)
        #expect(read.dense().storage == all)
    }

    @Test func anUnfinishedWriteLeavesTheOldFileAlone() throws {
        let path = TestPaths.write("precious", "kept.h5ad", in: dir)
        let writer = try CellWriters.open(
            path, format: .h5ad, layout: CellOutputLayout(geneNames: ["a"], integerCounts: true))
        try writer.append(CellBlock(cellIDs: ["x"], values: Matrix(rows: 1, columns: 1, storage: [3])))
        writer.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains("kept.h5ad.tmp-") })
    }
}

@Suite struct SparseInputTests {
    let dir = TestPaths.scratch("sparse-input")

    /// An .h5ad in the scratch folder whose X is the given arrays (`TestH5AD.write`).
    func h5ad(
        _ name: String, cells: Int, genes: Int, indptr: [Int64], indices: [Int32], data: [Float],
        shape: [Int64]? = nil, encoding: String = "csr_matrix"
    ) throws -> String {
        try TestH5AD.write(
            dir + "/" + name, cells: cells, genes: genes, indptr: indptr, indices: indices, data: data,
            shape: shape, encoding: encoding)
    }

    func expectBad(_ path: String, mentions: [String]) {
        do {
            _ = try ExpressionReader.read(path)
            Issue.record("expected an error for \(path)")
        } catch let e as VAExprsError {
            #expect(e.code == .badData, "\(e)")
            for m in mentions { #expect(e.message.contains(m), "'\(e.message)' should mention '\(m)'") }
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func consistentCSRAndCSCReadTheSame() throws {
        // [[1 0 2], [0 0 3]] as CSR and as CSC (duplicates summed, unsorted columns sorted).
        let good = try ExpressionReader.read(
            try h5ad("good.h5ad", cells: 2, genes: 3, indptr: [0, 3, 4], indices: [2, 0, 2, 2], data: [1, 1, 1, 3]))
        #expect(good.dense().storage == [1, 0, 2, 0, 0, 3])
        let csc = try ExpressionReader.read(
            try h5ad(
                "csc.h5ad", cells: 2, genes: 3, indptr: [0, 1, 1, 3], indices: [0, 0, 1], data: [1, 2, 3],
                encoding: "csc_matrix"))
        #expect(csc.dense() == good.dense() && csc.cells.isSparse)
    }

    @Test func damagedCSRIsNamed() throws {
        expectBad(
            try h5ad("decreasing.h5ad", cells: 2, genes: 3, indptr: [0, 2, 1], indices: [0, 1], data: [1, 1]),
            mentions: ["decreasing.h5ad", "indptr decreases"])
        expectBad(
            try h5ad("negative.h5ad", cells: 2, genes: 3, indptr: [-1, 1, 2], indices: [0, 1], data: [1, 1]),
            mentions: ["indptr starts at -1"])
        expectBad(
            try h5ad("notzero.h5ad", cells: 2, genes: 3, indptr: [1, 1, 2], indices: [0, 1], data: [1, 1]),
            mentions: ["indptr starts at 1"])
        expectBad(
            try h5ad("range.h5ad", cells: 2, genes: 3, indptr: [0, 1, 2], indices: [0, 7], data: [1, 1]),
            mentions: ["column index 7", "outside 0…2"])
        expectBad(
            try h5ad("shape.h5ad", cells: 2, genes: 3, indptr: [0, 1, 2, 2], indices: [0, 1], data: [1, 1]),
            mentions: ["4 offsets", "needs 3"])
        expectBad(
            try h5ad("attr.h5ad", cells: 2, genes: 3, indptr: [0, 1, 2], indices: [0, 1], data: [1, 1], shape: [5, 3]),
            mentions: ["shape [5, 3]"])
        expectBad(
            try h5ad("short.h5ad", cells: 2, genes: 3, indptr: [0, 1, 3], indices: [0, 1], data: [1, 1]),
            mentions: ["ends at 3"])
        // Issue 14: a float64 value beyond float32 is named as such, not left to diverge a fit.
        expectBad(
            try TestH5AD.write(
                dir + "/huge.h5ad", cells: 2, genes: 3, indptr: [0, 1, 2], indices: [0, 1], data: [],
                float64Data: [1, 1e39]),
            mentions: ["/X/data", "element 1 is 1e+39", "32-bit floats"])
    }

    @Test func a64BitIndptrIsRead() throws {
        // indptr stored as int64 (as anndata writes beyond 2³¹ entries); offsets are Int here.
        let m = try ExpressionReader.read(
            try h5ad("wide.h5ad", cells: 1, genes: 2, indptr: [0, 2], indices: [0, 1], data: [4, 5]))
        #expect(m.dense().storage == [4, 5])
        let big = try SparseMatrix(
            validatingRows: 1, columns: 1, rowStarts: [0, 0], columnIndices: [], values: [], describe: "x")
        #expect(MemoryLayout.size(ofValue: big.rowStarts[0]) == 8)
    }

    @Test func tenXH5WithoutMatrixGroupAndTruncatedFilesAreNamed() throws {
        let path = dir + "/nomatrix.h5"
        let file = try HDF5Writer(creating: path)
        try file.createGroup("/GRCh38")
        try file.close()
        expectBad(path, mentions: ["no /matrix group", "Cell Ranger"])

        let good = try h5ad("whole.h5ad", cells: 3, genes: 4, indptr: [0, 1, 2, 3], indices: [0, 1, 2], data: [1, 2, 3])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = dir + "/truncated.h5ad"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        expectBad(truncated, mentions: ["truncated"])
    }
}

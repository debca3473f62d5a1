import Foundation
import Testing
import VAExprsCore
import VAExprsIO
import VAExprsTestSupport

@Suite struct ExpressionCSVTests {
    let dir = TestPaths.scratch("io")

    func expectBadData(_ text: String, file: String = "m.csv", mentions: [String], genesInRows: Bool = false) {
        let path = TestPaths.write(text, file, in: dir)
        do {
            _ = try ExpressionCSV.read(path, genesInRows: genesInRows)
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let e as VAExprsError {
            #expect(e.code == .badData, "\(e)")
            for m in mentions { #expect(e.message.contains(m), "'\(e.message)' should mention '\(m)'") }
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func readsTheSharedLayout() throws {
        let m = try ExpressionCSV.read(TestPaths.dataset("seedsim", "counts.csv.gz"))
        #expect(m.dense().rows == 300 && m.dense().columns == 1000)
        #expect(m.cellIDs.first == "cell1" && m.geneNames.last == "gene1000")
        #expect(m.dense()[0, 0] == 2.1474)
        let pbmc = try ExpressionCSV.read(TestPaths.dataset("pbmc_small", "counts.csv.gz"))
        #expect(pbmc.dense().rows == 80 && pbmc.dense().columns == 230)
    }

    @Test func tsvTransposedQuotedAndCRLF() throws {
        let tsv = TestPaths.write("gene\tc1\tc2\r\ng1\t1\t2\r\ng2\t3\t4.5\r\n", "m.tsv", in: dir)
        let m = try ExpressionCSV.read(tsv, genesInRows: true)
        #expect(m.cellIDs == ["c1", "c2"] && m.geneNames == ["g1", "g2"])
        #expect(m.dense().storage == [1, 3, 2, 4.5])
        let quoted = TestPaths.write("\"\",\"g,1\",\"g2\"\n\"c1\",1,2\n", "q.csv", in: dir)
        let q = try ExpressionCSV.read(quoted)
        #expect(q.geneNames == ["g,1", "g2"] && q.cellIDs == ["c1"])
        // R's write.csv style: no name for the id column in the header.
        let r = try ExpressionCSV.read(TestPaths.write("g1,g2\nc1,1,2\n", "r.csv", in: dir))
        #expect(r.geneNames == ["g1", "g2"])
    }

    @Test func roundTripsThroughGzip() throws {
        let m = ExpressionMatrix(
            cellIDs: ["a", "b"], geneNames: ["x", "y", "z"],
            values: Matrix(rows: 2, columns: 3, storage: [0, 1.5, 3, 1e-7, 123456.78, 0.1]))
        let out = AtomicOutput()
        let path = dir + "/rt.csv.gz"
        try out.stage(ExpressionCSV.encode(m), at: path)
        try out.commit()
        #expect(try ExpressionCSV.read(path) == m)
        let raw = try Gzip.readAll(path)
        #expect(String(decoding: raw, as: UTF8.self).hasPrefix("cell,x,y,z\na,0,1.5,3\nb,1e-07,"))
    }

    @Test func writesTheTransposedAndTabLayoutsItReads() throws {
        let m = ExpressionMatrix(
            cellIDs: ["a", "b"], geneNames: ["x", "y", "z"],
            values: Matrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6.5]))
        let text = String(decoding: ExpressionCSV.encode(m, genesInRows: true, path: "g.tsv"), as: UTF8.self)
        #expect(text == "gene\ta\tb\nx\t1\t4\ny\t2\t5\nz\t3\t6.5\n")
        let path = TestPaths.write(text, "g.tsv", in: dir)
        #expect(try ExpressionCSV.read(path, genesInRows: true) == m)
    }

    @Test func badInputsNameTheProblem() {
        expectBadData("", mentions: ["empty"])
        expectBadData("cell,g1,g2\n", mentions: ["no cells"])
        expectBadData("cell\nc1\n", mentions: ["no genes"])
        expectBadData("cell,g1,g2\nc1,1,2\nc2,1\n", mentions: ["line 3", "c2", "fields"])
        expectBadData("cell,g1,g2\nc1,1,2\nc2,1,2,3\n", mentions: ["line 3", "more fields"])
        expectBadData("cell,g1,g2\nc1,1,abc\n", mentions: ["line 2", "g2", "'abc'"])
        expectBadData("cell,g1,g2\nc1,1,NaN\n", mentions: ["g2", "NaN"])
        expectBadData("cell,g1,g2\nc1,inf,1\n", mentions: ["g1", "inf"])
        expectBadData("cell,g1,g2\nc1,,1\n", mentions: ["g1", "empty"])
        expectBadData("cell,g1,g1\nc1,1,2\n", mentions: ["g1", "twice"])
        expectBadData("cell,g1,g2\nc1,1,2\nc1,3,4\n", mentions: ["c1", "twice"])
        expectBadData("cell,g1,g2\nc1,1e39,2\n", mentions: ["line 2", "g1", "32-bit floats"])
    }

    @Test func missingFileIsMissingInput() {
        do {
            _ = try ExpressionCSV.read(dir + "/nope.csv")
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.code == .missingInput && e.message.contains("nope.csv"))
        } catch { Issue.record("unexpected \(error)") }
    }

    /// A gzip file cut short anywhere, or with a wrong CRC-32 or length in its trailer, is an
    /// error naming the file, never a shorter matrix.
    @Test func truncatedOrMischeckedGzipIsAnError() throws {
        var text = "cell," + (1...20).map { "g\($0)" }.joined(separator: ",") + "\n"
        for i in 1...200 { text += "c\(i)," + (1...20).map { String(($0 * i) % 97) }.joined(separator: ",") + "\n" }
        let m = try ExpressionCSV.read(TestPaths.write(text, "whole.csv", in: dir))
        let out = AtomicOutput()
        let path = dir + "/whole.csv.gz"
        try out.stage(ExpressionCSV.encode(m), at: path)
        try out.commit()
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(try ExpressionCSV.read(path) == m)
        for cut in [bytes.count - 1, bytes.count - 4, bytes.count - 8, bytes.count / 2, 20] {
            let damaged = dir + "/cut\(cut).csv.gz"
            _ = FileManager.default.createFile(atPath: damaged, contents: bytes.prefix(cut))
            do {
                _ = try ExpressionCSV.read(damaged)
                Issue.record("a gzip file cut at \(cut) of \(bytes.count) bytes was read")
            } catch let e as VAExprsError {
                #expect(e.code == .badData && e.message.contains(damaged) && e.message.contains("gzip"), "\(e.message)")
            }
        }
        for (offset, name) in [(bytes.count - 8, "CRC-32"), (bytes.count - 4, "length")] {
            var flipped = bytes
            flipped[offset] ^= 0x01
            let damaged = dir + "/flipped-\(name).csv.gz"
            _ = FileManager.default.createFile(atPath: damaged, contents: flipped)
            #expect(throws: VAExprsError.self, "a wrong \(name) in the trailer was accepted") {
                try ExpressionCSV.read(damaged)
            }
        }
    }

    @Test func corruptGzipIsBadData() {
        var bytes: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        bytes += [UInt8](repeating: 0xAB, count: 64)
        let path = dir + "/bad.csv.gz"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: VAExprsError.self) { try ExpressionCSV.read(path) }
    }
}

@Suite struct LabelTableTests {
    let dir = TestPaths.scratch("labels")

    @Test func matchesByIdNotOrder() throws {
        let path = TestPaths.write("cell,label,batch\nc2,B,x\nc1,A,y\n", "l.csv", in: dir)
        let t = try LabelTable.read(path)
        #expect(try t.values(columns: ["label"], for: ["c1", "c2"]) == [["A"], ["B"]])
        #expect(try t.values(columns: ["label", "batch"], for: ["c1", "c2"]) == [["A", "y"], ["B", "x"]])
    }

    @Test func mismatchesAreErrors() throws {
        let t = try LabelTable.read(TestPaths.write("cell,label\nc1,A\nc9,B\n", "l.csv", in: dir))
        #expect(throws: VAExprsError.self) { try t.values(columns: ["label"], for: ["c1", "c2"]) }  // c2 unlabelled
        #expect(throws: VAExprsError.self) { try t.values(columns: ["label"], for: ["c1"]) }  // c9 unknown
        #expect(throws: VAExprsError.self) { try t.values(columns: ["cluster"], for: ["c1", "c9"]) }  // no column
        #expect(throws: VAExprsError.self) {
            try LabelTable.read(TestPaths.write("cell,label\nc1,A\nc1,B\n", "d.csv", in: dir))
        }
    }
}

@Suite struct TenXMatrixTests {
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func tenXFoldersMatchTheirCSVs()
        throws
    {
        for name in ["pbmc_small", "seedsim"] {
            let folder = TestPaths.sharedData + "/" + name
            #expect(TenXMatrix.isTenXFolder(folder))
            let tenX = try ExpressionReader.read(folder)
            let csv = try ExpressionCSV.read(TestPaths.dataset(name, "counts.csv.gz"))
            #expect(tenX.cells.isSparse, "10x counts stay sparse")
            #expect(
                tenX.cellIDs == csv.cellIDs && tenX.geneNames == csv.geneNames && tenX.dense() == csv.dense(), "\(name)"
            )
        }
    }

    @Test func damagedFoldersAreClearErrors() throws {
        let dir = TestPaths.scratch("tenx")
        TestPaths.write("g1\tG1\tGene Expression\ng2\tG2\tGene Expression\n", "features.tsv", in: dir)
        TestPaths.write("c1\nc2\n", "barcodes.tsv", in: dir)
        func message(_ mtx: String) -> String {
            TestPaths.write(mtx, "matrix.mtx", in: dir)
            do {
                _ = try ExpressionReader.read(dir)
                return "accepted"
            } catch let e as VAExprsError { return e.message } catch { return "\(error)" }
        }
        #expect(message("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 2 5\n") == "accepted")
        #expect(try ExpressionReader.read(dir).dense().storage == [0, 0, 5, 0])
        #expect(message("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 5\n").contains("truncated"))
        #expect(
            message("%%MatrixMarket matrix coordinate integer general\n3 2 1\n1 2 5\n").contains(
                "features file lists 2 genes"))
        #expect(message("%%MatrixMarket matrix coordinate integer general\n2 2 1\n3 1 5\n").contains("outside"))
        #expect(message("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n").contains("coordinate"))
        // Issue 14: an index far beyond Int, a value beyond float32, and repeated entries (summed).
        #expect(
            message("%%MatrixMarket matrix coordinate integer general\n2 2 1\n100000000000000000000 1 5\n").contains(
                "not a whole number or is outside"))
        #expect(
            message("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1e39\n").contains(
                "beyond the range of 32-bit floats"))
        #expect(message("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 5\n1 2 3\n") == "accepted")
        #expect(try ExpressionReader.read(dir).dense().storage == [0, 0, 8, 0])
        try FileManager.default.removeItem(atPath: dir + "/barcodes.tsv")
        #expect(message("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 2 5\n").contains("barcodes"))
    }
}

@Suite struct H5ADTests {
    /// Every shared dataset's .h5ad (float32 and float64 CSR) equals its CSV, and obs['label']
    /// equals labels.csv.
    @Test(
        .enabled(if: TestPaths.hasSharedData, "../shared/data is not present"),
        arguments: ["pbmc_small", "seedsim", "golub", "guo"])
    func h5adMatchesTheCSV(name: String) throws {
        let contents = try H5AD.read(TestPaths.dataset(name, "data.h5ad"))
        let csv = try ExpressionCSV.read(TestPaths.dataset(name, "counts.csv.gz"))
        #expect(contents.matrix.cellIDs == csv.cellIDs && contents.matrix.geneNames == csv.geneNames)
        let maxDiff = zip(contents.matrix.dense().storage, csv.dense().storage).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff == 0, "\(name): max difference \(maxDiff)")
        let labels = try LabelTable.read(TestPaths.dataset(name, "labels.csv")).values(
            columns: ["label"], for: csv.cellIDs
        ).map { $0[0] }
        #expect(contents.obs["label"] == labels)
    }

    @Test func notAnHDF5FileIsAClearError() {
        let dir = TestPaths.scratch("h5ad")
        let path = TestPaths.write("cell,g\nc,1\n", "fake.h5ad", in: dir)
        do {
            _ = try ExpressionReader.read(path)
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.code == .badData && e.message.contains("not an HDF5 file"))
        } catch { Issue.record("\(error)") }
        #expect(throws: VAExprsError.self) { try ExpressionReader.read(dir + "/missing.h5ad") }
    }
}

import Foundation
import Testing
import VAExprsTestSupport

/// Log-normalised input from the command line (issue 31): fit says what it recovered, generate
/// gives the input's scale back, or counts with --as-counts.
@Suite struct LogInputCLITests {
    let dir = TestPaths.scratch("loginput")

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func logNormalisedPBMCIsFittedAsCountsAndComesBackLogNormalised() throws {
        // pbmc_small log-normalised as Seurat does: log1p(counts / library × 10 000), 7 digits.
        let counts = try CSVTable.read(TestPaths.dataset("pbmc_small", "counts.csv.gz"))
        var text = "cell," + counts.genes.joined(separator: ",") + "\n"
        for (cell, row) in zip(counts.cells, counts.rows) {
            let library = row.reduce(0, +)
            text +=
                cell + "," + row.map { String(format: "%.7g", log1p($0 / library * 1e4)) }.joined(separator: ",") + "\n"
        }
        let input = dir + "/lognorm.csv"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", input, "--labels", TestPaths.dataset("pbmc_small", "labels.csv"), "--epochs", "5",
            "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("log-normalised counts, log1p(count × s)") && fit.stderr.contains("--as-counts"))
        #expect(fit.stderr.contains("likelihood zinb"))
        let logged = try CLIRunner.run(["generate", model, "--num-samples", "20", "--output", dir + "/g.csv"])
        #expect(logged.status == 0, "\(logged.stderr)")
        let values = try CSVTable.read(dir + "/g.csv")
        #expect(
            values.rows.allSatisfy { row in
                abs(row.reduce(0) { $0 + expm1($1) } - 1e4) < 1 || row.allSatisfy { $0 == 0 }
            })
        let asCounts = try CLIRunner.run([
            "generate", model, "--num-samples", "20", "--as-counts", "--output", dir + "/c.csv"
        ])
        #expect(asCounts.status == 0, "\(asCounts.stderr)")
        #expect(try CSVTable.read(dir + "/c.csv").rows.allSatisfy { $0.allSatisfy { $0 == $0.rounded() } })
        // Continuous values that are not log-normalised counts: said, and modelled as they are.
        let seedsim = try CLIRunner.run([
            "fit", "--counts", TestPaths.dataset("seedsim", "counts.csv.gz"), "--epochs", "1", "--output",
            dir + "/s.vaexprs"
        ])
        #expect(seedsim.status == 0 && seedsim.stderr.contains("are not log-normalised counts"), "\(seedsim.stderr)")
    }
}

/// A small CSV reader for the tests' own files (gzipped or not): genes, cell ids and rows.
struct CSVTable {
    var genes: [String]
    var cells: [String]
    var rows: [[Double]]

    static func read(_ path: String) throws -> CSVTable {
        let text: String
        if path.hasSuffix(".gz") {
            let gunzip = Process(), pipe = Pipe()
            gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            gunzip.arguments = ["gzip", "-dc", path]
            gunzip.standardOutput = pipe
            try gunzip.run()
            text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            gunzip.waitUntilExit()
        } else {
            text = try String(contentsOfFile: path, encoding: .utf8)
        }
        let lines = text.split(separator: "\n")
        let genes = lines[0].split(separator: ",").dropFirst().map(String.init)
        var cells: [String] = [], rows: [[Double]] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            cells.append(String(fields[0]))
            rows.append(fields.dropFirst().map { Double($0) ?? .nan })
        }
        return CSVTable(genes: genes, cells: cells, rows: rows)
    }
}

import Foundation
import Testing
import VAExprsTestSupport

/// `reduce`, `plot aug` and `evaluate` on more cells than `--max-cells`: a seeded subsample, said.
@Suite(.serialized) struct SubsampleCLITests {
    let dir = TestPaths.scratch("subsample-cli")
    let h5ad = TestPaths.dataset("pbmc_small", "data.h5ad")
    let csv = TestPaths.dataset("pbmc_small", "counts.csv.gz")

    private func embeddedCells(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map {
            String($0.split(separator: ",")[0])
        }
    }

    @Test func reduceEmbedsASeededSubsampleAndSaysSo() throws {
        var cells: [[String]] = []
        for (n, input) in [h5ad, h5ad, csv].enumerated() {
            let out = dir + "/pca\(n).csv"
            let run = try CLIRunner.run([
                "reduce", "--method", "pca", "--input", input, "--max-cells", "30", "--seed", "2", "--output", out
            ])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("80 cells; using a random subsample of 30 (--max-cells"), "\(run.stderr)")
            cells.append(try embeddedCells(out))
        }
        #expect(cells[0].count == 30 && Set(cells[0]).count == 30)
        #expect(cells[0] == cells[1] && cells[0] == cells[2], "the same seed picks the same cells from .h5ad and CSV")
        let all = try CLIRunner.run(["reduce", "--method", "pca", "--input", h5ad, "--output", dir + "/all.csv"])
        #expect(all.status == 0 && !all.stderr.contains("subsample"), "\(all.stderr)")
        #expect(try embeddedCells(dir + "/all.csv").count == 80)
        let bad = try CLIRunner.run([
            "reduce", "--method", "pca", "--input", h5ad, "--max-cells", "0", "--output", dir + "/bad.csv"
        ])
        #expect(bad.status != 0 && bad.stderr.contains("--max-cells must be at least 1"), "\(bad.stderr)")
    }

    @Test func plotAugAndEvaluateTakeLabelsFromObsAndSubsampleBothFiles() throws {
        let embedding = dir + "/aug.csv"
        let plot = try CLIRunner.run([
            "plot", "aug", "--real", h5ad, "--generated", h5ad, "--label-column", "label", "--color-by", "label",
            "--max-cells", "40", "--output", dir + "/aug.svg", "--embedding-output", embedding
        ])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stderr.components(separatedBy: "using a random subsample of 40").count == 3, "\(plot.stderr)")
        #expect(try embeddedCells(embedding).count == 80)
        let unlabelled = try CLIRunner.run([
            "plot", "aug", "--real", h5ad, "--generated", h5ad, "--max-cells", "40", "--output", dir + "/plain.svg"
        ])
        #expect(unlabelled.status == 0, "\(unlabelled.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: dir + "/aug.svg"))
                != Data(contentsOf: URL(fileURLWithPath: dir + "/plain.svg")),
            "obs labels change the figure")

        let evaluate = try CLIRunner.run([
            "evaluate", "--real", h5ad, "--generated", csv, "--max-cells", "60", "--output", dir + "/e.json"
        ])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stdout.contains("60 generated vs 60 real cells"), "\(evaluate.stdout)")
        let missing = try CLIRunner.run(["evaluate", "--real", h5ad, "--generated", csv, "--label-column", "celltype"])
        #expect(missing.status != 0 && missing.stderr.contains("has no obs column 'celltype'"), "\(missing.stderr)")
        let oneSided = try CLIRunner.run(["evaluate", "--real", h5ad, "--generated", csv, "--label-column", "label"])
        #expect(
            oneSided.status != 0 && oneSided.stderr.contains("labels for the real cells but not for the generated"),
            "\(oneSided.stderr)")
    }
}

import Foundation
import Testing
import VAExprsTestSupport

/// Issue 15: the traps a new user falls into are caught and explained — a matrix read the
/// wrong way round, an `.h5ad` whose obs holds the labels, a missing required option — and
/// `--version` says what this build speaks.
@Suite(.serialized) struct FirstUseCLITests {
    let dir = TestPaths.scratch("first-use")

    /// 30 cells × 3 genes, cells in rows, and the same matrix with genes in rows.
    func matrices() -> (cellsInRows: String, genesInRows: String, labels: String) {
        var rows = "cell,g1,g2,g3\n", labels = "cell,label\n"
        var transposed = ["gene" + (1...30).map { ",c\($0)" }.joined()]
        var columns: [[String]] = [[], [], []]
        for i in 1...30 {
            let values = [i % 5, i % 3, i % 7].map(String.init)
            rows += "c\(i)," + values.joined(separator: ",") + "\n"
            labels += "c\(i),\(i % 2 == 0 ? "A" : "B")\n"
            for g in 0..<3 { columns[g].append(values[g]) }
        }
        for g in 0..<3 { transposed.append("g\(g + 1)," + columns[g].joined(separator: ",")) }
        return (
            TestPaths.write(rows, "cells.csv", in: dir),
            TestPaths.write(transposed.joined(separator: "\n") + "\n", "genes.csv", in: dir),
            TestPaths.write(labels, "labels.csv", in: dir)
        )
    }

    @Test func matrixReadTheWrongWayRoundSuggestsTheFlag() throws {
        let m = matrices()
        let model = dir + "/m.vaexprs"
        let missingFlag = try CLIRunner.run([
            "fit", "--counts", m.genesInRows, "--labels", m.labels, "--epochs", "1", "--output", model
        ])
        #expect(missingFlag.status == 64, "\(missingFlag.stderr)")
        #expect(
            missingFlag.stderr.contains("did you mean --genes-in-rows?") && missingFlag.stderr.contains("'c1'"),
            "\(missingFlag.stderr)")
        let extraFlag = try CLIRunner.run([
            "fit", "--counts", m.cellsInRows, "--genes-in-rows", "--labels", m.labels, "--epochs", "1", "--output",
            model
        ])
        #expect(extraFlag.status == 64 && extraFlag.stderr.contains("drop --genes-in-rows"), "\(extraFlag.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        let right = try CLIRunner.run([
            "fit", "--counts", m.genesInRows, "--genes-in-rows", "--labels", m.labels, "--epochs", "1",
            "--encoder", "dense:4:relu", "--decoder", "dense:4:relu", "--output", model
        ])
        #expect(
            right.status == 0 && right.stdout.contains("CVAE, 30 training cells × 3 genes"),
            "\(right.stdout) \(right.stderr)")
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "needs ../shared/data"))
    func h5adObsLabelsAreTheConditionByDefault() throws {
        let h5ad = TestPaths.dataset("pbmc_small", "data.h5ad")
        let base = ["--epochs", "2", "--encoder", "dense:8:relu", "--decoder", "dense:8:relu"]
        let byDefault = try CLIRunner.run(["fit", "--counts", h5ad, "--output", dir + "/obs.vaexprs"] + base)
        #expect(byDefault.status == 0 && byDefault.stdout.contains("CVAE"), "\(byDefault.stdout) \(byDefault.stderr)")
        #expect(
            byDefault.stderr.contains("obs column 'label' is the condition")
                && byDefault.stderr.contains("--no-labels"), "\(byDefault.stderr)")
        let plain = try CLIRunner.run(
            ["fit", "--counts", h5ad, "--no-labels", "--output", dir + "/plain.vaexprs"] + base)
        #expect(
            plain.status == 0 && plain.stdout.contains(": VAE,") && !plain.stderr.contains("is the condition"),
            "\(plain.stdout) \(plain.stderr)")
        let refused = try CLIRunner.run(
            ["fit", "--counts", h5ad, "--no-labels", "--label-column", "groups", "--output", dir + "/x.vaexprs"] + base)
        #expect(refused.status == 64 && refused.stderr.contains("--no-labels"), "\(refused.stderr)")
        // --labels data.h5ad reads its obs (here for a CSV of the same cells).
        let fromObs = try CLIRunner.run(
            [
                "fit", "--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--labels", h5ad,
                "--label-column", "groups", "--output", dir + "/csv.vaexprs"
            ] + base)
        #expect(fromObs.status == 0 && fromObs.stdout.contains("CVAE"), "\(fromObs.stdout) \(fromObs.stderr)")
        let inspect = try CLIRunner.run(["inspect", dir + "/csv.vaexprs"])
        #expect(
            inspect.stdout.contains("\"g1\"") && inspect.stdout.contains("\"g2\""),
            "the obs column 'groups' (g1, g2) should be the condition")
    }

    @Test func missingRequiredOptionsShowAnExampleAndVersionSaysWhatItSpeaks() throws {
        let fit = try CLIRunner.run(["fit", "--counts", "x.csv", "--output", dir + "/m.vaexprs"])
        #expect(fit.status == 64)
        #expect(
            fit.stderr.contains("Missing expected argument '--epochs")
                && fit.stderr.contains("For example: vaexprs fit --counts"), "\(fit.stderr)")
        let aug = try CLIRunner.run(["plot", "aug", "--real", "a.csv"])
        #expect(aug.status == 64 && aug.stderr.contains("For example: vaexprs plot aug --real"), "\(aug.stderr)")
        let version = try CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(
            version.stdout.range(
                of: #"^vaexprs \d+\.\d+\.\d+ \(model file format \d+; plugin ABI \d+–\d+\)"#,
                options: .regularExpression) != nil,
            "\(version.stdout)")
    }
}

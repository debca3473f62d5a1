import Foundation
import Testing
import VAExprsTestSupport

/// `vaexprs evaluate` and `generate --evaluate` from the command line.
@Suite(.serialized) struct EvaluateCLITests {
    let dir = TestPaths.scratch("evaluate")

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func reportsAsJSONHTMLAndTerminal()
        throws
    {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz"),
            labels = TestPaths.dataset("pbmc_small", "labels.csv")
        // pbmc_small against itself (renamed cells): indistinguishable by construction.
        let copy = dir + "/copy.csv", copyLabels = dir + "/copy_labels.csv"
        let gunzip = Process(), pipe = Pipe()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gunzip.arguments = ["gzip", "-dc", counts]
        gunzip.standardOutput = pipe
        try gunzip.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        gunzip.waitUntilExit()
        let lines = text.split(separator: "\n")
        try ([String(lines[0])] + lines.dropFirst().map { "copy_" + $0 }).joined(separator: "\n").write(
            toFile: copy, atomically: true, encoding: .utf8)
        let labelLines = try String(contentsOfFile: labels, encoding: .utf8).split(separator: "\n")
        try ([String(labelLines[0])] + labelLines.dropFirst().map { "copy_" + $0 }).joined(separator: "\n").write(
            toFile: copyLabels, atomically: true, encoding: .utf8)
        let json = dir + "/r.json"
        let r = try CLIRunner.run([
            "evaluate", "--real", counts, "--generated", copy, "--labels", labels, "--generated-labels", copyLabels,
            "--output", json, "--design-output", dir + "/design.csv"
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("random forest") && r.stdout.contains("MMD²"))
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        for key in [
            "rf_auc", "lr_auc", "rf_auc_floor", "lr_auc_floor", "mmd2", "mmd2_p_value", "mmd2_floor", "gene_mean_r",
            "gene_var_r",
            "zero_fraction_r", "label_accuracy", "per_label_rf_auc"
        ] {
            #expect(report[key] != nil, "missing \(key)")
        }
        #expect(abs((report["gene_mean_r"] as! Double) - 1) < 1e-9)
        let design = try String(contentsOfFile: dir + "/design.csv", encoding: .utf8).split(separator: "\n")
        #expect(design[0].hasPrefix("cell,set,fold,PC1") && design.count > 40)
        let html = dir + "/r.html"
        let h = try CLIRunner.run(["evaluate", "--real", counts, "--generated", copy, "--output", html])
        #expect(h.status == 0, "\(h.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(
            page.contains("<!DOCTYPE html>") && page.components(separatedBy: "<svg").count - 1 == 3
                && page.contains("random-forest AUC"))
        // Bad input: one side's labels only, a report format it does not write, genes that differ.
        let one = try CLIRunner.run(["evaluate", "--real", counts, "--generated", copy, "--labels", labels])
        #expect(one.status == 64 && one.stderr.contains("--generated-labels"))
        let format = try CLIRunner.run(["evaluate", "--real", counts, "--generated", copy, "--output", dir + "/r.pdf"])
        #expect(
            format.status == 64 && format.stderr.contains(".json or .html")
                && !FileManager.default.fileExists(atPath: dir + "/r.pdf"))
        let genes = try CLIRunner.run([
            "evaluate", "--real", counts, "--generated", TestPaths.dataset("seedsim", "counts.csv.gz")
        ])
        #expect(genes.status == 65 && genes.stderr.contains("genes do not match"))
    }

    /// Issue 15: `evaluate --training` flags generated cells that copy training cells, states
    /// its normalisation, and gives every AUC with its spread.
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func copiesAreFlaggedFromTheCommandLine() throws {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz")
        let gunzip = Process(), pipe = Pipe()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gunzip.arguments = ["gzip", "-dc", counts]
        gunzip.standardOutput = pipe
        try gunzip.run()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: "\n"
        ).map(String.init)
        gunzip.waitUntilExit()
        let header = lines[0], cells = Array(lines.dropFirst())
        let training = TestPaths.write(
            ([header] + cells.prefix(40)).joined(separator: "\n") + "\n", "training.csv", in: dir)
        let unseen = TestPaths.write(
            ([header] + cells.suffix(40)).joined(separator: "\n") + "\n", "unseen.csv", in: dir)
        let copies = TestPaths.write(
            ([header] + cells.prefix(40).map { "copy_" + $0 }).joined(separator: "\n") + "\n", "copies.csv", in: dir)
        let flagged = try CLIRunner.run([
            "evaluate", "--real", unseen, "--generated", copies, "--training", training, "--repeats", "2"
        ])
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(
            flagged.stdout.contains("FLAGGED")
                && flagged.stdout.contains("normalize auto: the real cells are whole counts"), "\(flagged.stdout)")
        #expect(
            flagged.stdout.range(of: #"random forest \d\.\d{3} ± \d\.\d{3}"#, options: .regularExpression) != nil,
            "\(flagged.stdout)")
        let unmeasured = try CLIRunner.run([
            "evaluate", "--real", unseen, "--generated", copies, "--normalize", "none", "--repeats", "2"
        ])
        #expect(
            unmeasured.status == 0 && unmeasured.stdout.contains("copies: not measured")
                && unmeasured.stdout.contains("normalize none"),
            "\(unmeasured.stdout) \(unmeasured.stderr)")
        let bad = try CLIRunner.run(["evaluate", "--real", unseen, "--generated", copies, "--normalize", "cpm"])
        #expect(bad.status == 64 && bad.stderr.contains("auto, lognorm, none"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func generatePrintsTheSummary() throws
    {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz")
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--labels", TestPaths.dataset("pbmc_small", "labels.csv"), "--normalize",
            "lognorm",
            "--encoder", "dense:16:relu", "--decoder", "dense:16:relu", "--epochs", "3", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let gen = try CLIRunner.run([
            "generate", model, "--num-samples", "80", "--output", dir + "/g.csv", "--evaluate", counts
        ])
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(
            gen.stdout.contains("realism of 80 generated vs 80 real cells") && gen.stdout.contains("labels recovered"))
    }
}

import Foundation
import Testing
import VAExprsTestSupport

/// `vaexprs utility` from the command line (issue 31).
@Suite struct UtilityCLITests {
    let dir = TestPaths.scratch("utility")

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func measuresUtilityOnPBMCAndWritesJSONAndHTML() throws {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz"),
            labels = TestPaths.dataset("pbmc_small", "labels.csv")
        let json = dir + "/u.json"
        let r = try CLIRunner.run([
            "utility", "--counts", counts, "--labels", labels, "--repeats", "2", "--epochs", "30", "--output", json
        ])
        #expect(r.status == 0, "\(r.stderr)")
        // The cost is said first, then each fit.
        #expect(r.stderr.contains("utility: 8 model fits: 2 repeat(s) × (3 reduced label(s) + all labels capped)"))
        #expect(r.stderr.contains("fit 8/8 (all labels capped, repeat 2)"), "\(r.stderr)")
        #expect(r.stdout.contains("SMOTE") && r.stdout.contains("macro-F1") && r.stdout.contains("18 → 5"))
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let perLabel = try #require(report["perLabel"] as? [[String: Any]])
        #expect(perLabel.map { $0["label"] as? String } == ["0", "1", "2"])
        let f1 = try #require(perLabel[0]["f1"] as? [String: [String: Any]])
        #expect(Set(f1.keys) == ["real", "duplicated", "smote", "generated", "generated_only"])
        #expect((f1["generated"]?["runs"] as? [Double])?.count == 2)
        let html = dir + "/u.html"
        let h = try CLIRunner.run([
            "utility", "--counts", counts, "--labels", labels, "--repeats", "1", "--epochs", "10", "--design",
            "capped", "--output", html, "--quiet"
        ])
        #expect(h.status == 0 && h.stderr.isEmpty, "\(h.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("Every label capped") && !page.contains("One label at a time"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func badInputIsRefusedByOption() throws {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz"),
            labels = TestPaths.dataset("pbmc_small", "labels.csv")
        let unlabelled = try CLIRunner.run(["utility", "--counts", counts])
        #expect(unlabelled.status == 64 && unlabelled.stderr.contains("--labels"), "\(unlabelled.stderr)")
        let design = try CLIRunner.run(["utility", "--counts", counts, "--labels", labels, "--design", "all"])
        #expect(design.status == 64 && design.stderr.contains("per-label, capped"), "\(design.stderr)")
        let heldOut = try CLIRunner.run(["utility", "--counts", counts, "--labels", labels, "--held-out", "1"])
        #expect(heldOut.status == 64 && heldOut.stderr.contains("--held-out"), "\(heldOut.stderr)")
        let format = try CLIRunner.run(["utility", "--counts", counts, "--labels", labels, "--output", dir + "/u.pdf"])
        #expect(format.status == 64 && format.stderr.contains(".json or .html"), "\(format.stderr)")
        let validation = try CLIRunner.run([
            "utility", "--counts", counts, "--labels", labels, "--validation-split", "1.5", "--epochs", "2"
        ])
        #expect(validation.status != 0 && validation.stderr.contains("--validation-split"), "\(validation.stderr)")
    }
}

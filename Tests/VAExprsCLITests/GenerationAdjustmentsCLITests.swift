import Foundation
import Testing
import VAExprsTestSupport

/// Issue 31, part 4: what `fit` adjusts for `generate` and how to leave it out. `fit` says it
/// stored per-label output offsets and which latent shrinkage it chose (with validation
/// cells), `inspect` shows both, and `generate --no-output-offsets` / `--no-latent-shrinkage`
/// draw without them.
@Suite struct GenerationAdjustmentsCLITests {
    /// The CSV text of 50 cells generated from `model` into `dir/name` with `extra` options.
    static func generated(_ model: String, _ dir: String, _ name: String, _ extra: [String] = []) throws -> String {
        let r = try CLIRunner.run(
            ["generate", model, "--num-samples", "50", "--seed", "3", "--output", dir + "/" + name] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    }

    /// Fits seedsim with `extra` options into `dir/m.vaexprs`; returns fit's messages.
    static func fitSeedsim(_ dir: String, _ extra: [String]) throws -> String {
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", TestPaths.dataset("seedsim", "counts.csv.gz"), "--labels",
                TestPaths.dataset("seedsim", "labels.csv"), "--output", dir + "/m.vaexprs"
            ] + extra)
        #expect(fit.status == 0, "\(fit.stderr)")
        return fit.stderr
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func offsetsAreStoredShownAndCanBeLeftOut() throws {
        let dir = TestPaths.scratch("output-offsets-cli"), model = dir + "/m.vaexprs"
        let messages = try Self.fitSeedsim(dir, ["--epochs", "5"])
        #expect(messages.contains("per-label output offsets"), "\(messages)")
        #expect(try CLIRunner.run(["inspect", model]).stdout.contains("\"output_offsets\""))
        let withOffsets = try Self.generated(model, dir, "a.csv"), again = try Self.generated(model, dir, "b.csv")
        #expect(withOffsets == again)
        #expect(withOffsets != (try Self.generated(model, dir, "c.csv", ["--no-output-offsets"])))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func theShrinkageChoiceIsSaidShownAndCanBeLeftOut() throws {
        let dir = TestPaths.scratch("latent-shrinkage-cli"), model = dir + "/m.vaexprs"
        let messages = try Self.fitSeedsim(dir, ["--epochs", "300", "--patience", "20", "--validation-split", "0.1"])
        #expect(messages.contains("latent draws pulled towards each label's centre by factor"), "\(messages)")
        let inspect = try CLIRunner.run(["inspect", model])
        let object = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any]
        let shrinkage = try #require(object?["latent_shrinkage"] as? [String: Any])
        let factor = try #require(shrinkage["factor"] as? Double)
        #expect((shrinkage["validation_log_likelihood"] as? [Any])?.count == 7)
        let shrunk = try Self.generated(model, dir, "a.csv"), again = try Self.generated(model, dir, "b.csv")
        #expect(shrunk == again)
        // Seedsim's labels hold only noise: the draws are pulled in, and leaving that out differs.
        #expect(factor < 1)
        #expect(shrunk != (try Self.generated(model, dir, "c.csv", ["--no-latent-shrinkage"])))
    }
}

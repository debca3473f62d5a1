import Foundation
import Testing
import VAExprsTestSupport

/// Issue 31, part 4: `fit` says it stored per-label output offsets, `inspect` shows them, and
/// `generate --no-output-offsets` draws from the decoder's means as they are.
@Suite struct OutputOffsetsCLITests {
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func offsetsAreStoredShownAndCanBeLeftOut() throws {
        let dir = TestPaths.scratch("output-offsets-cli"), model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", TestPaths.dataset("seedsim", "counts.csv.gz"), "--labels",
            TestPaths.dataset("seedsim", "labels.csv"), "--epochs", "5", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("per-label output offsets"), "\(fit.stderr)")
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(inspect.stdout.contains("\"output_offsets\""))
        func generate(_ extra: [String], _ name: String) throws -> String {
            let r = try CLIRunner.run(
                ["generate", model, "--num-samples", "50", "--seed", "3", "--output", dir + "/" + name] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        let withOffsets = try generate([], "a.csv"), again = try generate([], "b.csv")
        let without = try generate(["--no-output-offsets"], "c.csv")
        #expect(withOffsets == again)
        #expect(withOffsets != without)
    }
}

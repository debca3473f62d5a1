import Foundation
import Testing
import VAExprsTestSupport

/// Issue 31, part 4: with validation cells, `fit` says which latent shrinkage it chose and
/// why, `inspect` shows it, and `generate --no-latent-shrinkage` draws latent points unshrunk.
@Suite struct LatentShrinkageCLITests {
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func theChoiceIsSaidShownAndCanBeLeftOut() throws {
        let dir = TestPaths.scratch("latent-shrinkage-cli"), model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", TestPaths.dataset("seedsim", "counts.csv.gz"), "--labels",
            TestPaths.dataset("seedsim", "labels.csv"), "--epochs", "40", "--validation-split", "0.1",
            "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("latent draws pulled towards each label's centre by factor"), "\(fit.stderr)")
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(inspect.stdout.contains("\"latent_shrinkage\""))
        func generate(_ extra: [String], _ name: String) throws -> String {
            let r = try CLIRunner.run(
                ["generate", model, "--num-samples", "50", "--seed", "3", "--output", dir + "/" + name] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
        }
        let shrunk = try generate([], "a.csv"), again = try generate([], "b.csv")
        #expect(shrunk == again)
        if !inspect.stdout.contains("\"factor\" : 1,") {
            #expect(shrunk != (try generate(["--no-latent-shrinkage"], "c.csv")))
        }
    }
}

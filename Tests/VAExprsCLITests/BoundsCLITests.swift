import Foundation
import Testing
import VAExprsTestSupport

/// Numbers from the user are bounded before any work: thread counts (at most 4 × the
/// processors), layer widths and latent sizes, each error naming its option.
struct BoundsCLITests {
    let dir = TestPaths.scratch("bounds")

    @Test func outOfRangeNumbersNameTheirOption() throws {
        var text = "cell,g1,g2,g3\n"
        for i in 1...30 { text += "c\(i),\(i % 5),\(i % 3),\(i % 7)\n" }
        let counts = TestPaths.write(text, "counts.csv", in: dir)
        let cases: [([String], [String])] = [
            (["fit", "--counts", counts, "--epochs", "1", "--threads", "10000", "--output", dir + "/m.vaexprs"], ["--threads", "from 1 to"]),
            (["fit", "--counts", counts, "--epochs", "1", "--threads", "0", "--output", dir + "/m.vaexprs"], ["--threads"]),
            (["reduce", "--method", "pca", "--input", counts, "--threads", "10000", "--output", dir + "/p.csv"], ["--threads"]),
            (["gmm", "--input", counts, "--threads", "100000"], ["--threads"]),
            (["fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:100000000000", "--output", dir + "/m.vaexprs"], ["--encoder", "units"]),
            (["fit", "--counts", counts, "--epochs", "1", "--latent-dim", "1000000", "--output", dir + "/m.vaexprs"], ["--latent-dim"]),
        ]
        for (arguments, mentions) in cases {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
            #expect(!FileManager.default.fileExists(atPath: dir + "/m.vaexprs") && !FileManager.default.fileExists(atPath: dir + "/p.csv"))
        }
    }
}

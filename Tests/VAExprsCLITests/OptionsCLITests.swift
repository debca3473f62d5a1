import Foundation
import Testing
import VAExprsTestSupport

/// Component options nobody reads are errors naming the valid ones, from every option that
/// takes a component spec.
struct OptionsCLITests {
    let dir = TestPaths.scratch("options")

    @Test func unknownComponentOptionsAreRejected() throws {
        var text = "cell,g1,g2,g3\n"
        for i in 1...30 { text += "c\(i),\(i % 5),\(i % 3),\(i % 7)\n" }
        let counts = TestPaths.write(text, "counts.csv", in: dir)
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run(["fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:4:relu", "--decoder", "dense:4:relu", "--output", model])
        #expect(fit.status == 0, "\(fit.stderr)")
        let cases: [([String], [String])] = [
            (["fit", "--counts", counts, "--epochs", "1", "--optimizer", "adam:bogus=1", "--output", dir + "/x.vaexprs"], ["'bogus'", "lr"]),
            (["fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:4:relu:extra", "--output", dir + "/x.vaexprs"], ["positional"]),
            (["generate", model, "--num-samples", "3", "--sampler", "normal:bogus=1", "--output", dir + "/g.csv"], ["'bogus'", "no options"]),
            (["reduce", "--method", "pca", "--input", counts, "--option", "bogus=1", "--output", dir + "/p.csv"], ["'bogus'", "solver"]),
            (["plot", "history", model, "--output", dir + "/h.png", "--format", "png:bogus=2"], ["'bogus'", "scale"]),
        ]
        for (arguments, mentions) in cases {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
        }
        for leftover in ["x.vaexprs", "g.csv", "p.csv", "h.png"] { #expect(!FileManager.default.fileExists(atPath: dir + "/" + leftover)) }
    }
}

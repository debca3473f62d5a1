import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Arguments checked before any work: numbers from the user are bounded (threads at most 4 ×
/// the processors, layer widths, latent sizes) and component options nobody reads are
/// rejected, each error naming its option and, for options, the valid ones.
@Suite(.serialized) struct ArgumentChecksCLITests {
    let dir = TestPaths.scratch("arguments")

    /// 30 cells × 3 genes of small whole numbers.
    func smallCounts() -> String {
        var text = "cell,g1,g2,g3\n"
        for i in 1...30 { text += "c\(i),\(i % 5),\(i % 3),\(i % 7)\n" }
        return TestPaths.write(text, "counts.csv", in: dir)
    }

    /// Issue 32: `--precision bf16` trains (bfloat16 products) and the model generates as usual.
    @Test(.enabled(if: ProductPrecision.bf16.isSupported, "this CPU has no AVX512_BF16"))
    func bf16PrecisionFitsFromTheCommandLine() throws {
        let counts = smallCounts(), model = dir + "/bf16.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--epochs", "2", "--precision", "bf16", "--encoder", "dense:8:relu",
            "--decoder", "dense:8:relu", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let generated = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", dir + "/g.csv"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(try String(contentsOfFile: dir + "/g.csv", encoding: .utf8).split(separator: "\n").count == 6)
    }

    @Test func outOfRangeNumbersNameTheirOption() throws {
        let counts = smallCounts()
        let cases: [([String], [String])] = [
            (
                ["fit", "--counts", counts, "--epochs", "1", "--threads", "10000", "--output", dir + "/m.vaexprs"],
                ["--threads", "from 1 to"]
            ),
            (
                ["fit", "--counts", counts, "--epochs", "1", "--threads", "0", "--output", dir + "/m.vaexprs"],
                ["--threads"]
            ),
            (
                ["reduce", "--method", "pca", "--input", counts, "--threads", "10000", "--output", dir + "/p.csv"],
                ["--threads"]
            ),
            (["gmm", "--input", counts, "--threads", "100000"], ["--threads"]),
            (
                [
                    "fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:100000000000", "--output",
                    dir + "/m.vaexprs"
                ], ["--encoder", "units"]
            ),
            (
                ["fit", "--counts", counts, "--epochs", "1", "--latent-dim", "1000000", "--output", dir + "/m.vaexprs"],
                ["--latent-dim"]
            ),
            (
                ["fit", "--counts", counts, "--epochs", "1", "--output", dir + "/m.vaexprs.gz"],
                ["--output", "uncompressed"]
            ),
            (
                ["fit", "--counts", counts, "--epochs", "1", "--precision", "fp8", "--output", dir + "/m.vaexprs"],
                ["--precision", "float32 or bf16"]
            )
        ]
        for (arguments, mentions) in cases {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
            #expect(
                !FileManager.default.fileExists(atPath: dir + "/m.vaexprs")
                    && !FileManager.default.fileExists(atPath: dir + "/p.csv")
                    && !FileManager.default.fileExists(atPath: dir + "/m.vaexprs.gz"))
        }
    }

    /// Issue 14: cell counts far beyond what a run can write are refused at once (no overflow,
    /// no allocation), smaller ones are streamed; a mixture on values whose squares overflow is a
    /// clear error, not a BIC of -inf.
    @Test func hugeRequestsAreRefusedOrStreamed() throws {
        let counts = smallCounts()
        var labels = "cell,label\n"
        for i in 1...30 { labels += "c\(i),\(i % 2 == 0 ? "A" : "B")\n" }
        let labelsPath = TestPaths.write(labels, "labels.csv", in: dir)
        let model = dir + "/huge.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--labels", labelsPath, "--epochs", "1", "--encoder", "dense:4:relu",
            "--decoder", "dense:4:relu", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let top = "9223372036854775807"
        let cases: [([String], [String])] = [
            (
                ["generate", model, "--num-samples", top, "--output", dir + "/g.csv"],
                ["--num-samples", "at most 2147483647"]
            ),
            (
                ["generate", model, "--per-label", "A=\(top),B=\(top)", "--output", dir + "/g.csv"],
                ["--per-label", "at most 2147483647"]
            ),
            (["gmm", "--input", counts, "--samples", top, "--samples-output", dir + "/s.csv"], ["--samples"]),
            (["gmm", "--input", counts, "--components", "1..100000000"], ["--components", "above 1000"]),
            (
                [
                    "fit", "--counts", counts, "--labels", labelsPath, "--label-column", "label,label", "--epochs", "1",
                    "--output", dir + "/x.vaexprs"
                ],
                ["--label-column", "twice"]
            )
        ]
        for (arguments, mentions) in cases {
            let r = try CLIRunner.run(arguments, timeLimit: 120)
            #expect(!r.timedOut && r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
        }
        let huge = TestPaths.write("x,y\n1e300,2e300\n-1e300,5e299\n3e300,1e300\n2e300,-2e300\n", "huge.csv", in: dir)
        let overflow = try CLIRunner.run(["gmm", "--input", huge, "--json"])
        #expect(
            overflow.status == 65 && overflow.stderr.contains("overflow") && !overflow.stdout.contains("inf"),
            "\(overflow.stderr)")
        // 40 000 mixture samples, streamed in blocks: every row there, no temporary left.
        let drawn = try CLIRunner.run([
            "gmm", "--input", counts, "--components", "1..2", "--samples", "40000", "--samples-output", dir + "/s.csv"
        ])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let lines = try String(contentsOfFile: dir + "/s.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40_001 && lines[0] == "g1,g2,g3")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test func unknownComponentOptionsAreRejected() throws {
        let counts = smallCounts()
        let model = dir + "/options.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:4:relu", "--decoder", "dense:4:relu",
            "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let cases: [([String], [String])] = [
            (
                [
                    "fit", "--counts", counts, "--epochs", "1", "--optimizer", "adam:bogus=1", "--output",
                    dir + "/x.vaexprs"
                ], ["'bogus'", "lr"]
            ),
            (
                [
                    "fit", "--counts", counts, "--epochs", "1", "--encoder", "dense:4:relu:extra", "--output",
                    dir + "/x.vaexprs"
                ], ["positional"]
            ),
            (
                ["generate", model, "--num-samples", "3", "--sampler", "normal:bogus=1", "--output", dir + "/g.csv"],
                ["'bogus'", "no options"]
            ),
            (
                ["reduce", "--method", "pca", "--input", counts, "--option", "bogus=1", "--output", dir + "/p.csv"],
                ["'bogus'", "solver"]
            ),
            (["plot", "history", model, "--output", dir + "/h.png", "--format", "png:bogus=2"], ["'bogus'", "scale"])
        ]
        for (arguments, mentions) in cases {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
        }
        for leftover in ["x.vaexprs", "g.csv", "p.csv", "h.png"] {
            #expect(!FileManager.default.fileExists(atPath: dir + "/" + leftover))
        }
    }
}

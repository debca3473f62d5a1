import Foundation
import Testing
import VAExprsTestSupport

/// Counts end to end: the default setup chosen from the values, whole counts generated,
/// library sizes, gene selection, the original's preset, and bad count input.
@Suite(.serialized) struct CountsCLITests {
    let dir = TestPaths.scratch("counts")
    let small = ["--encoder", "dense:16:relu", "--decoder", "dense:16:relu"]

    /// 61 cells × 12 genes of negative-binomial-like counts (a fixed stream), labels A (30),
    /// B (30) and C (a single cell), and each cell's total.
    func countData() -> (counts: String, labels: String, totals: [Int]) {
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var text = "cell," + (1...12).map { "g\($0)" }.joined(separator: ",") + "\n", labels = "cell,label\n"
        var totals: [Int] = []
        for i in 1...61 {
            let label = i == 61 ? "C" : (i % 2 == 0 ? "A" : "B")
            let row = (1...12).map { j -> Int in
                let mean = (label == "A" && j <= 4 ? 8.0 : 2.0) * (0.5 + next())
                var k = 0, p = exp(-mean), s = p
                let u = next()
                while u > s && k < 60 {
                    k += 1
                    p *= mean / Double(k)
                    s += p
                }
                return k + (j == 1 ? 1 : 0)
            }
            totals.append(row.reduce(0, +))
            text += "c\(i)," + row.map(String.init).joined(separator: ",") + "\n"
            labels += "c\(i),\(label)\n"
        }
        return (TestPaths.write(text, "counts.csv", in: dir), TestPaths.write(labels, "labels.csv", in: dir), totals)
    }

    /// Rows of a generated CSV as numbers (header and ids dropped).
    func values(_ path: String) throws -> [[Double]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",").dropFirst().map { Double($0)! }
        }
    }

    @Test func countsGetACountModelByDefaultAndWholeCountsBack() throws {
        let (counts, labels, totals) = countData()
        let model = dir + "/nb.vaexprs"
        let fit = try CLIRunner.run(
            ["fit", "--counts", counts, "--labels", labels, "--epochs", "5", "--output", model] + small)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("likelihood zinb") && fit.stderr.contains("counts"), "\(fit.stderr)")
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(
            inspect.stdout.contains("whole numbers ≥ 0 with zeros")
                && inspect.stdout.contains("\"likelihood_data\" : \"counts\""), "\(inspect.stdout)")
        let out = dir + "/g.csv"
        let generate = try CLIRunner.run(["generate", model, "--per-label", "A=40,C=20", "--output", out])
        #expect(generate.status == 0, "\(generate.stderr)")
        // Label C had one training cell: its library-size spread is borrowed, and said so.
        #expect(generate.stderr.contains("label 'C': one training cell"), "\(generate.stderr)")
        let drawn = try values(out)
        #expect(drawn.count == 60 && drawn.allSatisfy { $0.count == 12 })
        #expect(drawn.joined().allSatisfy { $0 >= 0 && $0 == $0.rounded() }, "generated values must be whole counts")
        // Expected counts on request.
        let mean = try CLIRunner.run([
            "generate", model, "--num-samples", "10", "--decode", "mean", "--output", dir + "/m.csv"
        ])
        let expected = try values(dir + "/m.csv")
        #expect(mean.status == 0 && expected.joined().contains { $0 != $0.rounded() })
        // --library empirical re-draws observed totals; with --decode mean, each generated
        // cell's expected counts under nb (no zero inflation) add up to one of them.
        let nbModel = dir + "/nb-only.vaexprs"
        let nbFit = try CLIRunner.run(
            [
                "fit", "--counts", counts, "--labels", labels, "--likelihood", "nb", "--epochs", "2", "--quiet",
                "--output", nbModel
            ] + small)
        #expect(nbFit.status == 0, "\(nbFit.stderr)")
        let empirical = try CLIRunner.run([
            "generate", nbModel, "--num-samples", "15", "--decode", "mean", "--library", "empirical",
            "--output", dir + "/e.csv"
        ])
        #expect(empirical.status == 0, "\(empirical.stderr)")
        for row in try values(dir + "/e.csv") {
            let total = row.reduce(0, +)
            #expect(totals.contains { abs(Double($0) - total) < 1e-3 * total }, "total \(total) is no training cell's")
        }
        // The same seed gives the same cells.
        let again = try CLIRunner.run(["generate", model, "--per-label", "A=40,C=20", "--output", dir + "/g2.csv"])
        let redrawn = try values(dir + "/g2.csv")
        #expect(again.status == 0 && redrawn == drawn)
    }

    @Test func everyCountLikelihoodFitsAndGeneSelectionKeepsTheTopGenes() throws {
        let (counts, labels, _) = countData()
        for likelihood in ["nb", "poisson", "zinb:dispersion=gene-label"] {
            let model = dir + "/\(likelihood.prefix(4)).vaexprs"
            let fit = try CLIRunner.run(
                [
                    "fit", "--counts", counts, "--labels", labels, "--likelihood", likelihood, "--top-genes", "6",
                    "--epochs", "3", "--quiet", "--output", model
                ] + small)
            #expect(fit.status == 0, "\(likelihood): \(fit.stderr)")
            #expect(fit.stdout.contains("× 6 genes"), "\(fit.stdout)")
            let inspect = try CLIRunner.run(["inspect", model])
            #expect(inspect.stdout.contains("seurat_v3"), "\(inspect.stdout)")
            let out = dir + "/\(likelihood.prefix(4)).csv"
            let generate = try CLIRunner.run(["generate", model, "--num-samples", "20", "--output", out])
            #expect(generate.status == 0, "\(generate.stderr)")
            let header = try String(contentsOfFile: out, encoding: .utf8).prefix { $0 != "\n" }
            #expect(header.split(separator: ",").count == 7 && header.contains("g1"), "\(header)")
            let drawn = try values(out)
            #expect(drawn.joined().allSatisfy { $0 == $0.rounded() })
        }
        // generate --evaluate compares a model of selected genes on those genes of the full matrix.
        let evaluated = try CLIRunner.run([
            "generate", dir + "/nb.vaexprs", "--num-samples", "30", "--output", dir + "/ev.csv", "--evaluate", counts
        ])
        #expect(
            evaluated.status == 0 && evaluated.stdout.contains("realism of 30 generated vs 61 real cells"),
            "\(evaluated.stdout) \(evaluated.stderr)")
    }

    @Test func theOriginalPresetAndContinuousDefaults() throws {
        let (counts, labels, _) = countData()
        let model = dir + "/orig.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--labels", labels, "--preset", "original", "--epochs", "2", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let inspect = try CLIRunner.run(["inspect", model])
        for word in ["bernoulli", "\"latent_dim\" : 2", "dense:512:relu", "lognorm"] {
            #expect(inspect.stdout.contains(word), "original preset: \(word) missing")
        }
        // Non-integers: censored gaussian, as given; negatives: gaussian.
        let real = TestPaths.write("cell,g1,g2\na,0.5,1.25\nb,0,2.5\nc,1.5,0\nd,2,3\n", "real.csv", in: dir)
        let signed = TestPaths.write("cell,g1,g2\na,-0.5,1.25\nb,0,2.5\nc,1.5,0\nd,2,3\n", "signed.csv", in: dir)
        for (file, expected) in [
            (real, "censored_gaussian"), (signed, "gaussian, normalisation none: values below zero")
        ] {
            let r = try CLIRunner.run(
                ["fit", "--counts", file, "--epochs", "1", "--output", dir + "/c.vaexprs"] + small)
            #expect(r.status == 0 && r.stderr.contains("likelihood \(expected)"), "\(r.stderr)")
        }
    }

    @Test func badCountInputGetsClearErrors() throws {
        let (counts, labels, _) = countData()
        let fractional = TestPaths.write("cell,g1,g2\na,1,2.5\nb,0,3\n", "frac.csv", in: dir)
        let negative = TestPaths.write("cell,g1,g2\na,1,2\nb,-1,3\n", "neg.csv", in: dir)
        let empty = TestPaths.write("cell,g1,g2\na,1,2\nb,0,0\n", "empty.csv", in: dir)
        let cases: [([String], Int32, [String])] = [
            (["--counts", fractional, "--likelihood", "nb"], 65, ["cell 'a'", "gene 'g2'", "2.5", "censored_gaussian"]),
            (["--counts", negative, "--likelihood", "zinb"], 65, ["cell 'b'", "gene 'g1'", "-1"]),
            (["--counts", empty, "--likelihood", "poisson"], 65, ["cell 'b'", "no counts"]),
            (["--counts", counts, "--top-genes=-1"], 64, ["--top-genes", "≥ 0 (0 keeps every gene)"]),
            (["--counts", counts, "--top-genes", "13"], 64, ["between 1 and the number of genes (12)"]),
            (["--counts", counts, "--likelihood", "nb", "--normalize", "lognorm"], 64, ["raw counts"]),
            (["--counts", counts, "--likelihood", "nb:dispersion=gene-label"], 64, ["needs labels"]),
            (["--counts", counts, "--likelihood", "nb:dispersion=cell"], 64, ["gene-label"]),
            (["--counts", counts, "--gene-selection", "best", "--top-genes", "3"], 64, ["seurat_v3, dispersion"]),
            (["--counts", counts, "--preset", "scvi"], 64, ["default, original"]),
            (["--counts", counts, "--gene-selection", "dispersion"], 64, ["--top-genes"])
        ]
        for (arguments, status, words) in cases {
            let r = try CLIRunner.run(["fit"] + arguments + ["--epochs", "1", "--output", dir + "/bad.vaexprs"])
            #expect(r.status == status && words.allSatisfy(r.stderr.contains), "\(arguments): \(r.status) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/bad.vaexprs"))
        }
        let model = dir + "/ok.vaexprs"
        #expect(
            try CLIRunner.run(
                ["fit", "--counts", counts, "--labels", labels, "--epochs", "1", "--quiet", "--output", model] + small
            ).status == 0)
        let library = try CLIRunner.run([
            "generate", model, "--num-samples", "3", "--library", "median", "--output", dir + "/x.csv"
        ])
        #expect(library.status == 64 && library.stderr.contains("lognormal, empirical"), "\(library.stderr)")
        // --library means nothing to a continuous model: said, not ignored.
        let real = TestPaths.write("cell,g1,g2\na,0.5,1.25\nb,0,2.5\nc,1.5,0\nd,2,3\n", "continuous.csv", in: dir)
        #expect(
            try CLIRunner.run(
                ["fit", "--counts", real, "--epochs", "1", "--quiet", "--output", dir + "/cg.vaexprs"] + small
            ).status == 0)
        let ignored = try CLIRunner.run([
            "generate", dir + "/cg.vaexprs", "--num-samples", "3", "--library", "empirical", "--output", dir + "/y.csv"
        ])
        #expect(ignored.status == 64 && ignored.stderr.contains("applies to models of counts"), "\(ignored.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/y.csv"))
    }
}

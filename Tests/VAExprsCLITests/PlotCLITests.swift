import Foundation
import Testing
import VAExprsTestSupport

/// `vaexprs plot aug | model | history` from the command line, and their bad inputs.
@Suite(.serialized) struct PlotCLITests {
    let dir = TestPaths.scratch("plot-cli")
    var pbmc: String { TestPaths.dataset("pbmc_small", "counts.csv.gz") }
    var pbmcLabels: String { TestPaths.dataset("pbmc_small", "labels.csv") }

    /// Issue 15: labels read from `.h5ad` obs when asked, for real and generated cells alike
    /// (generate writes them into the output's obs); without generated labels, a warning and
    /// their own legend entry.
    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func obsLabelsOfBothFiles() throws {
        let h5ad = TestPaths.dataset("pbmc_small", "data.h5ad"), model = dir + "/obs.vaexprs",
            generated = dir + "/obs_gen.h5ad"
        let fit = try CLIRunner.run([
            "fit", "--counts", h5ad, "--epochs", "3", "--encoder", "dense:16:relu", "--decoder", "dense:16:relu",
            "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        let gen = try CLIRunner.run(["generate", model, "--num-samples", "60", "--output", generated])
        #expect(gen.status == 0, "\(gen.stderr)")
        let both = try CLIRunner.run([
            "plot", "aug", "--real", h5ad, "--generated", generated, "--label-column", "label", "--color-by", "label",
            "--format", "terminal:color=false"
        ])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(
            both.stdout.contains("Label: ● 0  ● 1  ● 2") && !both.stdout.contains("(no label)")
                && !both.stderr.contains("warning"),
            "\(both.stdout.suffix(200)) \(both.stderr)")
        let csv = dir + "/obs_gen.csv"
        let plain = try CLIRunner.run([
            "generate", model, "--num-samples", "60", "--output", csv, "--labels-output", dir + "/obs_gen_labels.csv"
        ])
        #expect(plain.status == 0)
        let one = try CLIRunner.run([
            "plot", "aug", "--real", pbmc, "--labels", pbmcLabels, "--generated", csv, "--format",
            "terminal:color=false"
        ])
        #expect(
            one.status == 0 && one.stdout.contains("(no label)")
                && one.stderr.contains("warning: the real cells have labels but the generated cells have none"),
            "\(one.stdout.suffix(200)) \(one.stderr)")
    }

    /// A tiny model of seedsim and 30 generated cells with labels.
    func modelAndCells() throws -> (model: String, generated: String, labels: String) {
        let model = dir + "/m.vaexprs", generated = dir + "/g.csv", labels = dir + "/g_labels.csv"
        if !FileManager.default.fileExists(atPath: generated) {
            let fit = try CLIRunner.run([
                "fit", "--counts", TestPaths.dataset("seedsim", "counts.csv.gz"), "--labels",
                TestPaths.dataset("seedsim", "labels.csv"),
                "--epochs", "3", "--validation-split", "0.1", "--encoder", "dense:16:relu", "--decoder",
                "dense:16:relu",
                "--likelihood", "gaussian", "--output", model
            ])
            #expect(fit.status == 0, "\(fit.stderr)")
            let gen = try CLIRunner.run([
                "generate", model, "--num-samples", "30", "--output", generated, "--labels-output", labels
            ])
            #expect(gen.status == 0, "\(gen.stderr)")
        }
        return (model, generated, labels)
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func everyPlotFromTheCommandLine()
        throws
    {
        let (model, generated, labels) = try modelAndCells()
        let real = [
            "--real", TestPaths.dataset("seedsim", "counts.csv.gz"), "--generated", generated,
            "--labels", TestPaths.dataset("seedsim", "labels.csv"), "--generated-labels", labels
        ]
        for (extra, file) in [
            (["--method", "pca"], "aug.svg"), (["--method", "mds"], "aug.png"),
            (["--method", "pca", "--format", "pdf"], "aug.pdf"),
            (["--method", "umap", "--option", "epochs=50"], "aug.html")
        ] {
            let r = try CLIRunner.run(
                ["plot", "aug"] + real + extra + [
                    "--output", dir + "/" + file, "--embedding-output", dir + "/" + file + ".csv"
                ])
            #expect(r.status == 0, "\(file): \(r.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file))
        }
        let embedding = try String(contentsOfFile: dir + "/aug.svg.csv", encoding: .utf8).split(separator: "\n")
        #expect(embedding.count == 331 && embedding[0] == "cell,dim1,dim2")
        let svg = try String(contentsOfFile: dir + "/aug.svg", encoding: .utf8)
        #expect(svg.contains("PC1 (") && svg.contains("generated"))
        let terminal = try CLIRunner.run(["plot", "aug"] + real + ["--format", "terminal:color=false"])
        #expect(terminal.status == 0 && terminal.stdout.contains("○ generated"), "\(terminal.stderr)")
        // Issue 15: into a pipe, no colour codes unless asked; --width counts characters.
        let piped = try CLIRunner.run(["plot", "history", model, "--format", "terminal", "--width", "60"])
        #expect(piped.status == 0 && !piped.stdout.contains("\u{1B}[") && piped.stdout.contains("┤"), "\(piped.stderr)")
        #expect(piped.stdout.split(separator: "\n").allSatisfy { $0.count <= 60 }, "\(piped.stdout)")
        for bad in ["nan", "10", "100000"] {
            let r = try CLIRunner.run(["plot", "history", model, "--format", "terminal", "--width", bad])
            #expect(
                r.status == 64 && r.stderr.contains("--width") && r.stderr.contains("characters"),
                "--width \(bad): \(r.stderr)")
        }
        let coloured = try CLIRunner.run(["plot", "history", model, "--format", "terminal:color=true"])
        #expect(coloured.stdout.contains("\u{1B}[38;2;"))
        let html = try CLIRunner.run(["plot", "history", model, "--output", dir + "/history.html"])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: dir + "/history.html", encoding: .utf8)
        #expect(page.contains("width:100vw") && page.contains("addEventListener('wheel'") && page.contains("dblclick"))
        for (format, magic) in [("dot", "digraph"), ("svg", "<?xml"), ("png", "\u{89}PNG")] {
            let out = dir + "/model." + format
            let r = try CLIRunner.run(["plot", "model", model, "--output", out, "--color", "decoder=#00ff00"])
            #expect(r.status == 0, "\(r.stderr)")
            let head = try Data(contentsOf: URL(fileURLWithPath: out)).prefix(5)
            #expect(
                String(decoding: head, as: UTF8.self).hasPrefix(String(magic.prefix(4)))
                    || format == "png" && head.first == 0x89)
        }
        #expect(try String(contentsOfFile: dir + "/model.dot", encoding: .utf8).contains("#00ff00"))
        let history = try CLIRunner.run(["plot", "history", model, "--output", dir + "/history.svg"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(try String(contentsOfFile: dir + "/history.svg", encoding: .utf8).contains("reconstruction"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func countsAreLogNormalisedBeforeEmbedding() throws {
        // pbmc_small is counts: auto normalises (the same cells on both sides embed identically).
        let r = try CLIRunner.run([
            "plot", "aug", "--real", pbmc, "--generated", pbmc, "--output", dir + "/pbmc.svg",
            "--embedding-output", dir + "/pbmc.csv"
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/pbmc.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").dropFirst().map { Double($0)! } }
        #expect(rows.count == 160)
        #expect(zip(rows[0], rows[80]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(rows.allSatisfy { $0.allSatisfy { abs($0) < 100 } })  // log scale, not raw counts
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func badInputsAreClearErrors() throws
    {
        let (model, generated, labels) = try modelAndCells()
        let seed = TestPaths.dataset("seedsim", "counts.csv.gz")
        let out = dir + "/bad.svg"
        func expectFailure(_ arguments: [String], status: Int32, mentions: [String]) throws {
            let r = try CLIRunner.run(arguments)
            #expect(r.status == status, "\(arguments): \(r.status) \(r.stderr)")
            for m in mentions { #expect(r.stderr.contains(m), "'\(r.stderr)' should mention '\(m)'") }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        try expectFailure(
            ["plot", "aug", "--real", seed, "--generated", generated, "--method", "isomap", "--output", out],
            status: 64, mentions: ["isomap", "tsne"])
        try expectFailure(
            ["plot", "aug", "--real", seed, "--generated", generated, "--output", dir + "/bad.jpeg"], status: 64,
            mentions: [".jpeg"])
        try expectFailure(
            ["plot", "aug", "--real", seed, "--generated", generated, "--format", "gif", "--output", out], status: 64,
            mentions: ["gif", "svg"])
        try expectFailure(
            ["plot", "aug", "--real", pbmc, "--generated", generated, "--output", out], status: 65,
            mentions: ["genes do not match"])
        let stray = dir + "/stray_labels.csv"
        try (String(contentsOfFile: labels, encoding: .utf8) + "nobody,group1\n").write(
            toFile: stray, atomically: true, encoding: .utf8)
        try expectFailure(
            ["plot", "aug", "--real", seed, "--generated", generated, "--generated-labels", stray, "--output", out],
            status: 65, mentions: ["nobody", "not in the matrix"])
        let r = try CLIRunner.run([
            "plot", "aug", "--real", seed, "--generated", generated, "--output", "/nonexistent-dir/x.svg"
        ])
        #expect(r.status == 73 && r.stderr.contains("/nonexistent-dir"), "\(r.stderr)")
        try expectFailure(
            ["plot", "model", model, "--output", dir + "/bad.gif"], status: 64, mentions: ["dot, svg, png or pdf"])
        try expectFailure(
            ["plot", "model", model, "--color", "encoder=not a colour", "--output", out], status: 64,
            mentions: ["--color"])
        try expectFailure(
            ["plot", "history", dir + "/missing.vaexprs", "--output", out], status: 66, mentions: ["missing.vaexprs"])
    }
}
